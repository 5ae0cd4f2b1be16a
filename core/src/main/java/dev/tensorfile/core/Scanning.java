package dev.tensorfile.core;

import dev.tensorfile.core.spi.ContentScanner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Safety scans of files that may carry executable content (pickles), without executing anything. The scanner is
 * provided by {@code tensorfile-pickle-inspect}; a format module may add one for its own files (a TensorFlow
 * SavedModel's Python-function ops), which then scans the paths it claims.
 * <pre>{@code
 * ScanReport r = Scanning.scan(Path.of("pytorch_model.bin"));
 * if (r.verdict() != Verdict.SAFE) reject(r.findings());
 * }</pre>
 */
public final class Scanning {
    private Scanning() {}

    private static final class Holder {
        static final List<ContentScanner> SCANNERS = ServiceLoader.load(ContentScanner.class, Scanning.class.getClassLoader())
                .stream().map(ServiceLoader.Provider::get).toList();
    }

    /** The scanner that claims {@code path} (a format's own files), else a general one. */
    private static ContentScanner scanner(Path path) {
        for (ContentScanner s : Holder.SCANNERS) {
            boolean claimed;
            try {
                claimed = s.claims(path);
            } catch (RuntimeException e) {
                claimed = false;
            }
            if (claimed) return s;
        }
        for (ContentScanner s : Holder.SCANNERS) if (s.general()) return s;
        throw new UnsupportedFeatureException(null, path, "no scanner on the path (add tensorfile-pickle-inspect)");
    }

    /** Scans {@code path}: every pickle it holds, in any container. */
    public static ScanReport scan(Path path) { return scanner(path).scan(path, ReadLimits.DEFAULT); }

    /**
     * Scans a remote file ({@code http}, {@code https}). A scanner that reads it through range requests (a PyTorch,
     * TorchScript or npz archive: its central directory and its pickles, never its tensor data) does; any other file
     * is downloaded to a temporary file first (deleted after) and scanned as a local one.
     * <pre>{@code
     * ScanReport r = Scanning.scan(URI.create("https://huggingface.co/org/model/resolve/main/pytorch_model.bin"),
     *         RemoteOptions.DEFAULT, ReadLimits.DEFAULT);
     * }</pre>
     *
     * @throws TensorFileException if it cannot be fetched or scanned at all
     */
    public static ScanReport scan(java.net.URI uri, RemoteOptions options, ReadLimits limits) {
        if ("file".equalsIgnoreCase(uri.getScheme())) return scan(Path.of(uri));
        dev.tensorfile.core.spi.RemoteFile remote = dev.tensorfile.core.spi.RemoteFile.open(uri, options);
        try (dev.tensorfile.core.spi.MappedFile mapped = dev.tensorfile.core.spi.MappedFile.remote(remote)) {
            // a format's own scanner first, as for a local file
            for (boolean general : new boolean[] {false, true}) {
                for (ContentScanner s : Holder.SCANNERS) {
                    if (s.general() != general) continue;
                    java.util.Optional<ScanReport> r = s.scanRemote(mapped, limits);
                    if (r.isPresent()) return r.get();
                }
            }
            Path tmp = null;
            try {
                String name = remote.path().getFileName() == null ? "remote" : remote.path().getFileName().toString();
                tmp = java.nio.file.Files.createTempFile("tensorfile-", "-" + name.replaceAll("[^A-Za-z0-9._-]", "_"));
                remote.downloadTo(tmp);
                ScanReport local = scanner(tmp).scan(tmp, limits);
                return new ScanReport(remote.path(), local.verdict(), local.findings());
            } catch (IOException e) {
                throw new TensorFileException(null, remote.path(), "cannot be downloaded: " + e.getMessage(), e);
            } catch (TensorFileException e) {
                throw new TensorFileException(e.format(), remote.path(), e.detail(), e);
            } finally {
                if (tmp != null) {
                    try {
                        java.nio.file.Files.deleteIfExists(tmp);
                    } catch (IOException ignored) {
                        tmp.toFile().deleteOnExit();
                    }
                }
            }
        }
    }

    /** Writes a disassembly of every pickle in {@code path} (offset, opcode, argument) to {@code out}. */
    public static void disassemble(Path path, Appendable out) {
        try {
            scanner(path).disassemble(path, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
