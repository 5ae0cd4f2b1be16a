package dev.tensorfile.core;

import dev.tensorfile.core.spi.BlockCodec;
import dev.tensorfile.core.spi.ParallelChunks;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * One tensor of an open {@link TensorFile}: its {@link TensorInfo} and lazy access to its data.
 *
 * <p>The data is little-endian and row-major. Where the file stores the bytes as they are (safetensors, GGUF,
 * ONNX {@code raw_data}, HDF5 contiguous little-endian), {@link #bytes()} is a zero-copy view of the file's
 * mapping and {@link #isView()} is true. Where it does not (HDF5 chunked, filtered or big-endian; ONNX typed
 * fields; pickled storages that are compressed), {@link #readBytes} decodes only the range asked for, and
 * {@link #bytes()} decodes the whole tensor once into memory owned by the file, released on close.
 *
 * <p>Floats can be read in ranges, so a 10 GB tensor streams through a small buffer:
 * <pre>{@code
 * float[] buf = new float[1 << 20];
 * for (long i = 0; i < t.elementCount(); i += buf.length) {
 *     int n = (int) Math.min(buf.length, t.elementCount() - i);
 *     t.readFloats(i, buf, 0, n);
 *     consume(buf, n);
 * }
 * }</pre>
 * A tensor is usable until its file is closed; after that every access throws {@link IllegalStateException}.
 */
public interface Tensor {
    /** Name, dtype, shape and byte length. */
    TensorInfo info();

    /** True when {@link #bytes()} is a zero-copy view of the file rather than a decoded copy. */
    boolean isView();

    /** The whole tensor's bytes: a view of the mapping, or a decode owned by the file (see {@link #isView()}). */
    MemorySegment bytes();

    /**
     * Copies {@code dst.byteSize()} bytes of the tensor, starting at byte {@code byteOffset} of its data, into
     * {@code dst}; decodes only what the range touches.
     *
     * @throws IndexOutOfBoundsException if the range is outside the tensor
     */
    void readBytes(long byteOffset, MemorySegment dst);

    /** The tensor's name. */
    default String name() { return info().name(); }

    /** The tensor's element type. */
    default DType dtype() { return info().dtype(); }

    /** The tensor's row-major shape. */
    default Shape shape() { return info().shape(); }

    /** Number of elements. */
    default long elementCount() { return info().elementCount(); }

    /**
     * Converts {@code count} elements starting at element {@code first} to float into {@code dst[offset ...]}:
     * widening exactly, narrowing F64 to nearest, dequantizing block types. For block and sub-byte types,
     * {@code first} must be a multiple of the block and {@code count} too (unless it reaches the end).
     *
     * @throws UnsupportedOperationException for complex and string tensors
     */
    default void readFloats(long first, float[] dst, int offset, int count) {
        DType type = dtype();
        checkRange(first, count);
        long startByte = byteOffsetOf(type, first);
        long byteCount = byteOffsetOf(type, first + count) - startByte;
        if (type.isQuantized()) {
            BlockCodec codec = BlockCodecs.forType(type);
            withSource(startByte, byteCount, src -> codec.decode(src, 0, dst, offset, count / type.blockElements()));
        } else if (ElementConversion.canWiden(type)) {
            withSource(startByte, byteCount, src -> ElementConversion.toFloat(type, src, 0, dst, offset, count));
        } else {
            throw new UnsupportedOperationException(name() + ": " + type + " tensors do not convert to float");
        }
    }

    /** Like {@link #readFloats(long, float[], int, int)}, into little-endian floats at byte {@code dstOffset}. */
    default void readFloats(long first, MemorySegment dst, long dstOffset, int count) {
        DType type = dtype();
        checkRange(first, count);
        long startByte = byteOffsetOf(type, first);
        long byteCount = byteOffsetOf(type, first + count) - startByte;
        if (type.isQuantized()) {
            BlockCodec codec = BlockCodecs.forType(type);
            withSource(startByte, byteCount, src -> codec.decode(src, 0, dst, dstOffset, count / type.blockElements()));
        } else if (ElementConversion.canWiden(type)) {
            withSource(startByte, byteCount, src -> ElementConversion.toFloat(type, src, 0, dst, dstOffset, count));
        } else {
            throw new UnsupportedOperationException(name() + ": " + type + " tensors do not convert to float");
        }
    }

    /**
     * {@link #readFloats(long, float[], int, int)} split into block-aligned ranges run on {@code executor} (the
     * common pool if null), for tensors large enough to keep several cores busy; returns when all are done. Ranges
     * smaller than {@value #PARALLEL_MIN_ELEMENTS} elements are not split.
     *
     * @throws java.util.concurrent.CompletionException wrapping what a range threw
     */
    default void readFloats(long first, float[] dst, int offset, int count, java.util.concurrent.Executor executor) {
        checkRange(first, count);
        java.util.Objects.checkFromIndexSize(offset, count, dst.length);
        if (count <= PARALLEL_MIN_ELEMENTS) {
            readFloats(first, dst, offset, count);
            return;
        }
        // chunks of at least 64 Ki elements (256 KiB of floats): tens of microseconds of decoding against well under
        // a microsecond of claiming one
        ParallelChunks.run(count, 1 << 16, dtype().blockElements(), executor,
                (from, to) -> readFloats(first + from, dst, offset + (int) from, (int) (to - from)));
    }

    /**
     * {@link #readFloats(long, MemorySegment, long, int)} split across {@code executor} like the array variant;
     * {@code dst} must be accessible from the executor's threads (not from a confined arena).
     */
    default void readFloats(long first, MemorySegment dst, long dstOffset, int count,
                            java.util.concurrent.Executor executor) {
        checkRange(first, count);
        java.util.Objects.checkFromIndexSize(dstOffset, 4L * count, dst.byteSize());
        if (count <= PARALLEL_MIN_ELEMENTS) {
            readFloats(first, dst, dstOffset, count);
            return;
        }
        // chunks of at least 64 Ki elements (256 KiB of floats): tens of microseconds of decoding against well under
        // a microsecond of claiming one
        ParallelChunks.run(count, 1 << 16, dtype().blockElements(), executor,
                (from, to) -> readFloats(first + from, dst, dstOffset + 4L * from, (int) (to - from)));
    }

    /** Below this many elements {@link #readFloats(long, float[], int, int, java.util.concurrent.Executor)} runs inline. */
    int PARALLEL_MIN_ELEMENTS = 1 << 18;

    /**
     * Rows {@code [from, to)} of the first dimension, without copying where the layout allows.
     *
     * @throws IllegalArgumentException if the tensor is a scalar, the range is outside the first dimension, or
     *     a row is not a whole number of blocks
     */
    default Tensor slice(long from, long to) {
        return SlicedTensor.of(this, from, to);
    }

    /** The values of a {@link DType#STRING} tensor, row-major. */
    default List<String> strings() {
        throw new UnsupportedOperationException(name() + " is a " + dtype() + " tensor, not a STRING tensor");
    }

    private void checkRange(long first, int count) {
        if (first < 0 || count < 0 || first + count > elementCount()) {
            throw new IndexOutOfBoundsException(name() + ": elements [" + first + ", " + (first + count)
                    + ") outside " + elementCount());
        }
    }

    private static long byteOffsetOf(DType type, long element) {
        if (element % type.blockElements() != 0) {
            throw new IllegalArgumentException("element " + element + " is not at the start of a "
                    + type.blockElements() + "-element block of " + type);
        }
        return element / type.blockElements() * type.blockBytes();
    }

    private void withSource(long startByte, long byteCount, java.util.function.Consumer<MemorySegment> body) {
        if (isView()) {
            body.accept(bytes().asSlice(startByte, byteCount));
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tmp = arena.allocate(Math.max(1, byteCount), 8).asSlice(0, byteCount);
            readBytes(startByte, tmp);
            body.accept(tmp);
        }
    }
}
