package dev.tensorfile.cli;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.RemoteOptions;
import dev.tensorfile.core.ScanReport;
import dev.tensorfile.core.Scanning;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.spi.RemoteFile;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * A FILE operand: a local path, or an {@code http://} / {@code https://} URL read with range requests. The remote
 * options every command that reads accepts: {@code --token TOKEN} (else {@code TENSORFILE_HTTP_TOKEN} or
 * {@code HF_TOKEN}) and {@code --allow-full-download}.
 */
final class Sources {
    static final Set<String> FLAGS = Set.of("allow-full-download");
    static final Set<String> VALUED = Set.of("token");

    private Sources() {}

    static boolean isUrl(String operand) {
        String s = operand.toLowerCase(Locale.ROOT);
        return s.startsWith("http://") || s.startsWith("https://");
    }

    static RemoteOptions options(Arguments args) {
        RemoteOptions o = RemoteOptions.DEFAULT;
        if (args.option("token") != null) o = o.withToken(args.option("token"));
        if (args.has("allow-full-download")) o = o.withAllowFullDownload(true);
        return o;
    }

    static URI uri(String operand) {
        try {
            return URI.create(operand);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a valid URL");
        }
    }

    /** Opens a path or a URL. */
    static TensorFile open(String operand, Arguments args) {
        if (!isUrl(operand)) return TensorFiles.open(Path.of(operand));
        return TensorFiles.open(uri(operand), options(args), ReadLimits.DEFAULT);
    }

    /**
     * Scans a path or a URL. A remote PyTorch, TorchScript or npz archive is read with range requests (its directory
     * and pickles); any other remote file is downloaded to a temporary file first (deleted after).
     */
    static ScanReport scan(String operand, Arguments args) {
        if (!isUrl(operand)) return Scanning.scan(Path.of(operand));
        return Scanning.scan(uri(operand), options(args), ReadLimits.DEFAULT);
    }

    /** Runs {@code action} on a local copy of a URL's file, deleted afterwards. */
    static <T> T withDownload(String operand, Arguments args, java.util.function.Function<Path, T> action) {
        Path tmp = null;
        try (RemoteFile remote = RemoteFile.open(uri(operand), options(args))) {
            String name = remote.path().getFileName() == null ? "remote" : remote.path().getFileName().toString();
            tmp = Files.createTempFile("tensorfile-", "-" + name.replaceAll("[^A-Za-z0-9._-]", "_"));
            remote.downloadTo(tmp);
            try {
                return action.apply(tmp);
            } catch (TensorFileException e) {
                throw new TensorFileException(e.format(), remote.path(), e.detail(), e);
            }
        } catch (IOException e) {
            throw new TensorFileException(null, null, "cannot be downloaded: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    tmp.toFile().deleteOnExit();
                }
            }
        }
    }

    static Set<String> flags(String... more) {
        java.util.HashSet<String> s = new java.util.HashSet<>(FLAGS);
        s.addAll(Set.of(more));
        return s;
    }

    static Set<String> valued(String... more) {
        java.util.HashSet<String> s = new java.util.HashSet<>(VALUED);
        s.addAll(Set.of(more));
        return s;
    }
}
