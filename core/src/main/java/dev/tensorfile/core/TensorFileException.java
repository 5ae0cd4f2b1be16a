package dev.tensorfile.core;

import java.nio.file.Path;

/**
 * The root of every error the library reports about a file: malformed input, an unsupported feature, or an I/O
 * failure while reading or writing one. Unsafe content is not an error: the library never runs a pickle, so it reads
 * such a file as any other, and {@link Scanning} reports what it would do if Python loaded it.
 *
 * <p>Unchecked, like {@link java.io.UncheckedIOException}: a caller that opens a model file can rarely do more
 * than report the failure, and lambdas over tensors stay readable. The message is one line:
 * {@code FORMAT: FILE: DETAIL}; {@link #detail()} is the part after the file, for callers (like the CLI) that
 * print the path themselves.
 */
public class TensorFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String format;
    private final transient Path file;
    private final String detail;

    /** An error in {@code file} of {@code format}; either may be null when unknown. */
    public TensorFileException(String format, Path file, String detail, Throwable cause) {
        super(compose(format, file, oneLine(detail)), cause);
        this.format = format;
        this.file = file;
        this.detail = oneLine(detail);
    }

    /** An error in {@code file} of {@code format}; either may be null when unknown. */
    public TensorFileException(String format, Path file, String detail) {
        this(format, file, detail, null);
    }

    private static String compose(String format, Path file, String detail) {
        StringBuilder b = new StringBuilder();
        if (format != null) b.append(format).append(": ");
        if (file != null) b.append(oneLine(file.toString())).append(": ");
        return b.append(detail).toString();
    }

    /**
     * {@code s} with control characters escaped (a newline as {@code \n}, others by their code): details quote
     * names read from the file (an ONNX attribute or tensor name, an HDF5 path), which may hold any character, and
     * the message stays one line whatever they hold.
     */
    private static String oneLine(String s) {
        if (s == null) return null;
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != 0x7F) {
                if (b != null) b.append(c);
                continue;
            }
            if (b == null) b = new StringBuilder(s.length() + 8).append(s, 0, i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b == null ? s : b.toString();
    }

    /** The format whose reader or writer failed, or null. */
    public String format() { return format; }

    /** The file, or null. */
    public Path file() { return file; }

    /** The message without format and file: what went wrong, where in the file. */
    public String detail() { return detail; }
}
