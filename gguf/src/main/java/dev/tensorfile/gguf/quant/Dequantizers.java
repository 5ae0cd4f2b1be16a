package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;

import java.lang.foreign.MemorySegment;

/**
 * One implementation of the hot path: a decoder per block type plus F16/BF16 widening. {@link ScalarDequantizers}
 * is the specification; {@code PanamaDequantizers} (Vector API) must produce the same bits. Chosen once by
 * {@link DequantizerChoice}.
 */
interface Dequantizers {
    /** Short name for logs and tests: {@code scalar} or {@code panama}. */
    String name();

    /** The decoder for {@code type}, or null if this implementation has none (the caller falls back to scalar). */
    BlockDecoder decoder(DType type);

    /** Widens {@code count} binary16 values at byte {@code srcOffset} (little-endian) into {@code dst}. */
    void widenF16(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count);

    /** Widens {@code count} bfloat16 values at byte {@code srcOffset} (little-endian) into {@code dst}. */
    void widenBF16(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count);
}
