package dev.tensorfile.core;

import dev.tensorfile.core.spi.ContentScanner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * Safety scans of files that may carry executable content (pickles), without executing anything. The scanner is
 * provided by {@code tensorfile-pickle-inspect}.
 * <pre>{@code
 * ScanReport r = Scanning.scan(Path.of("pytorch_model.bin"));
 * if (r.verdict() != Verdict.SAFE) reject(r.findings());
 * }</pre>
 */
public final class Scanning {
    private Scanning() {}

    private static final class Holder {
        static final ContentScanner SCANNER = ServiceLoader.load(ContentScanner.class, Scanning.class.getClassLoader())
                .findFirst().orElse(null);
    }

    private static ContentScanner scanner(Path path) {
        if (Holder.SCANNER == null) {
            throw new UnsupportedFeatureException(null, path, "no scanner on the path (add tensorfile-pickle-inspect)");
        }
        return Holder.SCANNER;
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
