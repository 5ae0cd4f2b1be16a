package dev.tensorfile.gguf.quant;

import java.lang.foreign.MemorySegment;

/** Like {@link BlockDecoder}, into little-endian float32 values in a segment. */
@FunctionalInterface
interface SegmentDecoder {
    /**
     * Decodes {@code blocks} blocks starting at byte {@code srcOffset} of {@code src} into floats
     * {@code dstIndex, dstIndex + 1, ...} of {@code dst} (byte {@code 4 * dstIndex}).
     */
    void decode(MemorySegment src, long srcOffset, MemorySegment dst, long dstIndex, int blocks);
}
