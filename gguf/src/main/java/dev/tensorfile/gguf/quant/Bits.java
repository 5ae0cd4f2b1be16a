package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.spi.LittleEndian;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Little-endian field access inside ggml blocks, and ggml's scalar conversions ({@code ggml-impl.h}).
 *
 * <p>Every multi-byte field of a GGUF tensor is little-endian (a big-endian GGUF is byte-swapped by its reader
 * before blocks reach a codec), and a block may start at any byte, so all layouts are unaligned.
 */
final class Bits {

    private Bits() {}

    /** Unsigned byte at {@code off}. */
    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    /** Signed byte at {@code off}. */
    static int i8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off);
    }

    /** Unsigned 16-bit little-endian value at {@code off}. */
    static int u16(MemorySegment s, long off) {
        return s.get(LittleEndian.SHORT, off) & 0xFFFF;
    }

    /** 32-bit little-endian value at {@code off}. */
    static int u32(MemorySegment s, long off) {
        return s.get(LittleEndian.INT, off);
    }

    /** {@code GGML_FP16_TO_FP32}: exact widening of the binary16 at {@code off}. */
    static float fp16(MemorySegment s, long off) {
        return Float.float16ToFloat(s.get(LittleEndian.SHORT, off));
    }

    /**
     * binary16 bits to float32 by bit manipulation, as ggml's software {@code ggml_compute_fp16_to_fp32} and numpy's
     * {@code npy_halfbits_to_floatbits} do: NaN payloads are kept as they are, never quieted (the F16C instruction,
     * and so an intrinsified {@code Float.float16ToFloat}, would set the quiet bit, which would make the output
     * depend on the JIT). Equal to {@code Float.float16ToFloat} for every non-NaN input.
     */
    static float halfToFloat(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        if (exp != 0) return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
        float f = mant * 0x1p-24f;   // zero or subnormal: exact
        return Float.intBitsToFloat(sign | Float.floatToRawIntBits(f));
    }

    /** {@code GGML_FP32_TO_FP16}: round to nearest, ties to even (what F16C and ggml's software path do). */
    static short toFp16(float f) {
        return Float.floatToFloat16(f);
    }

    /** {@code GGML_FP16_TO_FP32(GGML_FP32_TO_FP16(f))}: the value a stored half will read back as. */
    static float roundTripFp16(float f) {
        return Float.float16ToFloat(Float.floatToFloat16(f));
    }

    /** {@code ggml_e8m0_to_fp32_half}: 2^(e-128), the MXFP4 scale halved because the E2M1 table is doubled. */
    static float e8m0Half(int e) {
        int bits = e < 2 ? 0x00200000 << e : (e - 1) << 23;
        return Float.intBitsToFloat(bits);
    }

    /**
     * {@code ggml_ue4m3_to_fp32}: NVFP4's unsigned E4M3 scale, halved like {@link #e8m0Half}; 0 and the NaN code
     * 0x7F read as 0 on purpose (ggml-impl.h).
     */
    static float ue4m3Half(int x) {
        if (x == 0 || x == 0x7F) return 0.0f;
        int exp = (x >> 3) & 0xF;
        int man = x & 0x7;
        // ldexpf is exact here: the significands have at most 4 bits and the exponents stay in the normal range.
        float raw = exp == 0 ? Math.scalb((float) man, -9) : Math.scalb(1.0f + (float) man / 8.0f, exp - 7);
        return raw * 0.5f;
    }

    /** {@code nearest_int} of ggml-quants.c: round half to even through the 1.5·2^23 trick. */
    static int nearestInt(float fval) {
        float val = fval + 12582912.f;
        int i = Float.floatToRawIntBits(val);
        return (i & 0x007fffff) - 0x00400000;
    }

    /** C's {@code roundf}: half away from zero. Done in double so that x + 0.5 cannot round up by itself. */
    static float roundf(float x) {
        double r = Math.floor(Math.abs((double) x) + 0.5);
        return (float) Math.copySign(r, x);
    }
}
