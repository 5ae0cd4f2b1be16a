package dev.tensorfile.core.spi;

import dev.tensorfile.core.DType;

import java.lang.foreign.MemorySegment;

/**
 * Decodes (and, where implemented, encodes) one block-quantized {@link DType}. Provided by format modules through
 * {@link BlockCodecProvider}; core finds them through {@link java.util.ServiceLoader}. Implementations are stateless and thread-safe.
 */
public interface BlockCodec {
    /** The block type this codec handles. */
    DType dtype();

    /**
     * Decodes {@code blocks} blocks starting at byte {@code srcOffset} of {@code src} into
     * {@code dst[dstOffset ...]} ({@code blocks × dtype().blockElements()} floats).
     */
    void decode(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int blocks);

    /** True if {@link #encode} is implemented. */
    default boolean canEncode() { return false; }

    /**
     * Quantizes {@code blocks} blocks of floats from {@code src[srcOffset ...]} into byte {@code dstOffset} of
     * {@code dst}.
     */
    default void encode(float[] src, int srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        throw new UnsupportedOperationException("no quantizer for " + dtype());
    }
}
