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

    /**
     * Decodes {@code blocks} blocks starting at byte {@code srcOffset} of {@code src} into little-endian float32
     * values at byte {@code dstOffset} of {@code dst}. By default through a small array, a tile at a time;
     * implementations override it to write the segment directly.
     */
    default void decode(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        int per = dtype().blockElements();
        int tileBlocks = Math.max(1, Math.min(blocks, 4096 / per));
        float[] tile = new float[tileBlocks * per];
        for (int done = 0; done < blocks; done += tileBlocks) {
            int n = Math.min(tileBlocks, blocks - done);
            decode(src, srcOffset + (long) done * dtype().blockBytes(), tile, 0, n);
            MemorySegment.copy(tile, 0, dst, LittleEndian.FLOAT,
                    dstOffset + 4L * done * per, n * per);
        }
    }

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
