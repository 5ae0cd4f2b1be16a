package dev.tensorfile.testframework;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFiles;
import org.junit.jupiter.api.function.Executable;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one assertion of the hostile-input suites: reading a hostile file fails with the typed exception the rule
 * calls for, and its message is evidence a user can act on (the brief's rule for hostile input): one line, the
 * format and the file first, then the structure and the byte offset where the problem was found, then what is
 * wrong with the value found. Never an {@link OutOfMemoryError}, a {@link StackOverflowError}, an
 * {@link IndexOutOfBoundsException} or a hang: those are not {@link TensorFileException}s, so they fail the
 * assertion as the wrong type (the suites also run in a 64 MB heap, with a small stack).
 * <pre>{@code
 * @Test
 * void rejectsTensorCountLargerThanTheFile() {
 *     Path p = write(RawGguf.v3(1L << 40, 0));
 *     Hostile.assertRejected(MalformedFileException.class, p, Hostile.reading(p), "header", 8,
 *             "tensor count 1099511627776 needs at least");
 * }
 * }</pre>
 */
public final class Hostile {
    private Hostile() {}

    /**
     * Asserts that {@code read} fails with {@code type}, in a message of one line that begins with the format and
     * names {@code file}, names {@code structure} (for a {@link MalformedFileException}, its
     * {@link MalformedFileException#structure()} contains it) at byte {@code offset} (for a
     * {@link MalformedFileException}, its {@link MalformedFileException#offset()} is it), and contains every one of
     * {@code details}.
     *
     * @param file the file the message must name (the one read, or the member of a set that is broken)
     * @param read what reads it: {@link #reading(Path)}, or a format's own open with small limits
     * @param structure the structure as the spec names it ({@code "header"}, {@code "tensor info #3"}), or null
     *     when the rule has none
     * @param offset the absolute byte offset of the problem, or -1 when it has no single place
     * @return the exception, for further checks
     */
    public static <T extends TensorFileException> T assertRejected(Class<T> type, Path file, Executable read,
            String structure, long offset, String... details) {
        T e = assertThrows(type, read, () -> "reading " + file + " must fail with " + type.getSimpleName());
        String m = e.getMessage();
        assertNotNull(m, "a message");
        assertFalse(m.contains("\n") || m.contains("\r"), () -> "one line: " + m);
        assertNotNull(e.format(), () -> "names the format: " + m);
        assertTrue(m.startsWith(e.format() + ": "), () -> "begins with the format: " + m);
        assertTrue(m.contains(file.getFileName().toString()), () -> "names the file " + file.getFileName() + ": " + m);
        if (structure != null) {
            assertTrue(m.contains(structure), () -> "names the structure '" + structure + "': " + m);
            if (e instanceof MalformedFileException mf) {
                assertTrue(mf.structure().contains(structure), () -> "structure() is '" + structure + "': " + mf.structure());
            }
        }
        if (offset >= 0) {
            assertTrue(m.contains("at byte " + offset), () -> "names the offset " + offset + ": " + m);
            if (e instanceof MalformedFileException mf) assertEquals(offset, mf.offset(), () -> "offset(): " + m);
        }
        for (String d : details) assertTrue(m.contains(d), () -> "says '" + d + "': " + m);
        return e;
    }

    /**
     * Asserts that {@code read} fails with {@code type}, in a message of one line that begins with the format,
     * names {@code file} and contains every one of {@code details}: for rules with no structure or offset of their
     * own (a limit on the whole file, an unsupported feature, a missing member of a set).
     */
    public static <T extends TensorFileException> T assertRejected(Class<T> type, Path file, Executable read,
            String... details) {
        return assertRejected(type, file, read, null, -1, details);
    }

    /** Reads {@code file} as a user would, through {@link TensorFiles#open(Path)}: see {@link #readAll}. */
    public static Executable reading(Path file) {
        return () -> {
            try (TensorFile f = TensorFiles.open(file)) {
                readAll(f);
            }
        };
    }

    /**
     * Touches everything a reader may defer: every tensor's bytes (or strings), the details, the unsupported
     * entries, and {@link TensorFile#verify()}, so a rule checked lazily is reached too.
     */
    public static void readAll(TensorFile f) {
        f.metadata();
        f.details();
        f.unsupported();
        for (Tensor t : f.tensors()) {
            if (t.dtype() == DType.STRING) t.strings();
            else t.bytes();
        }
        f.verify();
    }
}
