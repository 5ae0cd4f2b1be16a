package dev.tensorfile.core;

import java.nio.file.Path;

/** The file holds content that could run code if a tool loaded it (a pickle calling {@code os.system}). */
public class UnsafeContentException extends TensorFileException {
    private static final long serialVersionUID = 1L;

    public UnsafeContentException(String format, Path file, String detail) {
        super(format, file, detail);
    }
}
