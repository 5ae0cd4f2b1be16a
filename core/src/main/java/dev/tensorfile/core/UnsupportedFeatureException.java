package dev.tensorfile.core;

import java.nio.file.Path;

/**
 * The file is well formed but uses something this library does not implement, named precisely:
 * {@code HDF5 filter 32001 (blosc) is not supported}.
 */
public class UnsupportedFeatureException extends TensorFileException {
    private static final long serialVersionUID = 1L;

    public UnsupportedFeatureException(String format, Path file, String detail) {
        super(format, file, detail);
    }
}
