package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static jdk.incubator.vector.VectorOperators.B2F;
import java.nio.ByteOrder;

/**
 * Vector API (Panama) kernels for Q8_0, Q4_0, Q2_K, Q4_K, Q5_K, Q6_K, IQ4_NL and IQ4_XS; every other type uses the
 * plain-Java decoder (for Q3_K too: its Vector API kernel, eleven byte-vector operations per 16 outputs, ran as
 * boxed Java code under C2, at a twentieth of the plain-Java speed). Loaded by name from {@link DequantizerChoice} only when {@code jdk.incubator.vector} is present.
 *
 * <p>Bit-identical to {@link ReferenceDequantizers}: the integer codes are exact in any width, and each float result
 * is computed with the same single-rounding operations in the same order ({@code (d*sc)*q}, then {@code - dmin*m}
 * as a separate subtraction; the Vector API never fuses a multiply and an add unless asked to with {@code FMA}).
 * Species: the preferred float species (L lanes, 8 or 16: AVX2 or AVX-512; a 128-bit machine keeps the scalar
 * decoders, since there is no 32-bit byte shape to widen from); bytes are loaded L at a time.
 *
 * <p>The kernels call the Vector API directly, without small helpers of our own: C2 turns a vector operation into
 * instructions only while the whole call chain down to its {@code VectorSupport} intrinsic stays within
 * {@code MaxInlineLevel} (15) and the compiled graph within its node budget; past either, the operation runs as
 * boxed Java code, 20 to 50 times slower. A kernel is often inlined a few levels deep (codec, lambda), so every
 * level spent here counts.
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
    private static final ByteVector SIXTEEN = ByteVector.broadcast(B, (byte) 16);
    private static final float HALF_MAGIC = Float.intBitsToFloat(113 << 23);

    private PanamaDequantizers() {}

    /** Called reflectively by {@link DequantizerChoice}; refuses machines whose vectors are narrower than 128 bits. */
    static Dequantizers create() {
        if (L < 8 || L > 16 || S.length() != L || I.length() != L || B.length() != L) {
            throw new UnsupportedOperationException("preferred vector species " + F + " is not usable (need 256 or 512 bits)");
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
    public SegmentDecoder segmentDecoder(DType type) {
        return switch (type) {
            case Q8_0 -> PanamaDequantizers::decodeQ8_0;
            case Q4_0 -> PanamaDequantizers::decodeQ4_0;
            case Q4_K -> PanamaDequantizers::decodeQ4_K;
            case Q5_K -> PanamaDequantizers::decodeQ5_K;
            case Q6_K -> PanamaDequantizers::decodeQ6_K;
            default -> null;
        };
    }

    @Override
    public BlockDecoder decoder(DType type) {
        return switch (type) {
            case Q8_0 -> PanamaDequantizers::decodeQ8_0;
            case Q4_0 -> PanamaDequantizers::decodeQ4_0;
            case Q2_K -> PanamaDequantizers::decodeQ2_K;
            case Q4_K -> PanamaDequantizers::decodeQ4_K;
            case Q5_K -> PanamaDequantizers::decodeQ5_K;
            case Q6_K -> PanamaDequantizers::decodeQ6_K;
            case IQ4_NL -> PanamaDequantizers::decodeIQ4_NL;
            case IQ4_XS -> PanamaDequantizers::decodeIQ4_XS;
            default -> null;
        };
    }

    static void decodeQ8_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 34, yi += 32) {
            float d = Bits.fp16(x, off);
            for (int j = 0; j < 32; j += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 2 + j, LE).convertShape(B2F, F, 0)).mul(d).intoArray(y, yi + j);
            }
        }
    }

    static void decodeQ4_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 18, yi += 32) {
            float d = Bits.fp16(x, off);
            for (int j = 0; j < 16; j += L) {
                ByteVector q = ByteVector.fromMemorySegment(B, x, off + 2 + j, LE);
                ((FloatVector) q.and((byte) 0x0F).sub((byte) 8).convertShape(B2F, F, 0)).mul(d).intoArray(y, yi + j);
                ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).convertShape(B2F, F, 0)).mul(d).intoArray(y, yi + 16 + j);
            }
        }
    }

    /**
     * {@code d * sc[j]} and {@code dmin * m[j]} of the eight sub-blocks of a Q4_K/Q5_K block at {@code off}
     * ({@code get_scale_min_k4}, same products as the scalar decoder), into {@code dm[2j]} and {@code dm[2j+1]}:
     * the scalar work kept out of the vector loop, which C2 then compiles without branches of its own.
     */
    private static void scalesK4(MemorySegment x, long off, float[] dm) {
        float d = Bits.fp16(x, off);
        float min = Bits.fp16(x, off + 2);
        long q = off + 4;
        for (int j = 0; j < 4; j++) {
            int lo = x.get(ValueLayout.JAVA_BYTE, q + j) & 0xFF;
            int mid = x.get(ValueLayout.JAVA_BYTE, q + j + 4) & 0xFF;
            int hi = x.get(ValueLayout.JAVA_BYTE, q + j + 8) & 0xFF;
            dm[2 * j] = d * (lo & 63);
            dm[2 * j + 1] = min * (mid & 63);
            dm[2 * j + 8] = d * ((hi & 0xF) | ((lo >>> 6) << 4));
            dm[2 * j + 9] = min * ((hi >>> 4) | ((mid >>> 6) << 4));
        }
    }

    static void decodeQ4_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        float[] dm = new float[16];
        for (int i = 0; i < blocks; i++, off += 144) {
            scalesK4(x, off, dm);
            long q = off + 16;
            for (int is = 0; is < 8; is += 2, q += 32, yi += 64) {
                float d1 = dm[2 * is];
                float m1 = dm[2 * is + 1];
                float d2 = dm[2 * is + 2];
                float m2 = dm[2 * is + 3];
                for (int l = 0; l < 32; l += L) {
                    ByteVector v = ByteVector.fromMemorySegment(B, x, q + l, LE);
                    ((FloatVector) v.and((byte) 0x0F).convertShape(B2F, F, 0)).mul(d1).sub(m1).intoArray(y, yi + l);
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convertShape(B2F, F, 0)).mul(d2).sub(m2).intoArray(y, yi + 32 + l);
                }
            }
        }
    }

    /**
     * The fifth bit of sub-block {@code 2j} is bit {@code 2j} of {@code qh[l]}, of sub-block {@code 2j+1} bit
     * {@code 2j+1} (u1, u2 in ggml); each is moved to bit 4 by a constant shift, so the sub-block pairs are written
     * out (two per loop body: four outputs, the size C2 still compiles whole) instead of looping over them.
     */
    static void decodeQ5_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        float[] dm = new float[16];
        for (int i = 0; i < blocks; i++, off += 176, yi += 256) {
            scalesK4(x, off, dm);
            long qh = off + 16;
            long ql = off + 48;
            for (int l = 0; l < 32; l += L) {
                ByteVector h = ByteVector.fromMemorySegment(B, x, qh + l, LE);
                ByteVector v0 = ByteVector.fromMemorySegment(B, x, ql + l, LE);
                ByteVector v1 = ByteVector.fromMemorySegment(B, x, ql + 32 + l, LE);
                ((FloatVector) v0.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHL, 4).and((byte) 16)).convertShape(B2F, F, 0)).mul(dm[0]).sub(dm[1]).intoArray(y, yi + l);
                ((FloatVector) v0.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHL, 3).and((byte) 16)).convertShape(B2F, F, 0)).mul(dm[2]).sub(dm[3]).intoArray(y, yi + 32 + l);
                ((FloatVector) v1.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHL, 2).and((byte) 16)).convertShape(B2F, F, 0)).mul(dm[4]).sub(dm[5]).intoArray(y, yi + 64 + l);
                ((FloatVector) v1.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHL, 1).and((byte) 16)).convertShape(B2F, F, 0)).mul(dm[6]).sub(dm[7]).intoArray(y, yi + 96 + l);
            }
            for (int l = 0; l < 32; l += L) {
                ByteVector h = ByteVector.fromMemorySegment(B, x, qh + l, LE);
                ByteVector v2 = ByteVector.fromMemorySegment(B, x, ql + 64 + l, LE);
                ByteVector v3 = ByteVector.fromMemorySegment(B, x, ql + 96 + l, LE);
                ((FloatVector) v2.and((byte) 0x0F).or(h.and((byte) 16)).convertShape(B2F, F, 0)).mul(dm[8]).sub(dm[9]).intoArray(y, yi + 128 + l);
                ((FloatVector) v2.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 1).and((byte) 16)).convertShape(B2F, F, 0)).mul(dm[10]).sub(dm[11]).intoArray(y, yi + 160 + l);
                ((FloatVector) v3.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHR, 2).and((byte) 16)).convertShape(B2F, F, 0)).mul(dm[12]).sub(dm[13]).intoArray(y, yi + 192 + l);
                ((FloatVector) v3.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 3).and((byte) 16)).convertShape(B2F, F, 0)).mul(dm[14]).sub(dm[15]).intoArray(y, yi + 224 + l);
            }
        }
    }

    static void decodeQ6_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 210) {
            float d = Bits.fp16(x, off + 208);
            for (int n = 0; n < 2; n++, yi += 128) {
                long ql = off + 64L * n;
                long qh = off + 128 + 32L * n;
                long sc = off + 192 + 8L * n;
                for (int l = 0; l < 32; l += L) {
                    int is = l / 16;
                    float s1 = d * Bits.i8(x, sc + is);
                    float s2 = d * Bits.i8(x, sc + is + 2);
                    float s3 = d * Bits.i8(x, sc + is + 4);
                    float s4 = d * Bits.i8(x, sc + is + 6);
                    ByteVector lo = ByteVector.fromMemorySegment(B, x, ql + l, LE);
                    ByteVector hi = ByteVector.fromMemorySegment(B, x, ql + l + 32, LE);
                    ByteVector h = ByteVector.fromMemorySegment(B, x, qh + l, LE);
                    // (ql & 15 | (qh bits) << 4) - 32 for the four quarters of 32 weights (q1..q4 in ggml)
                    ByteVector q1 = lo.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHL, 4).and((byte) 0x30));
                    ByteVector q2 = hi.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHL, 2).and((byte) 0x30));
                    ByteVector q3 = lo.lanewise(VectorOperators.LSHR, 4).or(h.and((byte) 0x30));
                    ByteVector q4 = hi.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2).and((byte) 0x30));
                    ((FloatVector) q1.sub((byte) 32).convertShape(B2F, F, 0)).mul(s1).intoArray(y, yi + l);
                    ((FloatVector) q2.sub((byte) 32).convertShape(B2F, F, 0)).mul(s2).intoArray(y, yi + l + 32);
                    ((FloatVector) q3.sub((byte) 32).convertShape(B2F, F, 0)).mul(s3).intoArray(y, yi + l + 64);
                    ((FloatVector) q4.sub((byte) 32).convertShape(B2F, F, 0)).mul(s4).intoArray(y, yi + l + 96);
                }
            }
        }
    }

    /**
     * {@code d * sc} and {@code dmin * m} of the sixteen 16-element groups of a Q2_K block at {@code off}, in
     * {@code dm[2g]} and {@code dm[2g+1]} (ggml's {@code dl} and {@code ml}).
     */
    static void decodeQ2_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        float[] dm = new float[32];
        for (int i = 0; i < blocks; i++, off += 84, yi += 256) {
            float d = Bits.fp16(x, off + 80);
            float min = Bits.fp16(x, off + 82);
            for (int g = 0; g < 16; g++) {
                int sc = x.get(ValueLayout.JAVA_BYTE, off + g) & 0xFF;
                dm[2 * g] = d * (sc & 0xF);
                dm[2 * g + 1] = min * (sc >>> 4);
            }
            for (int n = 0; n < 2; n++) {
                long q = off + 16 + 32L * n;
                for (int l = 0; l < 32; l += L) {
                    ByteVector v = ByteVector.fromMemorySegment(B, x, q + l, LE);
                    int g = 8 * n + l / 16;
                    ((FloatVector) v.and((byte) 3).convertShape(B2F, F, 0)).mul(dm[2 * g]).sub(dm[2 * g + 1]).intoArray(y, yi + 128 * n + l);
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 2).and((byte) 3).convertShape(B2F, F, 0)).mul(dm[2 * g + 4]).sub(dm[2 * g + 5]).intoArray(y, yi + 128 * n + 32 + l);
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).and((byte) 3).convertShape(B2F, F, 0)).mul(dm[2 * g + 8]).sub(dm[2 * g + 9]).intoArray(y, yi + 128 * n + 64 + l);
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 6).and((byte) 3).convertShape(B2F, F, 0)).mul(dm[2 * g + 12]).sub(dm[2 * g + 13]).intoArray(y, yi + 128 * n + 96 + l);
                }
            }
        }
    }

    /** {@code kvalues_iq4nl} in the 16 lanes of a 128-bit vector, looked up by nibble with {@code selectFrom}. */
    private static final ByteVector KVALUES = ByteVector.fromArray(ByteVector.SPECIES_128, NonLinearQuants.KVALUES_IQ4NL, 0);

    static void decodeIQ4_NL(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 18, yi += 32) {
            float d = Bits.fp16(x, off);
            ByteVector v = ByteVector.fromMemorySegment(ByteVector.SPECIES_128, x, off + 2, LE);
            ByteVector lo = v.and((byte) 0x0F).selectFrom(KVALUES);
            ByteVector hi = v.lanewise(VectorOperators.LSHR, 4).selectFrom(KVALUES);
            for (int p = 0; p < 16 / L; p++) {
                ((FloatVector) lo.convertShape(B2F, F, p)).mul(d).intoArray(y, yi + p * L);
                ((FloatVector) hi.convertShape(B2F, F, p)).mul(d).intoArray(y, yi + 16 + p * L);
            }
        }
    }

    /** ggml: {@code dl * kvalues[q]} with {@code dl = d * (ls - 32)} per 32 elements. */
    static void decodeIQ4_XS(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 136) {
            float d = Bits.fp16(x, off);
            int scalesH = Bits.u16(x, off + 2);
            for (int ib = 0; ib < 8; ib++, yi += 32) {
                int ls = ((Bits.u8(x, off + 4 + ib / 2) >>> (4 * (ib % 2))) & 0xF) | (((scalesH >>> (2 * ib)) & 3) << 4);
                float dl = d * (ls - 32);
                ByteVector v = ByteVector.fromMemorySegment(ByteVector.SPECIES_128, x, off + 8 + 16L * ib, LE);
                ByteVector lo = v.and((byte) 0x0F).selectFrom(KVALUES);
                ByteVector hi = v.lanewise(VectorOperators.LSHR, 4).selectFrom(KVALUES);
                for (int p = 0; p < 16 / L; p++) {
                    ((FloatVector) lo.convertShape(B2F, F, p)).mul(dl).intoArray(y, yi + p * L);
                    ((FloatVector) hi.convertShape(B2F, F, p)).mul(dl).intoArray(y, yi + 16 + p * L);
                }
            }
        }
    }

    // ---- the same kernels into a MemorySegment (little-endian floats, yi counts floats) ----

    static void decodeQ8_0(MemorySegment x, long off, MemorySegment y, long yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 34, yi += 32) {
            float d = Bits.fp16(x, off);
            for (int j = 0; j < 32; j += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 2 + j, LE).convertShape(B2F, F, 0)).mul(d).intoMemorySegment(y, 4 * (yi + j), LE);
            }
        }
    }

    static void decodeQ4_0(MemorySegment x, long off, MemorySegment y, long yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 18, yi += 32) {
            float d = Bits.fp16(x, off);
            for (int j = 0; j < 16; j += L) {
                ByteVector q = ByteVector.fromMemorySegment(B, x, off + 2 + j, LE);
                ((FloatVector) q.and((byte) 0x0F).sub((byte) 8).convertShape(B2F, F, 0)).mul(d).intoMemorySegment(y, 4 * (yi + j), LE);
                ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).convertShape(B2F, F, 0)).mul(d).intoMemorySegment(y, 4 * (yi + 16 + j), LE);
            }
        }
    }

    static void decodeQ4_K(MemorySegment x, long off, MemorySegment y, long yi, int blocks) {
        float[] dm = new float[16];
        for (int i = 0; i < blocks; i++, off += 144) {
            scalesK4(x, off, dm);
            long q = off + 16;
            for (int is = 0; is < 8; is += 2, q += 32, yi += 64) {
                float d1 = dm[2 * is];
                float m1 = dm[2 * is + 1];
                float d2 = dm[2 * is + 2];
                float m2 = dm[2 * is + 3];
                for (int l = 0; l < 32; l += L) {
                    ByteVector v = ByteVector.fromMemorySegment(B, x, q + l, LE);
                    ((FloatVector) v.and((byte) 0x0F).convertShape(B2F, F, 0)).mul(d1).sub(m1).intoMemorySegment(y, 4 * (yi + l), LE);
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convertShape(B2F, F, 0)).mul(d2).sub(m2).intoMemorySegment(y, 4 * (yi + 32 + l), LE);
                }
            }
        }
    }

    static void decodeQ5_K(MemorySegment x, long off, MemorySegment y, long yi, int blocks) {
        float[] dm = new float[16];
        for (int i = 0; i < blocks; i++, off += 176, yi += 256) {
            scalesK4(x, off, dm);
            long qh = off + 16;
            long ql = off + 48;
            for (int l = 0; l < 32; l += L) {
                ByteVector h = ByteVector.fromMemorySegment(B, x, qh + l, LE);
                ByteVector v0 = ByteVector.fromMemorySegment(B, x, ql + l, LE);
                ByteVector v1 = ByteVector.fromMemorySegment(B, x, ql + 32 + l, LE);
                ((FloatVector) v0.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHL, 4).and((byte) 16)).convertShape(B2F, F, 0)).mul(dm[0]).sub(dm[1]).intoMemorySegment(y, 4 * (yi + l), LE);
                ((FloatVector) v0.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHL, 3).and((byte) 16)).convertShape(B2F, F, 0)).mul(dm[2]).sub(dm[3]).intoMemorySegment(y, 4 * (yi + 32 + l), LE);
                ((FloatVector) v1.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHL, 2).and((byte) 16)).convertShape(B2F, F, 0)).mul(dm[4]).sub(dm[5]).intoMemorySegment(y, 4 * (yi + 64 + l), LE);
                ((FloatVector) v1.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHL, 1).and((byte) 16)).convertShape(B2F, F, 0)).mul(dm[6]).sub(dm[7]).intoMemorySegment(y, 4 * (yi + 96 + l), LE);
            }
            for (int l = 0; l < 32; l += L) {
                ByteVector h = ByteVector.fromMemorySegment(B, x, qh + l, LE);
                ByteVector v2 = ByteVector.fromMemorySegment(B, x, ql + 64 + l, LE);
                ByteVector v3 = ByteVector.fromMemorySegment(B, x, ql + 96 + l, LE);
                ((FloatVector) v2.and((byte) 0x0F).or(h.and((byte) 16)).convertShape(B2F, F, 0)).mul(dm[8]).sub(dm[9]).intoMemorySegment(y, 4 * (yi + 128 + l), LE);
                ((FloatVector) v2.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 1).and((byte) 16)).convertShape(B2F, F, 0)).mul(dm[10]).sub(dm[11]).intoMemorySegment(y, 4 * (yi + 160 + l), LE);
                ((FloatVector) v3.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHR, 2).and((byte) 16)).convertShape(B2F, F, 0)).mul(dm[12]).sub(dm[13]).intoMemorySegment(y, 4 * (yi + 192 + l), LE);
                ((FloatVector) v3.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 3).and((byte) 16)).convertShape(B2F, F, 0)).mul(dm[14]).sub(dm[15]).intoMemorySegment(y, 4 * (yi + 224 + l), LE);
            }
        }
    }

    static void decodeQ6_K(MemorySegment x, long off, MemorySegment y, long yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 210) {
            float d = Bits.fp16(x, off + 208);
            for (int n = 0; n < 2; n++, yi += 128) {
                long ql = off + 64L * n;
                long qh = off + 128 + 32L * n;
                long sc = off + 192 + 8L * n;
                for (int l = 0; l < 32; l += L) {
                    int is = l / 16;
                    float s1 = d * Bits.i8(x, sc + is);
                    float s2 = d * Bits.i8(x, sc + is + 2);
                    float s3 = d * Bits.i8(x, sc + is + 4);
                    float s4 = d * Bits.i8(x, sc + is + 6);
                    ByteVector lo = ByteVector.fromMemorySegment(B, x, ql + l, LE);
                    ByteVector hi = ByteVector.fromMemorySegment(B, x, ql + l + 32, LE);
                    ByteVector h = ByteVector.fromMemorySegment(B, x, qh + l, LE);
                    // (ql & 15 | (qh bits) << 4) - 32 for the four quarters of 32 weights (q1..q4 in ggml)
                    ByteVector q1 = lo.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHL, 4).and((byte) 0x30));
                    ByteVector q2 = hi.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHL, 2).and((byte) 0x30));
                    ByteVector q3 = lo.lanewise(VectorOperators.LSHR, 4).or(h.and((byte) 0x30));
                    ByteVector q4 = hi.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2).and((byte) 0x30));
                    ((FloatVector) q1.sub((byte) 32).convertShape(B2F, F, 0)).mul(s1).intoMemorySegment(y, 4 * (yi + l), LE);
                    ((FloatVector) q2.sub((byte) 32).convertShape(B2F, F, 0)).mul(s2).intoMemorySegment(y, 4 * (yi + l + 32), LE);
                    ((FloatVector) q3.sub((byte) 32).convertShape(B2F, F, 0)).mul(s3).intoMemorySegment(y, 4 * (yi + l + 64), LE);
                    ((FloatVector) q4.sub((byte) 32).convertShape(B2F, F, 0)).mul(s4).intoMemorySegment(y, 4 * (yi + l + 96), LE);
                }
            }
        }
    }
}
