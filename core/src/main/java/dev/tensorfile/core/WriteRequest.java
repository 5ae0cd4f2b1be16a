package dev.tensorfile.core;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a writer is told before it starts: where to write, the format's options, and, when the data comes
 * from a conversion, the open source file and the requested cast. {@link Converter} builds one for every
 * conversion, so a writer sees the same request whether a library user or the CLI converts.
 *
 * <p>A format can keep what only it understands from a source of its own format (ONNX → ONNX copies the graph
 * from {@link #source()}, the file already open, with the limits it was opened with) and refuse what it cannot
 * honour (a {@link #dtype()} for ONNX → ONNX).
 *
 * @param destination the file to produce
 * @param options the format's options (keys in {@link WriteOptions})
 * @param source the file being converted, open for the whole write; empty when tensors are written directly
 * @param dtype the cast requested of the conversion ({@link Converter#dtype(DType)}); empty to keep every type
 */
public record WriteRequest(Path destination, WriteOptions options, Optional<TensorFile> source, Optional<DType> dtype) {
    public WriteRequest {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(dtype, "dtype");
    }

    /** A write of tensors fed directly (no conversion source, no cast). */
    public static WriteRequest of(Path destination, WriteOptions options) {
        return new WriteRequest(destination, options, Optional.empty(), Optional.empty());
    }

    /** A conversion of {@code source} into {@code destination}; {@code dtype} may be null (keep every type). */
    public static WriteRequest conversion(Path destination, WriteOptions options, TensorFile source, DType dtype) {
        return new WriteRequest(destination, options, Optional.of(source), Optional.ofNullable(dtype));
    }
}
