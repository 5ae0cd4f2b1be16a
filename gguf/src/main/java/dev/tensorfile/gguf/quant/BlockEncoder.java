package dev.tensorfile.gguf.quant;

import java.lang.foreign.MemorySegment;

/** Quantizes whole blocks of floats into one ggml type: the shape of every {@code quantize_row_*_ref}. */
@FunctionalInterface
interface BlockEncoder {
    /** Encodes {@code blocks} blocks from {@code src[srcOffset ...]} into byte {@code dstOffset} of {@code dst}. */
    void encode(float[] src, int srcOffset, MemorySegment dst, long dstOffset, int blocks);
}
