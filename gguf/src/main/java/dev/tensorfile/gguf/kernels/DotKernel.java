package dev.tensorfile.gguf.kernels;

import java.lang.foreign.MemorySegment;

/** The fused dot product of one element type: the shape of every kernel here. */
@FunctionalInterface
interface DotKernel {
    /**
     * {@code Σ w[i]·x[xOffset + i]} over the {@code blocks} blocks at byte {@code offset} of {@code src} (for
     * F32/F16/BF16, {@code blocks} elements), where {@code w} are the weights ggml's {@code dequantize_row_*} gives;
     * bounds already checked by the caller. {@code scratch} is the calling thread's own.
     */
    float dot(MemorySegment src, long offset, int blocks, float[] x, int xOffset, Scratch scratch);
}
