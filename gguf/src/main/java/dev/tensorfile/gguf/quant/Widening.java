package dev.tensorfile.gguf.quant;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * F16 and BF16 to float32, through the same implementation choice as the block codecs (Vector API when
 * {@code jdk.incubator.vector} is present, scalar otherwise). Exact: every binary16 and bfloat16 value, NaN
 * payloads included, widens to the float32 that {@code Float.float16ToFloat} and {@code bits << 16} give.
 * Sources are little-endian and may start at any byte offset.
 */
public final class Widening {
    private Widening() {}

    /** Widens {@code count} binary16 values starting at byte {@code srcOffset} into {@code dst[dstOffset ...]}. */
    public static void f16ToFloat(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count) {
        check(src, srcOffset, dst, dstOffset, count);
        DequantizerChoice.get().widenF16(src, srcOffset, dst, dstOffset, count);
    }

    /** Widens {@code count} bfloat16 values starting at byte {@code srcOffset} into {@code dst[dstOffset ...]}. */
    public static void bf16ToFloat(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count) {
        check(src, srcOffset, dst, dstOffset, count);
        DequantizerChoice.get().widenBF16(src, srcOffset, dst, dstOffset, count);
    }

    private static void check(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count) {
        Objects.checkFromIndexSize(dstOffset, count, dst.length);
        Objects.checkFromIndexSize(srcOffset, 2L * count, src.byteSize());
    }
}
