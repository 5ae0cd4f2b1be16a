package dev.tensorfile.gguf.kernels;

import dev.tensorfile.core.DType;
import dev.tensorfile.gguf.quant.PanamaSpecies;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static dev.tensorfile.gguf.quant.PanamaSpecies.B;
import static dev.tensorfile.gguf.quant.PanamaSpecies.F;
import static dev.tensorfile.gguf.quant.PanamaSpecies.I;
import static dev.tensorfile.gguf.quant.PanamaSpecies.L;
import static dev.tensorfile.gguf.quant.PanamaSpecies.S;
import static jdk.incubator.vector.VectorOperators.B2F;
import static jdk.incubator.vector.VectorOperators.B2I;
import static jdk.incubator.vector.VectorOperators.I2F;

/**
 * The Vector API kernels, loaded by name from {@link DotChoice} only when {@code jdk.incubator.vector} is present.
 *
 * <p>A row is taken {@code 4L} elements at a time ({@code L} float lanes of the preferred species, 8 or 16): four
 * vectors of weights, each decoded from {@code L} bytes of codes (a nibble or a byte per lane, widened to float and
 * scaled exactly as ggml's {@code dequantize_row_*} does: {@code q·d}, or {@code q·(d·sc) − dmin·m} in one fused
 * rounding, which is ggml's value because the product is exact), multiplied with the activations and added into
 * four accumulators by {@link FloatVector#fma}. Element {@code i} lands in lane {@code i mod 4L}; the accumulators
 * are added as {@code (a0+a1)+(a2+a3)} and then across lanes, so {@code h = ceil(n/4L) + 2 + (L − 1)}.
 *
 * <p>Every block size here (32 and 256) is a multiple of {@code L}, so a vector never straddles two blocks or
 * two scales; the scalar types end in masked vectors. The per-vector decoding is a small static method of one
 * level: C2 compiles the Vector API into instructions only while the call chain stays inlined.
 */
final class PanamaDots implements Dots {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    private static final int STEP = 4 * L;
    private static final float HALF_MAGIC = Float.intBitsToFloat(113 << 23);

    private PanamaDots() {}

    /** Called reflectively by {@link DotChoice}; refuses vectors other than 256 or 512 bits. */
    static Dots create() {
        PanamaSpecies.requireUsable();
        return new PanamaDots();
    }

    @Override
    public String name() {
        return "panama";
    }

    @Override
    public String toString() {
        return "panama, " + F.vectorBitSize() + "-bit float vectors, " + L + " lanes";
    }

    @Override
    public long roundings(long n) {
        return (n + STEP - 1) / STEP + 2 + (L - 1);
    }

    @Override
    public DotKernel kernel(DType type) {
        return switch (type) {
            case F32 -> PanamaDots::dotF32;
            case F16 -> PanamaDots::dotF16;
            case BF16 -> PanamaDots::dotBF16;
            case Q8_0 -> PanamaDots::dotQ8_0;
            case Q4_0 -> PanamaDots::dotQ4_0;
            case Q4_K -> PanamaDots::dotQ4_K;
            case Q5_K -> PanamaDots::dotQ5_K;
            case Q6_K -> PanamaDots::dotQ6_K;
            default -> throw new IllegalArgumentException("no kernel for " + type);
        };
    }

    private static float sum(FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3) {
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }

    private static FloatVector xv(float[] x, int at) {
        return FloatVector.fromArray(F, x, at);
    }

    // ---- scalars ----

    private static FloatVector f32(MemorySegment s, long off, int e) {
        return FloatVector.fromMemorySegment(F, s, off + 4L * e, LE);
    }

    private static FloatVector f32(MemorySegment s, long off, int e, int n) {
        return FloatVector.fromMemorySegment(F, s, off + 4L * e, LE, F.indexInRange(e, n));
    }

    private static FloatVector xv(float[] x, int xo, int e, int n) {
        return FloatVector.fromArray(F, x, xo + e, F.indexInRange(e, n));
    }

    static float dotF32(MemorySegment s, long off, int n, float[] x, int xo, Scratch sc) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int e = 0;
        for (; e <= n - STEP; e += STEP) {
            a0 = f32(s, off, e).fma(xv(x, xo + e), a0);
            a1 = f32(s, off, e + L).fma(xv(x, xo + e + L), a1);
            a2 = f32(s, off, e + 2 * L).fma(xv(x, xo + e + 2 * L), a2);
            a3 = f32(s, off, e + 3 * L).fma(xv(x, xo + e + 3 * L), a3);
        }
        if (e < n) {
            a0 = f32(s, off, e, n).fma(xv(x, xo, e, n), a0);
            if (e + L < n) a1 = f32(s, off, e + L, n).fma(xv(x, xo, e + L, n), a1);
            if (e + 2 * L < n) a2 = f32(s, off, e + 2 * L, n).fma(xv(x, xo, e + 2 * L, n), a2);
            if (e + 3 * L < n) a3 = f32(s, off, e + 3 * L, n).fma(xv(x, xo, e + 3 * L, n), a3);
        }
        return sum(a0, a1, a2, a3);
    }

    /** Exact binary16 to binary32 without branches (as core's vector widening): rebias, Inf/NaN, subnormals. */
    private static FloatVector half(ShortVector v) {
        IntVector h = (IntVector) v.convertShape(VectorOperators.S2I, I, 0);
        IntVector o = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
        IntVector exp = o.and(0x0F800000);
        o = o.add(112 << 23);
        o = o.add(112 << 23, exp.eq(0x0F800000));
        IntVector sub = o.add(1 << 23).reinterpretAsFloats().sub(HALF_MAGIC).reinterpretAsInts();
        o = o.blend(sub, exp.eq(0));
        return o.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    private static FloatVector f16(MemorySegment s, long off, int e) {
        return half(ShortVector.fromMemorySegment(S, s, off + 2L * e, LE));
    }

    private static FloatVector f16(MemorySegment s, long off, int e, int n) {
        return half(ShortVector.fromMemorySegment(S, s, off + 2L * e, LE, S.indexInRange(e, n)));
    }

    static float dotF16(MemorySegment s, long off, int n, float[] x, int xo, Scratch sc) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int e = 0;
        for (; e <= n - STEP; e += STEP) {
            a0 = f16(s, off, e).fma(xv(x, xo + e), a0);
            a1 = f16(s, off, e + L).fma(xv(x, xo + e + L), a1);
            a2 = f16(s, off, e + 2 * L).fma(xv(x, xo + e + 2 * L), a2);
            a3 = f16(s, off, e + 3 * L).fma(xv(x, xo + e + 3 * L), a3);
        }
        if (e < n) {
            a0 = f16(s, off, e, n).fma(xv(x, xo, e, n), a0);
            if (e + L < n) a1 = f16(s, off, e + L, n).fma(xv(x, xo, e + L, n), a1);
            if (e + 2 * L < n) a2 = f16(s, off, e + 2 * L, n).fma(xv(x, xo, e + 2 * L, n), a2);
            if (e + 3 * L < n) a3 = f16(s, off, e + 3 * L, n).fma(xv(x, xo, e + 3 * L, n), a3);
        }
        return sum(a0, a1, a2, a3);
    }

    private static FloatVector bf16(ShortVector v) {
        return ((IntVector) v.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static FloatVector bf16(MemorySegment s, long off, int e) {
        return bf16(ShortVector.fromMemorySegment(S, s, off + 2L * e, LE));
    }

    private static FloatVector bf16(MemorySegment s, long off, int e, int n) {
        return bf16(ShortVector.fromMemorySegment(S, s, off + 2L * e, LE, S.indexInRange(e, n)));
    }

    static float dotBF16(MemorySegment s, long off, int n, float[] x, int xo, Scratch sc) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int e = 0;
        for (; e <= n - STEP; e += STEP) {
            a0 = bf16(s, off, e).fma(xv(x, xo + e), a0);
            a1 = bf16(s, off, e + L).fma(xv(x, xo + e + L), a1);
            a2 = bf16(s, off, e + 2 * L).fma(xv(x, xo + e + 2 * L), a2);
            a3 = bf16(s, off, e + 3 * L).fma(xv(x, xo + e + 3 * L), a3);
        }
        if (e < n) {
            a0 = bf16(s, off, e, n).fma(xv(x, xo, e, n), a0);
            if (e + L < n) a1 = bf16(s, off, e + L, n).fma(xv(x, xo, e + L, n), a1);
            if (e + 2 * L < n) a2 = bf16(s, off, e + 2 * L, n).fma(xv(x, xo, e + 2 * L, n), a2);
            if (e + 3 * L < n) a3 = bf16(s, off, e + 3 * L, n).fma(xv(x, xo, e + 3 * L, n), a3);
        }
        return sum(a0, a1, a2, a3);
    }

    // ---- 32-element blocks: element e is code e & 31 of block e >> 5 ----

    /** ggml: {@code y = qs[j] * d}. */
    private static FloatVector q8_0(MemorySegment s, long off, int e) {
        long b = off + 34L * (e >>> 5);
        float d = Float.float16ToFloat(s.get(LE_SHORT, b));
        return ((FloatVector) ByteVector.fromMemorySegment(B, s, b + 2 + (e & 31), LE).convertShape(B2F, F, 0)).mul(d);
    }

    static float dotQ8_0(MemorySegment s, long off, int blocks, float[] x, int xo, Scratch sc) {
        int n = 32 * blocks;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int e = 0;
        if (L == 16) {
            // two blocks per chunk, each scale read once
            for (; e <= n - 64; e += 64, off += 68) {
                float d0 = Float.float16ToFloat(s.get(LE_SHORT, off));
                float d1 = Float.float16ToFloat(s.get(LE_SHORT, off + 34));
                a0 = ((FloatVector) ByteVector.fromMemorySegment(B, s, off + 2, LE).convertShape(B2F, F, 0)).mul(d0).fma(xv(x, xo + e), a0);
                a1 = ((FloatVector) ByteVector.fromMemorySegment(B, s, off + 18, LE).convertShape(B2F, F, 0)).mul(d0).fma(xv(x, xo + e + 16), a1);
                a2 = ((FloatVector) ByteVector.fromMemorySegment(B, s, off + 36, LE).convertShape(B2F, F, 0)).mul(d1).fma(xv(x, xo + e + 32), a2);
                a3 = ((FloatVector) ByteVector.fromMemorySegment(B, s, off + 52, LE).convertShape(B2F, F, 0)).mul(d1).fma(xv(x, xo + e + 48), a3);
            }
            if (e < n) {
                float d0 = Float.float16ToFloat(s.get(LE_SHORT, off));
                a0 = ((FloatVector) ByteVector.fromMemorySegment(B, s, off + 2, LE).convertShape(B2F, F, 0)).mul(d0).fma(xv(x, xo + e), a0);
                a1 = ((FloatVector) ByteVector.fromMemorySegment(B, s, off + 18, LE).convertShape(B2F, F, 0)).mul(d0).fma(xv(x, xo + e + 16), a1);
            }
            return sum(a0, a1, a2, a3);
        }
        for (; e <= n - STEP; e += STEP) {
            a0 = q8_0(s, off, e).fma(xv(x, xo + e), a0);
            a1 = q8_0(s, off, e + L).fma(xv(x, xo + e + L), a1);
            a2 = q8_0(s, off, e + 2 * L).fma(xv(x, xo + e + 2 * L), a2);
            a3 = q8_0(s, off, e + 3 * L).fma(xv(x, xo + e + 3 * L), a3);
        }
        // n is a multiple of 32, so of L: the tail is whole vectors
        if (e < n) a0 = q8_0(s, off, e).fma(xv(x, xo + e), a0);
        if (e + L < n) a1 = q8_0(s, off, e + L).fma(xv(x, xo + e + L), a1);
        if (e + 2 * L < n) a2 = q8_0(s, off, e + 2 * L).fma(xv(x, xo + e + 2 * L), a2);
        return sum(a0, a1, a2, a3);
    }

    /** ggml: {@code y[j] = ((qs[j] & 0xF) - 8) * d}, {@code y[j + 16] = ((qs[j] >> 4) - 8) * d}. */
    private static FloatVector q4_0(MemorySegment s, long off, int e) {
        long b = off + 18L * (e >>> 5);
        int j = e & 31;
        float d = Float.float16ToFloat(s.get(LE_SHORT, b));
        ByteVector q = ByteVector.fromMemorySegment(B, s, b + 2 + (j & 15), LE);
        return ((FloatVector) q.lanewise(VectorOperators.LSHR, (j >>> 4) << 2).and((byte) 0x0F).sub((byte) 8)
                .convertShape(B2F, F, 0)).mul(d);
    }

    static float dotQ4_0(MemorySegment s, long off, int blocks, float[] x, int xo, Scratch sc) {
        int n = 32 * blocks;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int e = 0;
        if (L == 16) {
            // a block is two vectors, its 16 bytes' low nibbles then high nibbles; two blocks per chunk
            for (; e < n; e += 32, off += 18) {
                float d = Float.float16ToFloat(s.get(LE_SHORT, off));
                ByteVector q = ByteVector.fromMemorySegment(B, s, off + 2, LE);
                FloatVector lo = ((FloatVector) q.and((byte) 0x0F).sub((byte) 8).convertShape(B2F, F, 0)).mul(d);
                FloatVector hi = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).convertShape(B2F, F, 0)).mul(d);
                if ((e & 32) == 0) {
                    a0 = lo.fma(xv(x, xo + e), a0);
                    a1 = hi.fma(xv(x, xo + e + 16), a1);
                } else {
                    a2 = lo.fma(xv(x, xo + e), a2);
                    a3 = hi.fma(xv(x, xo + e + 16), a3);
                }
            }
            return sum(a0, a1, a2, a3);
        }
        for (; e <= n - STEP; e += STEP) {
            a0 = q4_0(s, off, e).fma(xv(x, xo + e), a0);
            a1 = q4_0(s, off, e + L).fma(xv(x, xo + e + L), a1);
            a2 = q4_0(s, off, e + 2 * L).fma(xv(x, xo + e + 2 * L), a2);
            a3 = q4_0(s, off, e + 3 * L).fma(xv(x, xo + e + 3 * L), a3);
        }
        if (e < n) a0 = q4_0(s, off, e).fma(xv(x, xo + e), a0);
        if (e + L < n) a1 = q4_0(s, off, e + L).fma(xv(x, xo + e + L), a1);
        if (e + 2 * L < n) a2 = q4_0(s, off, e + 2 * L).fma(xv(x, xo + e + 2 * L), a2);
        return sum(a0, a1, a2, a3);
    }

    // ---- K-quants: 256-element blocks, a multiple of 4L, so chunks never straddle blocks ----

    /**
     * {@code d * sc} and {@code -(dmin * m)} of the eight sub-blocks of a Q4_K/Q5_K block ({@code get_scale_min_k4}),
     * into {@code dm[2j]} and {@code dm[2j+1]}.
     */
    private static void scalesK4(MemorySegment s, long off, float[] dm) {
        float d = Float.float16ToFloat(s.get(LE_SHORT, off));
        float min = Float.float16ToFloat(s.get(LE_SHORT, off + 2));
        // the twelve scale bytes in two loads (a per-byte segment read costs as much as the block's vector work)
        long a = s.get(LE_LONG, off + 4);
        int c = s.get(LE_INT, off + 12);
        for (int j = 0; j < 4; j++) {
            int lo = (int) (a >>> (8 * j)) & 0xFF;
            int mid = (int) (a >>> (32 + 8 * j)) & 0xFF;
            int hi = (c >>> (8 * j)) & 0xFF;
            dm[2 * j] = d * (lo & 63);
            dm[2 * j + 1] = -(min * (mid & 63));
            dm[2 * j + 8] = d * ((hi & 0xF) | ((lo >>> 6) << 4));
            dm[2 * j + 9] = -(min * ((hi >>> 4) | ((mid >>> 6) << 4)));
        }
    }

    /** ggml: {@code y[l] = d1 * (q[l] & 0xF) - m1}, {@code y[l + 32] = d2 * (q[l] >> 4) - m2}; {@code w = e & 255}. */
    private static FloatVector q4_K(MemorySegment s, long off, int w, float[] dm) {
        int is = w >>> 5;
        ByteVector q = ByteVector.fromMemorySegment(B, s, off + 16 + 32 * (w >>> 6) + (w & 31), LE);
        return ((FloatVector) q.lanewise(VectorOperators.LSHR, (is & 1) << 2).and((byte) 0x0F).convertShape(B2F, F, 0))
                .fma(dm[2 * is], dm[2 * is + 1]);
    }

    static float dotQ4_K(MemorySegment s, long off, int blocks, float[] x, int xo, Scratch sc) {
        float[] dm = sc.d;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++, off += 144, xo += 256) {
            scalesK4(s, off, dm);
            if (L == 16) {
                // a sub-block pair is one chunk: low nibbles of bytes 0-15, 16-31, then their high nibbles
                for (int p = 0; p < 4; p++) {
                    long q = off + 16 + 32 * p;
                    int e = xo + 64 * p;
                    float d1 = dm[4 * p], m1 = dm[4 * p + 1], d2 = dm[4 * p + 2], m2 = dm[4 * p + 3];
                    // nibbles taken apart in 32-bit lanes (x86 has no byte shifts): one widening serves both
                    IntVector v0 = (IntVector) ByteVector.fromMemorySegment(B, s, q, LE).convertShape(B2I, I, 0);
                    IntVector v1 = (IntVector) ByteVector.fromMemorySegment(B, s, q + 16, LE).convertShape(B2I, I, 0);
                    a0 = ((FloatVector) v0.and(0x0F).convert(I2F, 0)).fma(d1, m1).fma(xv(x, e), a0);
                    a1 = ((FloatVector) v1.and(0x0F).convert(I2F, 0)).fma(d1, m1).fma(xv(x, e + 16), a1);
                    a2 = ((FloatVector) v0.lanewise(VectorOperators.LSHR, 4).and(0x0F).convert(I2F, 0)).fma(d2, m2).fma(xv(x, e + 32), a2);
                    a3 = ((FloatVector) v1.lanewise(VectorOperators.LSHR, 4).and(0x0F).convert(I2F, 0)).fma(d2, m2).fma(xv(x, e + 48), a3);
                }
            } else {
                for (int c = 0; c < 256; c += STEP) {
                    a0 = q4_K(s, off, c, dm).fma(xv(x, xo + c), a0);
                    a1 = q4_K(s, off, c + L, dm).fma(xv(x, xo + c + L), a1);
                    a2 = q4_K(s, off, c + 2 * L, dm).fma(xv(x, xo + c + 2 * L), a2);
                    a3 = q4_K(s, off, c + 3 * L, dm).fma(xv(x, xo + c + 3 * L), a3);
                }
            }
        }
        return sum(a0, a1, a2, a3);
    }

    /** ggml: the low nibble as Q4_K's, plus bit {@code is} of {@code qh[l]} as the fifth bit. */
    private static FloatVector q5_K(MemorySegment s, long off, int w, float[] dm) {
        int is = w >>> 5;
        int l = w & 31;
        ByteVector ql = ByteVector.fromMemorySegment(B, s, off + 48 + 32 * (w >>> 6) + l, LE);
        ByteVector qh = ByteVector.fromMemorySegment(B, s, off + 16 + l, LE);
        ByteVector q = ql.lanewise(VectorOperators.LSHR, (is & 1) << 2).and((byte) 0x0F)
                .or(qh.lanewise(VectorOperators.LSHR, is).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
        return ((FloatVector) q.convertShape(B2F, F, 0)).fma(dm[2 * is], dm[2 * is + 1]);
    }

    static float dotQ5_K(MemorySegment s, long off, int blocks, float[] x, int xo, Scratch sc) {
        float[] dm = sc.d;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++, off += 176, xo += 256) {
            scalesK4(s, off, dm);
            if (L == 16) {
                // the fifth bits of sub-blocks 2p and 2p+1 are bits 0 and 1 of qh shifted right by 2p
                ByteVector h0 = ByteVector.fromMemorySegment(B, s, off + 16, LE);
                ByteVector h1 = ByteVector.fromMemorySegment(B, s, off + 32, LE);
                for (int p = 0; p < 4; p++) {
                    long q = off + 48 + 32 * p;
                    int e = xo + 64 * p;
                    float d1 = dm[4 * p], m1 = dm[4 * p + 1], d2 = dm[4 * p + 2], m2 = dm[4 * p + 3];
                    ByteVector v0 = ByteVector.fromMemorySegment(B, s, q, LE);
                    ByteVector v1 = ByteVector.fromMemorySegment(B, s, q + 16, LE);
                    ByteVector lo0 = v0.and((byte) 0x0F).or(h0.and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                    ByteVector lo1 = v1.and((byte) 0x0F).or(h1.and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                    ByteVector hi0 = v0.lanewise(VectorOperators.LSHR, 4).or(h0.and((byte) 2).lanewise(VectorOperators.LSHL, 3));
                    ByteVector hi1 = v1.lanewise(VectorOperators.LSHR, 4).or(h1.and((byte) 2).lanewise(VectorOperators.LSHL, 3));
                    a0 = ((FloatVector) lo0.convertShape(B2F, F, 0)).fma(d1, m1).fma(xv(x, e), a0);
                    a1 = ((FloatVector) lo1.convertShape(B2F, F, 0)).fma(d1, m1).fma(xv(x, e + 16), a1);
                    a2 = ((FloatVector) hi0.convertShape(B2F, F, 0)).fma(d2, m2).fma(xv(x, e + 32), a2);
                    a3 = ((FloatVector) hi1.convertShape(B2F, F, 0)).fma(d2, m2).fma(xv(x, e + 48), a3);
                    h0 = h0.lanewise(VectorOperators.LSHR, 2);
                    h1 = h1.lanewise(VectorOperators.LSHR, 2);
                }
            } else {
                for (int c = 0; c < 256; c += STEP) {
                    a0 = q5_K(s, off, c, dm).fma(xv(x, xo + c), a0);
                    a1 = q5_K(s, off, c + L, dm).fma(xv(x, xo + c + L), a1);
                    a2 = q5_K(s, off, c + 2 * L, dm).fma(xv(x, xo + c + 2 * L), a2);
                    a3 = q5_K(s, off, c + 3 * L, dm).fma(xv(x, xo + c + 3 * L), a3);
                }
            }
        }
        return sum(a0, a1, a2, a3);
    }

    /**
     * ggml: element {@code w} of a block is in half {@code n = w >> 7}, quarter {@code k = (w >> 5) & 3}:
     * {@code q = (nibble k >> 1 of ql[64n + 32(k & 1) + l] | bits 2k of qh[32n + l] << 4) - 32}, times
     * {@code d * scales[w >> 4]}.
     */
    private static FloatVector q6_K(MemorySegment s, long off, int w, float d) {
        int n = w >>> 7;
        int k = (w >>> 5) & 3;
        int l = w & 31;
        ByteVector ql = ByteVector.fromMemorySegment(B, s, off + 64 * n + 32 * (k & 1) + l, LE);
        ByteVector qh = ByteVector.fromMemorySegment(B, s, off + 128 + 32 * n + l, LE);
        ByteVector q = ql.lanewise(VectorOperators.LSHR, (k >>> 1) << 2).and((byte) 0x0F)
                .or(qh.lanewise(VectorOperators.LSHR, 2 * k).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                .sub((byte) 32);
        float scale = d * s.get(ValueLayout.JAVA_BYTE, off + 192 + (w >>> 4));
        return ((FloatVector) q.convertShape(B2F, F, 0)).mul(scale);
    }

    static float dotQ6_K(MemorySegment s, long off, int blocks, float[] x, int xo, Scratch sc) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++, off += 210, xo += 256) {
            float d = Float.float16ToFloat(s.get(LE_SHORT, off + 208));
            if (L == 16) {
                // bytes l..l+15 of a half give elements l, 32+l, 64+l, 96+l: lanes l and 32+l of the 64-chunk
                for (int n = 0; n < 2; n++) {
                    for (int l = 0; l < 32; l += 16) {
                        long ql = off + 64 * n + l;
                        long sc8 = off + 192 + 8 * n + l / 16;
                        int e = xo + 128 * n + l;
                        ByteVector lo = ByteVector.fromMemorySegment(B, s, ql, LE);
                        ByteVector hi = ByteVector.fromMemorySegment(B, s, ql + 32, LE);
                        ByteVector h = ByteVector.fromMemorySegment(B, s, off + 128 + 32 * n + l, LE);
                        ByteVector q1 = lo.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHL, 4).and((byte) 0x30)).sub((byte) 32);
                        ByteVector q2 = hi.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHL, 2).and((byte) 0x30)).sub((byte) 32);
                        ByteVector q3 = lo.lanewise(VectorOperators.LSHR, 4).or(h.and((byte) 0x30)).sub((byte) 32);
                        ByteVector q4 = hi.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2).and((byte) 0x30)).sub((byte) 32);
                        float s1 = d * s.get(ValueLayout.JAVA_BYTE, sc8);
                        float s2 = d * s.get(ValueLayout.JAVA_BYTE, sc8 + 2);
                        float s3 = d * s.get(ValueLayout.JAVA_BYTE, sc8 + 4);
                        float s4 = d * s.get(ValueLayout.JAVA_BYTE, sc8 + 6);
                        if (l == 0) {
                            a0 = ((FloatVector) q1.convertShape(B2F, F, 0)).mul(s1).fma(xv(x, e), a0);
                            a2 = ((FloatVector) q2.convertShape(B2F, F, 0)).mul(s2).fma(xv(x, e + 32), a2);
                            a0 = ((FloatVector) q3.convertShape(B2F, F, 0)).mul(s3).fma(xv(x, e + 64), a0);
                            a2 = ((FloatVector) q4.convertShape(B2F, F, 0)).mul(s4).fma(xv(x, e + 96), a2);
                        } else {
                            a1 = ((FloatVector) q1.convertShape(B2F, F, 0)).mul(s1).fma(xv(x, e), a1);
                            a3 = ((FloatVector) q2.convertShape(B2F, F, 0)).mul(s2).fma(xv(x, e + 32), a3);
                            a1 = ((FloatVector) q3.convertShape(B2F, F, 0)).mul(s3).fma(xv(x, e + 64), a1);
                            a3 = ((FloatVector) q4.convertShape(B2F, F, 0)).mul(s4).fma(xv(x, e + 96), a3);
                        }
                    }
                }
            } else {
                for (int c = 0; c < 256; c += STEP) {
                    a0 = q6_K(s, off, c, d).fma(xv(x, xo + c), a0);
                    a1 = q6_K(s, off, c + L, d).fma(xv(x, xo + c + L), a1);
                    a2 = q6_K(s, off, c + 2 * L, d).fma(xv(x, xo + c + 2 * L), a2);
                    a3 = q6_K(s, off, c + 3 * L, d).fma(xv(x, xo + c + 3 * L), a3);
                }
            }
        }
        return sum(a0, a1, a2, a3);
    }
}
