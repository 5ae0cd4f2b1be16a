package dev.tensorfile.core;

import java.nio.file.Path;

/**
 * The file breaks its format's rules: a length past the end, an offset that overlaps, a count larger than the
 * bytes left, a bad checksum. The message names the structure and the byte offset where the problem was found,
 * e.g. {@code gguf: model.gguf: tensor info #12 at byte 4096: offset 1234 is not a multiple of alignment 32}.
 */
public class MalformedFileException extends TensorFileException {
    private static final long serialVersionUID = 1L;

    private final String structure;
    private final long offset;

    /**
     * @param structure the structure being read, as the spec names it ("header", "tensor info #3")
     * @param offset the absolute byte offset in the file, or -1 when the problem has no single place
     * @param what what is wrong, with the value found and the value allowed
     */
    public MalformedFileException(String format, Path file, String structure, long offset, String what,
            Throwable cause) {
        super(format, file, describe(structure, offset, what), cause);
        this.structure = structure;
        this.offset = offset;
    }

    public MalformedFileException(String format, Path file, String structure, long offset, String what) {
        this(format, file, structure, offset, what, null);
    }

    private static String describe(String structure, long offset, String what) {
        if (offset < 0) return structure + ": " + what;
        return structure + " at byte " + offset + ": " + what;
    }

    /** The structure being read when the problem was found. */
    public String structure() { return structure; }

    /** The absolute byte offset of the problem, or -1. */
    public long offset() { return offset; }
}
