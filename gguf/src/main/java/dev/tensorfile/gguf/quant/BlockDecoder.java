package dev.tensorfile.gguf.quant;

import java.lang.foreign.MemorySegment;

/** Dequantizes whole blocks of one ggml type: the shape of every {@code dequantize_row_*} kernel here. */
@FunctionalInterface
interface BlockDecoder {
    /**
     * Decodes {@code blocks} blocks starting at byte {@code srcOffset} of {@code src} into {@code dst[dstOffset ...]}.
     */
    void decode(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int blocks);
}
