package dev.tensorfile.core;

import dev.tensorfile.core.spi.RemoteFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A file opened from a URL: the format's own file, named by the URL, telling what fetching it cost; and for a format
 * that reads only local files, the temporary download it was opened from, deleted on close.
 */
final class RemoteTensorFile implements TensorFile {
    private final TensorFile delegate;
    private final Path path;
    private final Supplier<RemoteTransfer> transfer;
    private final Path download;

    RemoteTensorFile(TensorFile delegate, Path path, Supplier<RemoteTransfer> transfer, Path download) {
        this.delegate = delegate;
        this.path = path;
        this.transfer = transfer;
        this.download = download;
    }

    /** {@link TensorFormat#open(RemoteFile, ReadLimits)}'s default: the whole file, downloaded, opened locally. */
    static TensorFile downloaded(TensorFormat format, RemoteFile file, ReadLimits limits) {
        Path tmp = null;
        try {
            String name = file.path().getFileName() == null ? "remote" : file.path().getFileName().toString();
            tmp = Files.createTempFile("tensorfile-", "-" + name.replaceAll("[^A-Za-z0-9._-]", "_"));
            file.downloadTo(tmp);
            TensorFile local = format.open(tmp, limits);
            return new RemoteTensorFile(local, file.path(), file::transferred, tmp);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new TensorFileException(format.name(), file.path(), "cannot be downloaded: " + e.getMessage(), e);
        } catch (TensorFileException e) {
            deleteQuietly(tmp);
            throw new TensorFileException(e.format(), file.path(), e.detail(), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp);
            throw e;
        } finally {
            file.close();
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            p.toFile().deleteOnExit();
        }
    }

    @Override public Path path() { return path; }
    @Override public String format() { return delegate.format(); }
    @Override public Metadata metadata() { return delegate.metadata(); }
    @Override public List<Tensor> tensors() { return delegate.tensors(); }
    @Override public Optional<Tensor> find(String name) { return delegate.find(name); }
    @Override public List<String> details() { return delegate.details(); }
    @Override public List<UnsupportedEntry> unsupported() { return delegate.unsupported(); }
    @Override public Map<String, String> aliases() { return delegate.aliases(); }
    @Override public void verify() { delegate.verify(); }
    @Override public Optional<RemoteTransfer> remoteTransfer() { return Optional.of(transfer.get()); }

    @Override
    public void close() {
        try {
            delegate.close();
        } finally {
            deleteQuietly(download);
        }
    }

    /** The delegate, for code that asks a format's own file for more (a writer keeping what only it understands). */
    TensorFile delegate() { return delegate; }

    @Override public String toString() { return delegate.format() + " " + path; }
}
