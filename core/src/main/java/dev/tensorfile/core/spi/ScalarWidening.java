package dev.tensorfile.core.spi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The widenings without the Vector API. The loops run over int-indexed staging arrays in methods of their own:
 * C2 vectorises them there (vcvtph2ps for F16), not over segment offsets or inside a large switch.
 */
final class ScalarWidening implements Widening.Kernel {
    static final ScalarWidening INSTANCE = new ScalarWidening();
    private static final int STAGE = 4096;

    private ScalarWidening() {}

    @Override
    public void f16(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count) {
        if (count == 0) return;
        short[] stage = new short[Math.min(count, STAGE)];
        long[] quads = new long[(stage.length + 3) / 4];
        for (int done = 0; done < count; ) {
            int n = Math.min(stage.length, count - done);
            MemorySegment.copy(src, LittleEndian.SHORT, srcOffset + 2L * done, stage, 0, n);
            MemorySegment.copy(stage, 0, MemorySegment.ofArray(quads), LittleEndian.SHORT, 0, n);
            int base = dstOffset + done;
            widen(stage, dst, base, n);
            // NaN payloads as the bits say (numpy's npy_halfbits_to_floatbits, and the vector kernel): the
            // intrinsic (vcvtph2ps) sets the quiet bit of a signalling NaN and the interpreter does not, so the
            // loop above alone would make the result depend on the JIT. Weights rarely hold NaNs, so first a
            // four-halves-per-long pass (which C2 vectorises) says whether any exponent is all ones.
            if (hasInfOrNaN(quads, (n + 3) / 4)) keepNaNPayloads(stage, dst, base, n);
            done += n;
        }
    }

    private static void widen(short[] stage, float[] dst, int base, int n) {
        for (int k = 0; k < n; k++) dst[base + k] = Float.float16ToFloat(stage[k]);
    }

    private static void keepNaNPayloads(short[] stage, float[] dst, int base, int n) {
        for (int k = 0; k < n; k++) {
            int h = stage[k];
            if ((h & 0x7FFF) > 0x7C00) dst[base + k] = Float.intBitsToFloat((h & 0x8000) << 16 | 0x7F800000 | (h & 0x3FF) << 13);
        }
    }

    /** Exponent all ones (an infinity or a NaN) in any of the halves, four per long: the rare case. */
    private static boolean hasInfOrNaN(long[] quads, int count) {
        long lanes = 0;
        for (int k = 0; k < count; k++) lanes |= (quads[k] & 0x7C007C007C007C00L) + 0x0400040004000400L;
        return (lanes & 0x8000800080008000L) != 0;
    }

    @Override
    public void bf16(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count) {
        // Two BF16 values per int read: each becomes the high half of a float's bits (the fastest scalar form
        // measured; the direct intBitsToFloat loop does not vectorise).
        if (count == 0) return;
        int stage = Math.min(count, STAGE);
        int[] pairs = new int[stage / 2];
        int[] bits = new int[stage];
        for (int done = 0; done < count; ) {
            int n = Math.min(stage, count - done);
            int half = n / 2;
            MemorySegment.copy(src, LittleEndian.INT, srcOffset + 2L * done, pairs, 0, half);
            for (int k = 0; k < half; k++) {
                int v = pairs[k];
                bits[2 * k] = v << 16;
                bits[2 * k + 1] = v & 0xFFFF0000;
            }
            if ((n & 1) != 0) bits[n - 1] = src.get(LittleEndian.SHORT, srcOffset + 2L * (done + n - 1)) << 16;
            MemorySegment.copy(MemorySegment.ofArray(bits), ValueLayout.JAVA_FLOAT, 0, dst, dstOffset + done, n);
            done += n;
        }
    }
}
