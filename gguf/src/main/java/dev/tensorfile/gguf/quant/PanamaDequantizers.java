package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Vector API (Panama) kernels for Q8_0, Q4_0, Q4_K, Q5_K, Q6_K and the F16/BF16 widenings; every other type uses the
 * scalar decoder. Loaded by name from {@link DequantizerChoice} only when {@code jdk.incubator.vector} is present.
 *
 * <p>Bit-identical to {@link ScalarDequantizers}: the integer codes are exact in any width, and each float result
 * is computed with the same single-rounding operations in the same order ({@code (d*sc)*q}, then {@code - dmin*m}
 * as a separate subtraction; the Vector API never fuses a multiply and an add unless asked to with {@code FMA}).
 * Species: the preferred float species (L lanes, 4 to 16); bytes are loaded L at a time (as 8 bytes under a mask
 * when L is 4, because there is no 32-bit vector shape).
 */
final class PanamaDequantizers implements Dequantizers {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S =
            VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, L * 16)));
    private static final VectorSpecies<Byte> B =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    private static final VectorMask<Byte> BMASK = B.length() == L ? null : VectorMask.fromLong(B, (1L << L) - 1);
    private static final float HALF_MAGIC = Float.intBitsToFloat(113 << 23);

    private PanamaDequantizers() {}

    /** Called reflectively by {@link DequantizerChoice}; refuses machines whose vectors are narrower than 128 bits. */
    static Dequantizers create() {
        if (F.vectorBitSize() < 128 || L > 16 || S.length() != L || I.length() != L) {
            throw new UnsupportedOperationException("preferred vector species " + F + " is not usable (need 128 to 512 bits)");
        }
        return new PanamaDequantizers();
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
    public BlockDecoder decoder(DType type) {
        return switch (type) {
            case Q8_0 -> PanamaDequantizers::decodeQ8_0;
            case Q4_0 -> PanamaDequantizers::decodeQ4_0;
            case Q4_K -> PanamaDequantizers::decodeQ4_K;
            case Q5_K -> PanamaDequantizers::decodeQ5_K;
            case Q6_K -> PanamaDequantizers::decodeQ6_K;
            default -> null;
        };
    }

    /** L bytes at {@code off}. */
    private static ByteVector bytes(MemorySegment x, long off) {
        return BMASK == null
                ? ByteVector.fromMemorySegment(B, x, off, LE)
                : ByteVector.fromMemorySegment(B, x, off, LE, BMASK);
    }

    /** The first L byte lanes of {@code v} as floats (exact). */
    private static FloatVector floats(ByteVector v) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
    }

    static void decodeQ8_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 34, yi += 32) {
            float d = Bits.fp16(x, off);
            for (int j = 0; j < 32; j += L) {
                floats(bytes(x, off + 2 + j)).mul(d).intoArray(y, yi + j);
            }
        }
    }

    static void decodeQ4_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 18, yi += 32) {
            float d = Bits.fp16(x, off);
            for (int j = 0; j < 16; j += L) {
                ByteVector q = bytes(x, off + 2 + j);
                floats(q.and((byte) 0x0F).sub((byte) 8)).mul(d).intoArray(y, yi + j);
                floats(q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8)).mul(d).intoArray(y, yi + 16 + j);
            }
        }
    }

    static void decodeQ4_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 144) {
            float d = Bits.fp16(x, off);
            float min = Bits.fp16(x, off + 2);
            long q = off + 16;
            for (int is = 0; is < 8; is += 2, q += 32, yi += 64) {
                int sm = KQuants.scaleMinK4(is, x, off + 4);
                float d1 = d * (sm & 0xFF);
                float m1 = min * (sm >>> 8);
                sm = KQuants.scaleMinK4(is + 1, x, off + 4);
                float d2 = d * (sm & 0xFF);
                float m2 = min * (sm >>> 8);
                for (int l = 0; l < 32; l += L) {
                    ByteVector v = bytes(x, q + l);
                    floats(v.and((byte) 0x0F)).mul(d1).sub(m1).intoArray(y, yi + l);
                    floats(v.lanewise(VectorOperators.LSHR, 4)).mul(d2).sub(m2).intoArray(y, yi + 32 + l);
                }
            }
        }
    }

    static void decodeQ5_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 176) {
            float d = Bits.fp16(x, off);
            float min = Bits.fp16(x, off + 2);
            long qh = off + 16;
            long ql = off + 48;
            for (int is = 0; is < 8; is += 2, ql += 32, yi += 64) {
                int sm = KQuants.scaleMinK4(is, x, off + 4);
                float d1 = d * (sm & 0xFF);
                float m1 = min * (sm >>> 8);
                sm = KQuants.scaleMinK4(is + 1, x, off + 4);
                float d2 = d * (sm & 0xFF);
                float m2 = min * (sm >>> 8);
                for (int l = 0; l < 32; l += L) {
                    ByteVector v = bytes(x, ql + l);
                    ByteVector h = bytes(x, qh + l);
                    // bit `is` of qh[l] is the fifth bit of the first 32, bit `is+1` of the second 32 (u1, u2 in ggml)
                    ByteVector h1 = h.lanewise(VectorOperators.LSHR, is).and((byte) 1).lanewise(VectorOperators.LSHL, 4);
                    ByteVector h2 = h.lanewise(VectorOperators.LSHR, is + 1).and((byte) 1).lanewise(VectorOperators.LSHL, 4);
                    floats(v.and((byte) 0x0F).or(h1)).mul(d1).sub(m1).intoArray(y, yi + l);
                    floats(v.lanewise(VectorOperators.LSHR, 4).or(h2)).mul(d2).sub(m2).intoArray(y, yi + 32 + l);
                }
            }
        }
    }

    static void decodeQ6_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 210) {
            float d = Bits.fp16(x, off + 208);
            long ql = off;
            long qh = off + 128;
            long sc = off + 192;
            for (int n = 0; n < 256; n += 128, yi += 128, ql += 64, qh += 32, sc += 8) {
                for (int l = 0; l < 32; l += L) {
                    int is = l / 16;
                    ByteVector lo = bytes(x, ql + l);
                    ByteVector hi = bytes(x, ql + l + 32);
                    ByteVector h = bytes(x, qh + l);
                    ByteVector q1 = lo.and((byte) 0xF).or(h.and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    ByteVector q2 = hi.and((byte) 0xF).or(h.lanewise(VectorOperators.LSHR, 2).and((byte) 3)
                            .lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    ByteVector q3 = lo.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 4)
                            .and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    ByteVector q4 = hi.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 6)
                            .lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    floats(q1).mul(d * Bits.i8(x, sc + is)).intoArray(y, yi + l);
                    floats(q2).mul(d * Bits.i8(x, sc + is + 2)).intoArray(y, yi + l + 32);
                    floats(q3).mul(d * Bits.i8(x, sc + is + 4)).intoArray(y, yi + l + 64);
                    floats(q4).mul(d * Bits.i8(x, sc + is + 6)).intoArray(y, yi + l + 96);
                }
            }
        }
    }

    @Override
    public void widenF16(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count) {
        int i = 0;
        for (; i <= count - L; i += L) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, src, srcOffset + 2L * i, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            // Exact binary16 -> binary32 without branches (F. Giesen's half_to_float): move exponent and
            // significand into place and rebias; Inf/NaN get the rest of the exponent range; subnormals are
            // renormalised by an exact subtraction of 2^-14.
            IntVector o = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
            IntVector e = o.and(0x0F800000);
            o = o.add(112 << 23);
            o = o.add(112 << 23, e.eq(0x0F800000));
            IntVector sub = o.add(1 << 23).reinterpretAsFloats().sub(HALF_MAGIC).reinterpretAsInts();
            o = o.blend(sub, e.eq(0));
            o.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats().intoArray(dst, dstOffset + i);
        }
        ScalarDequantizers.INSTANCE.widenF16(src, srcOffset + 2L * i, dst, dstOffset + i, count - i);
    }

    @Override
    public void widenBF16(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count) {
        int i = 0;
        for (; i <= count - L; i += L) {
            ((IntVector) ShortVector.fromMemorySegment(S, src, srcOffset + 2L * i, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dstOffset + i);
        }
        ScalarDequantizers.INSTANCE.widenBF16(src, srcOffset + 2L * i, dst, dstOffset + i, count - i);
    }
}
