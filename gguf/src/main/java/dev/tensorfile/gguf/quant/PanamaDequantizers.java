package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.tensorfile.gguf.quant.PanamaSpecies.B;
import static dev.tensorfile.gguf.quant.PanamaSpecies.F;
import static dev.tensorfile.gguf.quant.PanamaSpecies.I;
import static dev.tensorfile.gguf.quant.PanamaSpecies.L;
import static dev.tensorfile.gguf.quant.PanamaSpecies.S;
import static jdk.incubator.vector.VectorOperators.B2F;
import java.nio.ByteOrder;

/**
 * Vector API (Panama) kernels for Q8_0, Q4_0, every K-quant (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K), IQ4_NL and IQ4_XS, into
 * arrays and into segments; every other type uses the plain-Java decoder. Loaded by name from
 * {@link DequantizerChoice} only when {@code jdk.incubator.vector} is present.
 *
 * <p>Bit-identical to {@link ReferenceDequantizers}: the integer codes are exact in any width, and each float result
 * is rounded exactly where the scalar decoder rounds it. Q4_K and Q5_K compute {@code d1 * q - m1} as one
 * {@code fma(q, d1, -m1)}, which is the same number: {@code d1 = d * sc} is exact in float32 (an fp16 11-bit
 * significand times a 6-bit scale: 17 bits), so is {@code d1 * q} (4- or 5-bit q: at most 22 bits of 24, never
 * subnormal), so the scalar decoder's multiply does not round and its subtraction is the one rounding, as in the
 * FMA; {@code x - m1 == x + (-m1)} for every finite pair, signed zeros included. The FMA differs only in which NaN
 * it propagates (the addend's, and {@code -m1} flips a NaN's sign), so a block with a non-finite {@code d} or
 * {@code dmin} (never in a real model) goes to the scalar decoder, one well-predicted branch per 256 outputs.
 * Q2_K does the same ({@code d * sc}: 11 + 4 bits, times a 2-bit q). Q6_K and Q3_K have no subtraction to fuse
 * ({@code (d * sc) * q}). The Vector API never fuses unless asked to with {@code fma}.
 * Species: the preferred float species (L lanes, 8 or 16: AVX2 or AVX-512; a 128-bit machine keeps the scalar
 * decoders, since there is no 32-bit byte shape to widen from); bytes are loaded L at a time.
 *
 * <p>The kernels call the Vector API directly, without small helpers of our own: C2 turns a vector operation into
 * instructions only while the whole call chain down to its {@code VectorSupport} intrinsic stays within
 * {@code MaxInlineLevel} (15) and the compiled graph within its node budget; past either, the operation runs as
 * boxed Java code, 20 to 50 times slower. A kernel is often inlined a few levels deep (codec, lambda), so every
 * level spent here counts. The one helper per block type ({@code scaleCodesK4}, {@code scaleCodesQ3_K}) is small
 * and scalar until its last call. Byte shifts are done on 32-bit lanes ({@code reinterpretAsInts}) and masked
 * after, so that no bit crosses into a neighbouring byte's kept bits: x86 has no byte shift (a byte-lane shift
 * costs four instructions), and C2 emits a 32-bit shift by a constant as one instruction with an immediate,
 * where a 16-bit one takes the count from a vector register (two more instructions each, and a register per
 * count held across the loop): Q3_K 16% faster for this change alone, Q6_K 18% and Q2_K 15% (their byte-lane
 * shifts before), IQ4_XS 5%.
 *
 * <p>ggml's own kernels, as gcc builds them with {@code -march=native}, contract {@code d1 * q - m1} the same way
 * (by the argument above, with the same result as ours and gguf-py's for finite scales).
 *
 * <p>Measured and kept (thread CPU time, 1 MiB of output, cache resident, AMD Zen 4 with AVX-512): the FMA and the
 * non-finite check, the 32-bit shifts, and Q4_K/Q5_K loops over a slice of exactly the blocks' bytes with offsets from
 * the int block index (as {@code decodeQ8_0}; C2 then hoists the bounds checks): Q5_K into a native segment 35 to 48
 * GB/s, Q4_K 52 to 54, Q2_K's FMA 23 to 25.5 (array); Q5_K's array kernel in 32-byte steps (see there), 33 to 38;
 * Q4_K's array kernel widening bytes before splitting nibbles, 41 to 43.5 against the byte-split FMA kernel (a later
 * run: original kernel 42.2, this one 42.5; the FMA shape had cost the array what this wins back). Into a {@code
 * float[]} the rest changed little: a large float[] starts 16 bytes past a 64-byte line (a G1 humongous object after
 * its 16-byte header), every 512-bit store straddles two lines, and the array kernels run at about three quarters of
 * the segment ones whatever the arithmetic; ggml loses the same way into a buffer at +16 (Q4_K 47 to 43 GB/s, Q5_K 37.5
 * to 34.5, Q8_0 57 to 49). Tried and dropped: 256-bit vectors for the Q8_0 array stores (53 to 49 GB/s); 512-bit
 * arithmetic stored as two 256-bit halves (53 to 40); Q4_K and Q5_K array stores in address order (within noise of the
 * interleaved ones; the Q4_K segment kernel keeps them); Q4_K in 32-byte steps (array 41 to 39, segment 54 to 44: the
 * part extraction costs more than the halved nibble work); Q5_K widened to 32-bit lanes before merging the fifth bit,
 * as Q4_K's array kernel (array 37.5 to 34: twice the 512-bit integer work); a per-sub-block table of the 16 (Q4_K) or
 * 32 (Q5_K) possible outputs, {@code fma(iota, d1, -m1)}, looked up with {@code IntVector.selectFrom} (vpermd/vpermi2d)
 * instead of converting and scaling each code: no gain into an array (Q5_K 34.5 to 32), and the segment kernels of the
 * same JVM fell to half speed (C2's shared Vector API call sites compiled for the other shapes).
 */
final class PanamaDequantizers implements Dequantizers {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    /** 32 bytes: Q5_K's {@code qh}, or the nibbles of two sub-blocks, in one load and one op per step. */
    private static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;

    private PanamaDequantizers() {}

    /** Called reflectively by {@link DequantizerChoice}; refuses vectors other than 256 or 512 bits. */
    static Dequantizers create() {
        PanamaSpecies.requireUsable();
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
            case Q2_K -> PanamaDequantizers::decodeQ2_K;
            case Q3_K -> PanamaDequantizers::decodeQ3_K;
            case Q4_K -> PanamaDequantizers::decodeQ4_K;
            case Q5_K -> PanamaDequantizers::decodeQ5_K;
            case Q6_K -> PanamaDequantizers::decodeQ6_K;
            case IQ4_NL -> PanamaDequantizers::decodeIQ4_NL;
            case IQ4_XS -> PanamaDequantizers::decodeIQ4_XS;
            default -> null;
        };
    }

    @Override
    public BlockDecoder decoder(DType type) {
        return switch (type) {
            case Q8_0 -> PanamaDequantizers::decodeQ8_0;
            case Q4_0 -> PanamaDequantizers::decodeQ4_0;
            case Q2_K -> PanamaDequantizers::decodeQ2_K;
            case Q3_K -> PanamaDequantizers::decodeQ3_K;
            case Q4_K -> PanamaDequantizers::decodeQ4_K;
            case Q5_K -> PanamaDequantizers::decodeQ5_K;
            case Q6_K -> PanamaDequantizers::decodeQ6_K;
            case IQ4_NL -> PanamaDequantizers::decodeIQ4_NL;
            case IQ4_XS -> PanamaDequantizers::decodeIQ4_XS;
            default -> null;
        };
    }

    /**
     * Offsets computed from the int block index over a slice of exactly the blocks' bytes (rather than a long
     * offset stepped by 34): C2 then hoists the per-load bounds checks out of the loop; 15% faster here.
     */
    static void decodeQ8_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        MemorySegment in = x.asSlice(off, 34L * blocks);
        for (int i = 0; i < blocks; i++) {
            long o = 34L * i;
            float d = Bits.fp16(in, o);
            for (int j = 0; j < 32; j += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, in, o + 2 + j, LE).convertShape(B2F, F, 0)).mul(d).intoArray(y, yi + 32 * i + j);
            }
        }
    }

    static void decodeQ4_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        MemorySegment in = x.asSlice(off, 18L * blocks);
        for (int i = 0; i < blocks; i++) {
            long o = 18L * i;
            float d = Bits.fp16(in, o);
            for (int j = 0; j < 16; j += L) {
                ByteVector q = ByteVector.fromMemorySegment(B, in, o + 2 + j, LE);
                ((FloatVector) q.and((byte) 0x0F).sub((byte) 8).convertShape(B2F, F, 0)).mul(d).intoArray(y, yi + 32 * i + j);
                ((FloatVector) q.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).sub((byte) 8)
                        .convertShape(B2F, F, 0)).mul(d).intoArray(y, yi + 32 * i + 16 + j);
            }
        }
    }

    /**
     * The sixteen 6-bit codes of {@code get_scale_min_k4} of the Q4_K/Q5_K block at {@code off}: {@code sc[j]} in
     * byte {@code j}, {@code m[j]} in byte {@code 8 + j}. The twelve scale bytes are read as one long and one int
     * and unpacked four at a time in each 32-bit half (SWAR); the caller widens, converts and scales them as one
     * vector ({@code d * sc} and {@code dmin * m}, the same float products as the scalar decoder): a tenth of the
     * instructions of sixteen scalar decodes.
     */
    private static ByteVector scaleCodesK4(MemorySegment x, long off) {
        long s = x.get(LE_LONG, off + 4);   // scales[0..7]
        long t = x.get(LE_INT, off + 12);   // scales[8..11], sign bits above are masked off below
        // sub-blocks 0..3: the low 6 bits of scales[j] and scales[j + 4]; 4..7: a nibble of scales[j + 4] and
        // the top two bits of scales[j - 4] (sc) or scales[j] (m), moved to bits 4..5 of the same byte
        long sc = (s & 0x3F3F3F3FL) | (((t & 0x0F0F0F0FL) | ((s >>> 2) & 0x30303030L)) << 32);
        long m = ((s >>> 32) & 0x3F3F3F3FL) | ((((t >>> 4) & 0x0F0F0F0FL) | ((s >>> 34) & 0x30303030L)) << 32);
        return LongVector.zero(LongVector.SPECIES_128).withLane(0, sc).withLane(1, m).reinterpretAsBytes();
    }

    /**
     * The sixteen 6-bit scales of the Q3_K block at {@code off}, minus 32, one per byte: the low nibbles are
     * {@code scales[0..7]} (low halves first, then high halves), the top two bits come two at a time from
     * {@code scales[8..11]}. SWAR on one long and one int, as for Q4_K.
     */
    private static ByteVector scaleCodesQ3_K(MemorySegment x, long off) {
        long s = x.get(LE_LONG, off + 96);   // scales[0..7]
        long t = x.get(LE_INT, off + 104);   // scales[8..11]
        long h1 = (t & 0x03030303L) | (((t >>> 2) & 0x03030303L) << 32);
        long h2 = ((t >>> 4) & 0x03030303L) | (((t >>> 6) & 0x03030303L) << 32);
        long lo = (s & 0x0F0F0F0F0F0F0F0FL) | (h1 << 4);
        long hi = ((s >>> 4) & 0x0F0F0F0F0F0F0F0FL) | (h2 << 4);
        return LongVector.zero(LongVector.SPECIES_128).withLane(0, lo).withLane(1, hi).reinterpretAsBytes().sub((byte) 32);
    }

    /**
     * {@code dl * (((q >> shift) & 3) - (hmask bit ? 0 : 4))} as bytes: the two low bits by a 32-bit shift (at
     * most 6, so they stay within their byte) and an AND, the hmask bit moved to bit 2 the same way, then 4
     * subtracted; the product with {@code dl = d * (scale - 32)} is the scalar decoder's. Written out per
     * (128-element half, 2-bit plane) like Q4_K, for the same reason.
     */
    static void decodeQ3_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        float[] dl = new float[16];
        ByteVector next = scaleCodesQ3_K(x, off);
        for (int i = 0; i < blocks; i++, off += 110, yi += 256) {
            ByteVector codes = next;
            next = scaleCodesQ3_K(x, i + 1 < blocks ? off + 110 : off);
            float d = Bits.fp16(x, off + 108);
            for (int p = 0; p < 16 / L; p++) {
                ((FloatVector) codes.convertShape(B2F, F, p)).mul(d).intoArray(dl, p * L);
            }
            // elements 0..31: bits 0..1 of qs[0..31], hmask bit 0
            for (int l = 0; l < 16; l += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 32 + l, LE).and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[0]).intoArray(y, yi + l);
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 48 + l, LE).and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + 16 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[1]).intoArray(y, yi + 16 + l);
            }
            // elements 32..63: bits 2..3 of qs[0..31], hmask bit 1
            for (int l = 0; l < 16; l += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 32 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHL, 1).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[2]).intoArray(y, yi + 32 + l);
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 48 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + 16 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHL, 1).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[3]).intoArray(y, yi + 48 + l);
            }
            // elements 64..95: bits 4..5 of qs[0..31], hmask bit 2
            for (int l = 0; l < 16; l += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 32 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + l, LE).and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[4]).intoArray(y, yi + 64 + l);
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 48 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + 16 + l, LE).and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[5]).intoArray(y, yi + 80 + l);
            }
            // elements 96..127: bits 6..7 of qs[0..31], hmask bit 3
            for (int l = 0; l < 16; l += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 32 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 6).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 1).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[6]).intoArray(y, yi + 96 + l);
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 48 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 6).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + 16 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 1).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[7]).intoArray(y, yi + 112 + l);
            }
            // elements 128..159: bits 0..1 of qs[32..63], hmask bit 4
            for (int l = 0; l < 16; l += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 64 + l, LE).and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[8]).intoArray(y, yi + 128 + l);
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 80 + l, LE).and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + 16 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[9]).intoArray(y, yi + 144 + l);
            }
            // elements 160..191: bits 2..3 of qs[32..63], hmask bit 5
            for (int l = 0; l < 16; l += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 64 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 3).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[10]).intoArray(y, yi + 160 + l);
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 80 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + 16 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 3).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[11]).intoArray(y, yi + 176 + l);
            }
            // elements 192..223: bits 4..5 of qs[32..63], hmask bit 6
            for (int l = 0; l < 16; l += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 64 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[12]).intoArray(y, yi + 192 + l);
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 80 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + 16 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[13]).intoArray(y, yi + 208 + l);
            }
            // elements 224..255: bits 6..7 of qs[32..63], hmask bit 7
            for (int l = 0; l < 16; l += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 64 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 6).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 5).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[14]).intoArray(y, yi + 224 + l);
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 80 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 6).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + 16 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 5).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[15]).intoArray(y, yi + 240 + l);
            }
        }
    }

    /**
     * Per 32 bytes of nibbles (sub-blocks {@code 2p} and {@code 2p + 1}), L bytes at a time: here the bytes are
     * zero-extended to 32-bit lanes first, then the low nibbles are one AND and the high ones one shift (no mask: the
     * lane holds 8 bits), each converted to float; the segment kernel splits them as bytes (an AND; a 32-bit shift and
     * an AND) and sign-extends each. The array shape ran 41 to 43.5 GB/s; the segment kernel in this shape measured
     * within noise, so it stays as it was. {@code dm} holds {@code d * codes} from index 0 and {@code -dmin * codes}
     * (the FMA's addend; {@code (-dmin) * m} is {@code -(dmin * m)} exactly) from 16, so {@code -m1} of sub-block
     * {@code j} sits at {@code 16 + 8 + j} with 16 lanes and {@code 16 + j} with 8 (part 1). The next block's scales
     * are decoded before this block's nibbles, so that their chain of dependent instructions overlaps this block's
     * vector work. The four sub-block pairs are written out: as a loop (or a helper per pair, which C2 stops inlining
     * after two) C2 recomputes range-check bounds per pair, and Q4_K ran at three quarters of ggml's speed.
     */
    static void decodeQ4_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        MemorySegment in = x.asSlice(off, 144L * blocks);
        float[] dm = new float[32];
        ByteVector next = scaleCodesK4(in, 0);
        for (int i = 0; i < blocks; i++) {
            long o = 144L * i;
            int yo = yi + 256 * i;
            ByteVector codes = next;
            next = scaleCodesK4(in, i + 1 < blocks ? o + 144 : o);
            int dd = in.get(LE_INT, o);
            if ((dd & 0x7C00) == 0x7C00 || (dd & 0x7C000000) == 0x7C000000) {
                KQuants.decodeQ4_K(in, o, y, yo, 1);   // a non-finite d or dmin: see the class comment
                continue;
            }
            ((FloatVector) codes.convertShape(B2F, F, 0)).mul(Float.float16ToFloat((short) dd)).intoArray(dm, 0);
            ((FloatVector) codes.convertShape(B2F, F, 16 / L - 1)).mul(-Float.float16ToFloat((short) (dd >>> 16))).intoArray(dm, 16);
            // sub-blocks 0 and 1
            for (int l = 0; l < 32; l += L) {
                IntVector w = (IntVector) ByteVector.fromMemorySegment(B, in, o + 16 + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                ((FloatVector) w.and(0x0F).convert(VectorOperators.I2F, 0)).fma(dm[0], dm[8 + L]).intoArray(y, yo + 0 + l);
                ((FloatVector) w.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dm[1], dm[9 + L]).intoArray(y, yo + 32 + l);
            }
            // sub-blocks 2 and 3
            for (int l = 0; l < 32; l += L) {
                IntVector w = (IntVector) ByteVector.fromMemorySegment(B, in, o + 48 + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                ((FloatVector) w.and(0x0F).convert(VectorOperators.I2F, 0)).fma(dm[2], dm[10 + L]).intoArray(y, yo + 64 + l);
                ((FloatVector) w.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dm[3], dm[11 + L]).intoArray(y, yo + 96 + l);
            }
            // sub-blocks 4 and 5
            for (int l = 0; l < 32; l += L) {
                IntVector w = (IntVector) ByteVector.fromMemorySegment(B, in, o + 80 + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                ((FloatVector) w.and(0x0F).convert(VectorOperators.I2F, 0)).fma(dm[4], dm[12 + L]).intoArray(y, yo + 128 + l);
                ((FloatVector) w.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dm[5], dm[13 + L]).intoArray(y, yo + 160 + l);
            }
            // sub-blocks 6 and 7
            for (int l = 0; l < 32; l += L) {
                IntVector w = (IntVector) ByteVector.fromMemorySegment(B, in, o + 112 + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                ((FloatVector) w.and(0x0F).convert(VectorOperators.I2F, 0)).fma(dm[6], dm[14 + L]).intoArray(y, yo + 192 + l);
                ((FloatVector) w.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dm[7], dm[15 + L]).intoArray(y, yo + 224 + l);
            }
        }
    }

    /**
     * As Q4_K. The fifth bit of sub-block {@code 2p} is bit {@code 2p} of {@code qh[l]}, of sub-block {@code 2p+1}
     * bit {@code 2p+1} (u1, u2 in ggml); each reaches bit 4 by a constant 32-bit shift (left by at most 4 or right
     * by at most 3, so no bit crosses into the neighbouring byte's bit 4) and a byte AND. Into an array, the byte
     * work is done 32 bytes at a time ({@code qh} loaded once per block, each pair's 32 nibble bytes once) and
     * each 32-byte code vector converted in {@code 32 / L} parts: half the byte instructions for two more per part
     * (C2 takes the upper 16 bytes with a byte permute and a blend), 34.5 to 38 GB/s. The segment kernel keeps
     * 16-byte steps: the same change took it from 48 to 44.
     */
    static void decodeQ5_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        MemorySegment in = x.asSlice(off, 176L * blocks);
        float[] dm = new float[32];
        ByteVector next = scaleCodesK4(in, 0);
        for (int i = 0; i < blocks; i++) {
            long o = 176L * i;
            int yo = yi + 256 * i;
            ByteVector codes = next;
            next = scaleCodesK4(in, i + 1 < blocks ? o + 176 : o);
            int dd = in.get(LE_INT, o);
            if ((dd & 0x7C00) == 0x7C00 || (dd & 0x7C000000) == 0x7C000000) {
                KQuants.decodeQ5_K(in, o, y, yo, 1);   // a non-finite d or dmin: see the class comment
                continue;
            }
            ((FloatVector) codes.convertShape(B2F, F, 0)).mul(Float.float16ToFloat((short) dd)).intoArray(dm, 0);
            ((FloatVector) codes.convertShape(B2F, F, 16 / L - 1)).mul(-Float.float16ToFloat((short) (dd >>> 16))).intoArray(dm, 16);
            IntVector h = ByteVector.fromMemorySegment(B32, in, o + 16, LE).reinterpretAsInts();
            // sub-blocks 0 and 1: fifth bits 0 and 1 of qh
            {
                ByteVector v = ByteVector.fromMemorySegment(B32, in, o + 48, LE);
                ByteVector q0 = v.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
                ByteVector q1 = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                        .or(h.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10));
                for (int k = 0; k < 32 / L; k++) {
                    ((FloatVector) q0.convertShape(B2F, F, k)).fma(dm[0], dm[8 + L]).intoArray(y, yo + 0 + k * L);
                }
                for (int k = 0; k < 32 / L; k++) {
                    ((FloatVector) q1.convertShape(B2F, F, k)).fma(dm[1], dm[9 + L]).intoArray(y, yo + 32 + k * L);
                }
            }
            // sub-blocks 2 and 3: fifth bits 2 and 3 of qh
            {
                ByteVector v = ByteVector.fromMemorySegment(B32, in, o + 80, LE);
                ByteVector q0 = v.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x10));
                ByteVector q1 = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                        .or(h.lanewise(VectorOperators.LSHL, 1).reinterpretAsBytes().and((byte) 0x10));
                for (int k = 0; k < 32 / L; k++) {
                    ((FloatVector) q0.convertShape(B2F, F, k)).fma(dm[2], dm[10 + L]).intoArray(y, yo + 64 + k * L);
                }
                for (int k = 0; k < 32 / L; k++) {
                    ((FloatVector) q1.convertShape(B2F, F, k)).fma(dm[3], dm[11 + L]).intoArray(y, yo + 96 + k * L);
                }
            }
            // sub-blocks 4 and 5: fifth bits 4 and 5 of qh
            {
                ByteVector v = ByteVector.fromMemorySegment(B32, in, o + 112, LE);
                ByteVector q0 = v.and((byte) 0x0F).or(h.reinterpretAsBytes().and((byte) 0x10));
                ByteVector q1 = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                        .or(h.lanewise(VectorOperators.LSHR, 1).reinterpretAsBytes().and((byte) 0x10));
                for (int k = 0; k < 32 / L; k++) {
                    ((FloatVector) q0.convertShape(B2F, F, k)).fma(dm[4], dm[12 + L]).intoArray(y, yo + 128 + k * L);
                }
                for (int k = 0; k < 32 / L; k++) {
                    ((FloatVector) q1.convertShape(B2F, F, k)).fma(dm[5], dm[13 + L]).intoArray(y, yo + 160 + k * L);
                }
            }
            // sub-blocks 6 and 7: fifth bits 6 and 7 of qh
            {
                ByteVector v = ByteVector.fromMemorySegment(B32, in, o + 144, LE);
                ByteVector q0 = v.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x10));
                ByteVector q1 = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                        .or(h.lanewise(VectorOperators.LSHR, 3).reinterpretAsBytes().and((byte) 0x10));
                for (int k = 0; k < 32 / L; k++) {
                    ((FloatVector) q0.convertShape(B2F, F, k)).fma(dm[6], dm[14 + L]).intoArray(y, yo + 192 + k * L);
                }
                for (int k = 0; k < 32 / L; k++) {
                    ((FloatVector) q1.convertShape(B2F, F, k)).fma(dm[7], dm[15 + L]).intoArray(y, yo + 224 + k * L);
                }
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
                    ByteVector q1 = lo.and((byte) 0x0F).or(h.reinterpretAsInts().lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30));
                    ByteVector q2 = hi.and((byte) 0x0F).or(h.reinterpretAsInts().lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x30));
                    ByteVector q3 = lo.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).or(h.and((byte) 0x30));
                    ByteVector q4 = hi.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).or(h.reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x30));
                    ((FloatVector) q1.sub((byte) 32).convertShape(B2F, F, 0)).mul(s1).intoArray(y, yi + l);
                    ((FloatVector) q2.sub((byte) 32).convertShape(B2F, F, 0)).mul(s2).intoArray(y, yi + l + 32);
                    ((FloatVector) q3.sub((byte) 32).convertShape(B2F, F, 0)).mul(s3).intoArray(y, yi + l + 64);
                    ((FloatVector) q4.sub((byte) 32).convertShape(B2F, F, 0)).mul(s4).intoArray(y, yi + l + 96);
                }
            }
        }
    }

    /**
     * {@code d * sc} and {@code -dmin * m} of the sixteen 16-element groups of a Q2_K block at {@code off}, in
     * {@code dm[2g]} and {@code dm[2g+1]} (ggml's {@code dl} and {@code -ml}, the FMA's factor and addend).
     */
    static void decodeQ2_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        float[] dm = new float[32];
        for (int i = 0; i < blocks; i++, off += 84, yi += 256) {
            int dd = x.get(LE_INT, off + 80);
            if ((dd & 0x7C00) == 0x7C00 || (dd & 0x7C000000) == 0x7C000000) {
                KQuants.decodeQ2_K(x, off, y, yi, 1);   // a non-finite d or dmin: see the class comment
                continue;
            }
            float d = Float.float16ToFloat((short) dd);
            float negMin = -Float.float16ToFloat((short) (dd >>> 16));
            for (int g = 0; g < 16; g++) {
                int sc = x.get(ValueLayout.JAVA_BYTE, off + g) & 0xFF;
                dm[2 * g] = d * (sc & 0xF);
                dm[2 * g + 1] = negMin * (sc >>> 4);
            }
            for (int n = 0; n < 2; n++) {
                long q = off + 16 + 32L * n;
                for (int l = 0; l < 32; l += L) {
                    ByteVector v = ByteVector.fromMemorySegment(B, x, q + l, LE);
                    int g = 8 * n + l / 16;
                    ((FloatVector) v.and((byte) 3).convertShape(B2F, F, 0)).fma(dm[2 * g], dm[2 * g + 1]).intoArray(y, yi + 128 * n + l);
                    ((FloatVector) v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 3).convertShape(B2F, F, 0)).fma(dm[2 * g + 4], dm[2 * g + 5]).intoArray(y, yi + 128 * n + 32 + l);
                    ((FloatVector) v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 3).convertShape(B2F, F, 0)).fma(dm[2 * g + 8], dm[2 * g + 9]).intoArray(y, yi + 128 * n + 64 + l);
                    ((FloatVector) v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 6).reinterpretAsBytes().and((byte) 3).convertShape(B2F, F, 0)).fma(dm[2 * g + 12], dm[2 * g + 13]).intoArray(y, yi + 128 * n + 96 + l);
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
            ByteVector hi = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).selectFrom(KVALUES);
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
                ByteVector hi = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).selectFrom(KVALUES);
                for (int p = 0; p < 16 / L; p++) {
                    ((FloatVector) lo.convertShape(B2F, F, p)).mul(dl).intoArray(y, yi + p * L);
                    ((FloatVector) hi.convertShape(B2F, F, p)).mul(dl).intoArray(y, yi + 16 + p * L);
                }
            }
        }
    }

    // ---- the same kernels into a MemorySegment (little-endian floats, yi counts floats) ----

    static void decodeQ8_0(MemorySegment x, long off, MemorySegment y, long yi, int blocks) {
        MemorySegment in = x.asSlice(off, 34L * blocks);
        MemorySegment out = y.asSlice(4 * yi, 128L * blocks);
        for (int i = 0; i < blocks; i++) {
            long o = 34L * i;
            float d = Bits.fp16(in, o);
            for (int j = 0; j < 32; j += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, in, o + 2 + j, LE).convertShape(B2F, F, 0)).mul(d).intoMemorySegment(out, 128L * i + 4 * j, LE);
            }
        }
    }

    static void decodeQ4_0(MemorySegment x, long off, MemorySegment y, long yi, int blocks) {
        MemorySegment in = x.asSlice(off, 18L * blocks);
        MemorySegment out = y.asSlice(4 * yi, 128L * blocks);
        for (int i = 0; i < blocks; i++) {
            long o = 18L * i;
            float d = Bits.fp16(in, o);
            for (int j = 0; j < 16; j += L) {
                ByteVector q = ByteVector.fromMemorySegment(B, in, o + 2 + j, LE);
                ((FloatVector) q.and((byte) 0x0F).sub((byte) 8).convertShape(B2F, F, 0)).mul(d).intoMemorySegment(out, 128L * i + 4 * j, LE);
                ((FloatVector) q.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).sub((byte) 8)
                        .convertShape(B2F, F, 0)).mul(d).intoMemorySegment(out, 128L * i + 64 + 4 * j, LE);
            }
        }
    }

    static void decodeQ3_K(MemorySegment x, long off, MemorySegment y, long yi, int blocks) {
        float[] dl = new float[16];
        ByteVector next = scaleCodesQ3_K(x, off);
        for (int i = 0; i < blocks; i++, off += 110, yi += 256) {
            ByteVector codes = next;
            next = scaleCodesQ3_K(x, i + 1 < blocks ? off + 110 : off);
            float d = Bits.fp16(x, off + 108);
            for (int p = 0; p < 16 / L; p++) {
                ((FloatVector) codes.convertShape(B2F, F, p)).mul(d).intoArray(dl, p * L);
            }
            // elements 0..31: bits 0..1 of qs[0..31], hmask bit 0
            for (int l = 0; l < 16; l += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 32 + l, LE).and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[0]).intoMemorySegment(y, 4 * (yi + l), LE);
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 48 + l, LE).and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + 16 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[1]).intoMemorySegment(y, 4 * (yi + 16 + l), LE);
            }
            // elements 32..63: bits 2..3 of qs[0..31], hmask bit 1
            for (int l = 0; l < 16; l += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 32 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHL, 1).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[2]).intoMemorySegment(y, 4 * (yi + 32 + l), LE);
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 48 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + 16 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHL, 1).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[3]).intoMemorySegment(y, 4 * (yi + 48 + l), LE);
            }
            // elements 64..95: bits 4..5 of qs[0..31], hmask bit 2
            for (int l = 0; l < 16; l += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 32 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + l, LE).and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[4]).intoMemorySegment(y, 4 * (yi + 64 + l), LE);
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 48 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + 16 + l, LE).and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[5]).intoMemorySegment(y, 4 * (yi + 80 + l), LE);
            }
            // elements 96..127: bits 6..7 of qs[0..31], hmask bit 3
            for (int l = 0; l < 16; l += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 32 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 6).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 1).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[6]).intoMemorySegment(y, 4 * (yi + 96 + l), LE);
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 48 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 6).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + 16 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 1).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[7]).intoMemorySegment(y, 4 * (yi + 112 + l), LE);
            }
            // elements 128..159: bits 0..1 of qs[32..63], hmask bit 4
            for (int l = 0; l < 16; l += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 64 + l, LE).and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[8]).intoMemorySegment(y, 4 * (yi + 128 + l), LE);
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 80 + l, LE).and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + 16 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[9]).intoMemorySegment(y, 4 * (yi + 144 + l), LE);
            }
            // elements 160..191: bits 2..3 of qs[32..63], hmask bit 5
            for (int l = 0; l < 16; l += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 64 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 3).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[10]).intoMemorySegment(y, 4 * (yi + 160 + l), LE);
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 80 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + 16 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 3).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[11]).intoMemorySegment(y, 4 * (yi + 176 + l), LE);
            }
            // elements 192..223: bits 4..5 of qs[32..63], hmask bit 6
            for (int l = 0; l < 16; l += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 64 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[12]).intoMemorySegment(y, 4 * (yi + 192 + l), LE);
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 80 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + 16 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[13]).intoMemorySegment(y, 4 * (yi + 208 + l), LE);
            }
            // elements 224..255: bits 6..7 of qs[32..63], hmask bit 7
            for (int l = 0; l < 16; l += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 64 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 6).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 5).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[14]).intoMemorySegment(y, 4 * (yi + 224 + l), LE);
                ((FloatVector) ByteVector.fromMemorySegment(B, x, off + 80 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 6).reinterpretAsBytes().and((byte) 3)
                        .or(ByteVector.fromMemorySegment(B, x, off + 16 + l, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 5).reinterpretAsBytes().and((byte) 4))
                        .sub((byte) 4).convertShape(B2F, F, 0)).mul(dl[15]).intoMemorySegment(y, 4 * (yi + 240 + l), LE);
            }
        }
    }

    static void decodeQ4_K(MemorySegment x, long off, MemorySegment y, long yi, int blocks) {
        MemorySegment in = x.asSlice(off, 144L * blocks);
        MemorySegment out = y.asSlice(4 * yi, 1024L * blocks);
        float[] dm = new float[32];
        ByteVector next = scaleCodesK4(in, 0);
        for (int i = 0; i < blocks; i++) {
            long o = 144L * i;
            long yo = 256L * i;
            ByteVector codes = next;
            next = scaleCodesK4(in, i + 1 < blocks ? o + 144 : o);
            int dd = in.get(LE_INT, o);
            if ((dd & 0x7C00) == 0x7C00 || (dd & 0x7C000000) == 0x7C000000) {
                float[] one = new float[256];   // a non-finite d or dmin: see the class comment
                KQuants.decodeQ4_K(in, o, one, 0, 1);
                MemorySegment.copy(one, 0, out, LE_FLOAT, 1024L * i, 256);
                continue;
            }
            ((FloatVector) codes.convertShape(B2F, F, 0)).mul(Float.float16ToFloat((short) dd)).intoArray(dm, 0);
            ((FloatVector) codes.convertShape(B2F, F, 16 / L - 1)).mul(-Float.float16ToFloat((short) (dd >>> 16))).intoArray(dm, 16);
            // sub-blocks 0 and 1
            for (int l = 0; l < 32; l += L) {
                ByteVector v = ByteVector.fromMemorySegment(B, in, o + 16 + l, LE);
                ((FloatVector) v.and((byte) 0x0F).convertShape(B2F, F, 0)).fma(dm[0], dm[8 + L]).intoMemorySegment(out, 4 * (yo + l), LE);
                ((FloatVector) v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                        .convertShape(B2F, F, 0)).fma(dm[1], dm[9 + L]).intoMemorySegment(out, 4 * (yo + 32 + l), LE);
            }
            // sub-blocks 2 and 3
            for (int l = 0; l < 32; l += L) {
                ByteVector v = ByteVector.fromMemorySegment(B, in, o + 48 + l, LE);
                ((FloatVector) v.and((byte) 0x0F).convertShape(B2F, F, 0)).fma(dm[2], dm[10 + L]).intoMemorySegment(out, 4 * (yo + 64 + l), LE);
                ((FloatVector) v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                        .convertShape(B2F, F, 0)).fma(dm[3], dm[11 + L]).intoMemorySegment(out, 4 * (yo + 96 + l), LE);
            }
            // sub-blocks 4 and 5
            for (int l = 0; l < 32; l += L) {
                ByteVector v = ByteVector.fromMemorySegment(B, in, o + 80 + l, LE);
                ((FloatVector) v.and((byte) 0x0F).convertShape(B2F, F, 0)).fma(dm[4], dm[12 + L]).intoMemorySegment(out, 4 * (yo + 128 + l), LE);
                ((FloatVector) v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                        .convertShape(B2F, F, 0)).fma(dm[5], dm[13 + L]).intoMemorySegment(out, 4 * (yo + 160 + l), LE);
            }
            // sub-blocks 6 and 7
            for (int l = 0; l < 32; l += L) {
                ByteVector v = ByteVector.fromMemorySegment(B, in, o + 112 + l, LE);
                ((FloatVector) v.and((byte) 0x0F).convertShape(B2F, F, 0)).fma(dm[6], dm[14 + L]).intoMemorySegment(out, 4 * (yo + 192 + l), LE);
                ((FloatVector) v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                        .convertShape(B2F, F, 0)).fma(dm[7], dm[15 + L]).intoMemorySegment(out, 4 * (yo + 224 + l), LE);
            }
        }
    }

    static void decodeQ5_K(MemorySegment x, long off, MemorySegment y, long yi, int blocks) {
        MemorySegment in = x.asSlice(off, 176L * blocks);
        MemorySegment out = y.asSlice(4 * yi, 1024L * blocks);
        float[] dm = new float[32];
        ByteVector next = scaleCodesK4(in, 0);
        for (int i = 0; i < blocks; i++) {
            long o = 176L * i;
            long yo = 256L * i;
            ByteVector codes = next;
            next = scaleCodesK4(in, i + 1 < blocks ? o + 176 : o);
            int dd = in.get(LE_INT, o);
            if ((dd & 0x7C00) == 0x7C00 || (dd & 0x7C000000) == 0x7C000000) {
                float[] one = new float[256];   // a non-finite d or dmin: see the class comment
                KQuants.decodeQ5_K(in, o, one, 0, 1);
                MemorySegment.copy(one, 0, out, LE_FLOAT, 1024L * i, 256);
                continue;
            }
            ((FloatVector) codes.convertShape(B2F, F, 0)).mul(Float.float16ToFloat((short) dd)).intoArray(dm, 0);
            ((FloatVector) codes.convertShape(B2F, F, 16 / L - 1)).mul(-Float.float16ToFloat((short) (dd >>> 16))).intoArray(dm, 16);
            // sub-blocks 0 and 1: fifth bits 0 and 1 of qh
            for (int l = 0; l < 32; l += L) {
                IntVector h = ByteVector.fromMemorySegment(B, in, o + 16 + l, LE).reinterpretAsInts();
                ByteVector v = ByteVector.fromMemorySegment(B, in, o + 48 + l, LE);
                ((FloatVector) v.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10))
                        .convertShape(B2F, F, 0)).fma(dm[0], dm[8 + L]).intoMemorySegment(out, 4 * (yo + l), LE);
                ((FloatVector) v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                        .or(h.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10))
                        .convertShape(B2F, F, 0)).fma(dm[1], dm[9 + L]).intoMemorySegment(out, 4 * (yo + 32 + l), LE);
            }
            // sub-blocks 2 and 3: fifth bits 2 and 3 of qh
            for (int l = 0; l < 32; l += L) {
                IntVector h = ByteVector.fromMemorySegment(B, in, o + 16 + l, LE).reinterpretAsInts();
                ByteVector v = ByteVector.fromMemorySegment(B, in, o + 80 + l, LE);
                ((FloatVector) v.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x10))
                        .convertShape(B2F, F, 0)).fma(dm[2], dm[10 + L]).intoMemorySegment(out, 4 * (yo + 64 + l), LE);
                ((FloatVector) v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                        .or(h.lanewise(VectorOperators.LSHL, 1).reinterpretAsBytes().and((byte) 0x10))
                        .convertShape(B2F, F, 0)).fma(dm[3], dm[11 + L]).intoMemorySegment(out, 4 * (yo + 96 + l), LE);
            }
            // sub-blocks 4 and 5: fifth bits 4 and 5 of qh
            for (int l = 0; l < 32; l += L) {
                IntVector h = ByteVector.fromMemorySegment(B, in, o + 16 + l, LE).reinterpretAsInts();
                ByteVector v = ByteVector.fromMemorySegment(B, in, o + 112 + l, LE);
                ((FloatVector) v.and((byte) 0x0F).or(h.reinterpretAsBytes().and((byte) 0x10))
                        .convertShape(B2F, F, 0)).fma(dm[4], dm[12 + L]).intoMemorySegment(out, 4 * (yo + 128 + l), LE);
                ((FloatVector) v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                        .or(h.lanewise(VectorOperators.LSHR, 1).reinterpretAsBytes().and((byte) 0x10))
                        .convertShape(B2F, F, 0)).fma(dm[5], dm[13 + L]).intoMemorySegment(out, 4 * (yo + 160 + l), LE);
            }
            // sub-blocks 6 and 7: fifth bits 6 and 7 of qh
            for (int l = 0; l < 32; l += L) {
                IntVector h = ByteVector.fromMemorySegment(B, in, o + 16 + l, LE).reinterpretAsInts();
                ByteVector v = ByteVector.fromMemorySegment(B, in, o + 144 + l, LE);
                ((FloatVector) v.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x10))
                        .convertShape(B2F, F, 0)).fma(dm[6], dm[14 + L]).intoMemorySegment(out, 4 * (yo + 192 + l), LE);
                ((FloatVector) v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                        .or(h.lanewise(VectorOperators.LSHR, 3).reinterpretAsBytes().and((byte) 0x10))
                        .convertShape(B2F, F, 0)).fma(dm[7], dm[15 + L]).intoMemorySegment(out, 4 * (yo + 224 + l), LE);
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
                    ByteVector q1 = lo.and((byte) 0x0F).or(h.reinterpretAsInts().lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30));
                    ByteVector q2 = hi.and((byte) 0x0F).or(h.reinterpretAsInts().lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x30));
                    ByteVector q3 = lo.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).or(h.and((byte) 0x30));
                    ByteVector q4 = hi.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).or(h.reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x30));
                    ((FloatVector) q1.sub((byte) 32).convertShape(B2F, F, 0)).mul(s1).intoMemorySegment(y, 4 * (yi + l), LE);
                    ((FloatVector) q2.sub((byte) 32).convertShape(B2F, F, 0)).mul(s2).intoMemorySegment(y, 4 * (yi + l + 32), LE);
                    ((FloatVector) q3.sub((byte) 32).convertShape(B2F, F, 0)).mul(s3).intoMemorySegment(y, 4 * (yi + l + 64), LE);
                    ((FloatVector) q4.sub((byte) 32).convertShape(B2F, F, 0)).mul(s4).intoMemorySegment(y, 4 * (yi + l + 96), LE);
                }
            }
        }
    }

    static void decodeQ2_K(MemorySegment x, long off, MemorySegment y, long yi, int blocks) {
        float[] dm = new float[32];
        for (int i = 0; i < blocks; i++, off += 84, yi += 256) {
            int dd = x.get(LE_INT, off + 80);
            if ((dd & 0x7C00) == 0x7C00 || (dd & 0x7C000000) == 0x7C000000) {
                float[] one = new float[256];   // a non-finite d or dmin: see the class comment
                KQuants.decodeQ2_K(x, off, one, 0, 1);
                MemorySegment.copy(one, 0, y, LE_FLOAT, 4 * yi, 256);
                continue;
            }
            float d = Float.float16ToFloat((short) dd);
            float negMin = -Float.float16ToFloat((short) (dd >>> 16));
            for (int g = 0; g < 16; g++) {
                int sc = x.get(ValueLayout.JAVA_BYTE, off + g) & 0xFF;
                dm[2 * g] = d * (sc & 0xF);
                dm[2 * g + 1] = negMin * (sc >>> 4);
            }
            for (int n = 0; n < 2; n++) {
                long q = off + 16 + 32L * n;
                for (int l = 0; l < 32; l += L) {
                    ByteVector v = ByteVector.fromMemorySegment(B, x, q + l, LE);
                    int g = 8 * n + l / 16;
                    ((FloatVector) v.and((byte) 3).convertShape(B2F, F, 0)).fma(dm[2 * g], dm[2 * g + 1]).intoMemorySegment(y, 4 * (yi + 128 * n + l), LE);
                    ((FloatVector) v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 3).convertShape(B2F, F, 0)).fma(dm[2 * g + 4], dm[2 * g + 5]).intoMemorySegment(y, 4 * (yi + 128 * n + 32 + l), LE);
                    ((FloatVector) v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 3).convertShape(B2F, F, 0)).fma(dm[2 * g + 8], dm[2 * g + 9]).intoMemorySegment(y, 4 * (yi + 128 * n + 64 + l), LE);
                    ((FloatVector) v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 6).reinterpretAsBytes().and((byte) 3).convertShape(B2F, F, 0)).fma(dm[2 * g + 12], dm[2 * g + 13]).intoMemorySegment(y, 4 * (yi + 128 * n + 96 + l), LE);
                }
            }
        }
    }

    static void decodeIQ4_NL(MemorySegment x, long off, MemorySegment y, long yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 18, yi += 32) {
            float d = Bits.fp16(x, off);
            ByteVector v = ByteVector.fromMemorySegment(ByteVector.SPECIES_128, x, off + 2, LE);
            ByteVector lo = v.and((byte) 0x0F).selectFrom(KVALUES);
            ByteVector hi = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).selectFrom(KVALUES);
            for (int p = 0; p < 16 / L; p++) {
                ((FloatVector) lo.convertShape(B2F, F, p)).mul(d).intoMemorySegment(y, 4 * (yi + p * L), LE);
                ((FloatVector) hi.convertShape(B2F, F, p)).mul(d).intoMemorySegment(y, 4 * (yi + 16 + p * L), LE);
            }
        }
    }

    static void decodeIQ4_XS(MemorySegment x, long off, MemorySegment y, long yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 136) {
            float d = Bits.fp16(x, off);
            int scalesH = Bits.u16(x, off + 2);
            for (int ib = 0; ib < 8; ib++, yi += 32) {
                int ls = ((Bits.u8(x, off + 4 + ib / 2) >>> (4 * (ib % 2))) & 0xF) | (((scalesH >>> (2 * ib)) & 3) << 4);
                float dl = d * (ls - 32);
                ByteVector v = ByteVector.fromMemorySegment(ByteVector.SPECIES_128, x, off + 8 + 16L * ib, LE);
                ByteVector lo = v.and((byte) 0x0F).selectFrom(KVALUES);
                ByteVector hi = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).selectFrom(KVALUES);
                for (int p = 0; p < 16 / L; p++) {
                    ((FloatVector) lo.convertShape(B2F, F, p)).mul(dl).intoMemorySegment(y, 4 * (yi + p * L), LE);
                    ((FloatVector) hi.convertShape(B2F, F, p)).mul(dl).intoMemorySegment(y, 4 * (yi + 16 + p * L), LE);
                }
            }
        }
    }
}
