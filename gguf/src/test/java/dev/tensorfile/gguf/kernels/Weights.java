package dev.tensorfile.gguf.kernels;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.spi.BlockCodec;
import dev.tensorfile.gguf.quant.GgmlBlockCodecProvider;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Test data and the reference the kernels are held to: the weights of the existing dequantizers (bit-identical to
 * ggml's {@code dequantize_row_*}, proven by the quant tests against gguf-py), dotted in double, and the documented
 * bound.
 */
final class Weights {
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Unit roundoff of float32. */
    static final double U = 0x1p-24;

    private Weights() {}

    /**
     * {@code count} elements of {@code type} (whole blocks) in {@code raw} from {@code at}: random codes with finite,
     * moderate fp16 scales (every code pattern, no overflow), or random normal values for F32/F16/BF16.
     */
    static void fill(byte[] raw, int at, DType type, long count, Random rnd) {
        MemorySegment s = MemorySegment.ofArray(raw);
        switch (type) {
            case F32 -> { for (int i = 0; i < count; i++) s.set(LE_FLOAT, at + 4L * i, (float) rnd.nextGaussian()); }
            case F16 -> { for (int i = 0; i < count; i++) s.set(LE_SHORT, at + 2L * i, Float.floatToFloat16((float) rnd.nextGaussian())); }
            case BF16 -> { for (int i = 0; i < count; i++) s.set(LE_SHORT, at + 2L * i, (short) (Float.floatToRawIntBits((float) rnd.nextGaussian()) >>> 16)); }
            default -> {
                long blocks = count / type.blockElements();
                byte[] codes = new byte[(int) (blocks * type.blockBytes())];
                rnd.nextBytes(codes);
                System.arraycopy(codes, 0, raw, at, codes.length);
                int[] scales = switch (type) {
                    case Q8_0, Q4_0 -> new int[] {0};
                    case Q4_K, Q5_K -> new int[] {0, 2};
                    case Q6_K -> new int[] {208};
                    default -> throw new IllegalArgumentException(type.toString());
                };
                for (long b = 0; b < blocks; b++) {
                    for (int f : scales) {
                        short h = Float.floatToFloat16((rnd.nextFloat() - 0.5f) * 0.02f);
                        s.set(LE_SHORT, at + b * type.blockBytes() + f, h);
                    }
                }
            }
        }
    }

    /** The weights ggml's {@code dequantize_row_*} (or the exact widening of F16/BF16/F32) gives. */
    static float[] dequantize(DType type, MemorySegment src, long offset, int count) {
        float[] w = new float[count];
        switch (type) {
            case F32 -> MemorySegment.copy(src, LE_FLOAT, offset, w, 0, count);
            case F16 -> { for (int i = 0; i < count; i++) w[i] = Float.float16ToFloat(src.get(LE_SHORT, offset + 2L * i)); }
            case BF16 -> { for (int i = 0; i < count; i++) w[i] = Float.intBitsToFloat(src.get(LE_SHORT, offset + 2L * i) << 16); }
            default -> codec(type).decode(src, offset, w, 0, count / type.blockElements());
        }
        return w;
    }

    static BlockCodec codec(DType type) {
        for (BlockCodec c : new GgmlBlockCodecProvider().codecs()) if (c.dtype() == type) return c;
        throw new AssertionError("no codec for " + type);
    }

    /** {@code γ_h = h·u / (1 − h·u)}. */
    static double gamma(long h) {
        return h * U / (1 - h * U);
    }

    /** The bound every implementation is documented to meet: {@code h = ceil(n/32) + 17}. */
    static long documentedRoundings(long n) {
        return (n + 31) / 32 + 17;
    }

    /**
     * Asserts that {@code actual} is {@code Σ w[i]·x[xo+i]} within {@code γ_h Σ|w[i]·x[i]|}, for the documented
     * {@code h} and for the implementation's own (tighter) one.
     */
    static void assertWithinBound(float[] w, float[] x, int xo, float actual, Dots impl, String what) {
        double sum = 0;
        double abs = 0;
        for (int i = 0; i < w.length; i++) {
            double p = (double) w[i] * x[xo + i];   // exact: 24 x 24 bits
            sum += p;
            abs += Math.abs(p);
        }
        // the double sum's own error (at most n·2^-53·Σ|p|) is far below the float32 bound; it is added to be safe
        double slack = w.length * 0x1p-52 * abs;
        double err = Math.abs(actual - sum);
        double documented = gamma(documentedRoundings(w.length)) * abs + slack;
        double own = gamma(impl.roundings(w.length)) * abs + slack;
        if (!(err <= own) || !(err <= documented)) {
            throw new AssertionError(what + ": " + impl.name() + " dot " + actual + ", dequantize-then-dot " + sum
                    + ", error " + err + " > bound " + Math.min(own, documented) + " (Σ|w·x| = " + abs + ", n = "
                    + w.length + ")");
        }
    }
}
