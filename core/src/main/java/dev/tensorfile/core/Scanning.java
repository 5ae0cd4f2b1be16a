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

    /** Writes a disassembly of every pickle in {@code path} (offset, opcode, argument) to {@code out}. */
    public static void disassemble(Path path, Appendable out) {
        try {
            scanner(path).disassemble(path, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
