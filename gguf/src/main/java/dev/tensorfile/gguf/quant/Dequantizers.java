package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;

/**
 * One implementation of the hot path: a decoder per block type (F16/BF16 widening is core's
 * {@link dev.tensorfile.core.spi.Widening}). {@link ReferenceDequantizers} is the specification;
 * {@link StagedDequantizers} (plain Java) and {@code PanamaDequantizers} (Vector API) must produce the same bits. Chosen once by
 * {@link DequantizerChoice}.
 */
interface Dequantizers {
    /** Short name for logs and tests: {@code reference}, {@code scalar} or {@code panama}. */
    String name();

    /** The decoder for {@code type}, or null if this implementation has none (the caller falls back to scalar). */
    BlockDecoder decoder(DType type);

    /**
     * The decoder for {@code type} that writes a {@link java.lang.foreign.MemorySegment} directly, or null: the
     * codec then decodes a tile at a time through a small array (C2 does not vectorise stores into a segment).
     */
    default SegmentDecoder segmentDecoder(DType type) {
        return null;
    }
}
