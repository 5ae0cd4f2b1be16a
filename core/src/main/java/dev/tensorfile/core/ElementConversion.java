package dev.tensorfile.core;

import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.spi.Widening;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Converts elements between their stored form and {@code float}, for every scalar {@link DType}.
 *
 * <p>Widening is exact. Narrowing from float rounds to nearest, ties to even, as PyTorch and numpy do; NaN stays
 * NaN and infinities stay infinite where the target type has them. Sources are little-endian and may start at any
 * byte offset. Sub-byte types are addressed by element index from {@code srcOffset}, which must be the start of a
 * block (a whole byte for {@code F4}/{@code I4}, three bytes for {@code F6_*}). Block-quantized types are the
 * business of {@link dev.tensorfile.core.spi.BlockCodec}s, not of this class.
 */
final class ElementConversion {

    private static final float[] F8_E4M3 = table(256, ElementConversion::e4m3fn);
    private static final float[] F8_E5M2 = table(256, b -> Float.float16ToFloat((short) (b << 8)));
    private static final float[] F8_E4M3FNUZ = table(256, b -> fnuz(b, 4, 3, 8));
    private static final float[] F8_E5M2FNUZ = table(256, b -> fnuz(b, 5, 2, 16));
    private static final float[] F8_E8M0 = table(256, b -> b == 0xFF ? Float.NaN : Math.scalb(1.0f, b - 127));
    private static final float[] F4_E2M1 = table(16, b -> minifloat(b, 2, 1, 1));
    private static final float[] F6_E2M3 = table(64, b -> minifloat(b, 2, 3, 1));
    private static final float[] F6_E3M2 = table(64, b -> minifloat(b, 3, 2, 3));

    private ElementConversion() {}

    /** True if {@link #toFloat} can convert {@code type}: every real scalar, integer and bool type. */
    public static boolean canWiden(DType type) {
        return switch (type.kind()) {
            case FLOAT, SIGNED, UNSIGNED, BOOL -> true;
            case COMPLEX, STRING, QUANTIZED -> false;
        };
    }

    /** True if {@link #fromFloat} can produce {@code type}: F64, F32, F16 and BF16. */
    public static boolean canNarrow(DType type) {
        return type == DType.F64 || type == DType.F32 || type == DType.F16 || type == DType.BF16;
    }

    /**
     * Converts {@code count} elements of {@code type} starting at byte {@code srcOffset} of {@code src} into
     * {@code dst[dstOffset ...]}.
     *
     * @throws UnsupportedOperationException for complex, string and block-quantized types
     */
    public static void toFloat(DType type, MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count) {
        int end = dstOffset + count;
        switch (type) {
            case F32 -> MemorySegment.copy(src, LittleEndian.FLOAT, srcOffset, dst, dstOffset, count);
            case F16 -> Widening.f16ToFloat(src, srcOffset, dst, dstOffset, count);
            case BF16 -> Widening.bf16ToFloat(src, srcOffset, dst, dstOffset, count);
            case F64 -> {
                for (int i = dstOffset; i < end; i++, srcOffset += 8) dst[i] = (float) src.get(LittleEndian.DOUBLE, srcOffset);
            }
            case F8_E4M3 -> lookup(F8_E4M3, src, srcOffset, dst, dstOffset, count);
            case F8_E5M2 -> lookup(F8_E5M2, src, srcOffset, dst, dstOffset, count);
            case F8_E4M3FNUZ -> lookup(F8_E4M3FNUZ, src, srcOffset, dst, dstOffset, count);
            case F8_E5M2FNUZ -> lookup(F8_E5M2FNUZ, src, srcOffset, dst, dstOffset, count);
            case F8_E8M0 -> lookup(F8_E8M0, src, srcOffset, dst, dstOffset, count);
            case F4 -> {
                for (int i = 0; i < count; i++) dst[dstOffset + i] = F4_E2M1[nibble(src, srcOffset, i)];
            }
            case F6_E2M3 -> {
                for (int i = 0; i < count; i++) dst[dstOffset + i] = F6_E2M3[sixBits(src, srcOffset, i)];
            }
            case F6_E3M2 -> {
                for (int i = 0; i < count; i++) dst[dstOffset + i] = F6_E3M2[sixBits(src, srcOffset, i)];
            }
            case I8 -> {
                for (int i = dstOffset; i < end; i++, srcOffset++) dst[i] = src.get(ValueLayout.JAVA_BYTE, srcOffset);
            }
            case U8 -> {
                for (int i = dstOffset; i < end; i++, srcOffset++) dst[i] = src.get(ValueLayout.JAVA_BYTE, srcOffset) & 0xFF;
            }
            case BOOL -> {
                for (int i = dstOffset; i < end; i++, srcOffset++) dst[i] = src.get(ValueLayout.JAVA_BYTE, srcOffset) != 0 ? 1f : 0f;
            }
            case I16 -> {
                for (int i = dstOffset; i < end; i++, srcOffset += 2) dst[i] = src.get(LittleEndian.SHORT, srcOffset);
            }
            case U16 -> {
                for (int i = dstOffset; i < end; i++, srcOffset += 2) dst[i] = src.get(LittleEndian.SHORT, srcOffset) & 0xFFFF;
            }
            case I32 -> {
                for (int i = dstOffset; i < end; i++, srcOffset += 4) dst[i] = src.get(LittleEndian.INT, srcOffset);
            }
            case U32 -> {
                for (int i = dstOffset; i < end; i++, srcOffset += 4) dst[i] = src.get(LittleEndian.INT, srcOffset) & 0xFFFFFFFFL;
            }
            case I64 -> {
                for (int i = dstOffset; i < end; i++, srcOffset += 8) dst[i] = src.get(LittleEndian.LONG, srcOffset);
            }
            case U64 -> {
                for (int i = dstOffset; i < end; i++, srcOffset += 8) dst[i] = unsignedToFloat(src.get(LittleEndian.LONG, srcOffset));
            }
            case I4 -> {
                for (int i = 0; i < count; i++) dst[dstOffset + i] = (nibble(src, srcOffset, i) << 28) >> 28;
            }
            case U4 -> {
                for (int i = 0; i < count; i++) dst[dstOffset + i] = nibble(src, srcOffset, i);
            }
            case I2 -> {
                for (int i = 0; i < count; i++) dst[dstOffset + i] = (twoBits(src, srcOffset, i) << 30) >> 30;
            }
            case U2 -> {
                for (int i = 0; i < count; i++) dst[dstOffset + i] = twoBits(src, srcOffset, i);
            }
            default -> throw new UnsupportedOperationException(type + " does not convert to float element by element");
        }
    }

    /** Converts {@code count} elements into little-endian floats at byte {@code dstOffset} of {@code dst}. */
    public static void toFloat(DType type, MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset,
            int count) {
        if (type == DType.F32) {
            MemorySegment.copy(src, srcOffset, dst, dstOffset, 4L * count);
            return;
        }
        float[] buf = new float[Math.min(count, 8192)];
        int bytesPerBlock = type.blockBytes(), perBlock = type.blockElements();
        for (int done = 0; done < count; ) {
            int n = Math.min(buf.length - buf.length % perBlock, count - done);
            toFloat(type, src, srcOffset + (long) done / perBlock * bytesPerBlock, buf, 0, n);
            MemorySegment.copy(buf, 0, dst, LittleEndian.FLOAT, dstOffset + 4L * done, n);
            done += n;
        }
    }

    /**
     * Converts {@code count} floats into {@code type} (F64, F32, F16 or BF16) at byte {@code dstOffset},
     * rounding to nearest even.
     */
    public static void fromFloat(DType type, float[] src, int srcOffset, MemorySegment dst, long dstOffset, int count) {
        int end = srcOffset + count;
        switch (type) {
            case F32 -> MemorySegment.copy(src, srcOffset, dst, LittleEndian.FLOAT, dstOffset, count);
            case F16 -> {
                for (int i = srcOffset; i < end; i++, dstOffset += 2) dst.set(LittleEndian.SHORT, dstOffset, Float.floatToFloat16(src[i]));
            }
            case BF16 -> {
                for (int i = srcOffset; i < end; i++, dstOffset += 2) dst.set(LittleEndian.SHORT, dstOffset, floatToBFloat16(src[i]));
            }
            case F64 -> {
                for (int i = srcOffset; i < end; i++, dstOffset += 8) dst.set(LittleEndian.DOUBLE, dstOffset, src[i]);
            }
            default -> throw new UnsupportedOperationException("cannot narrow float to " + type);
        }
    }

    /**
     * Reads {@code count} little-endian F64 values as floats rounded to odd: a double that is not a float becomes
     * whichever neighbouring float has an odd last bit. Rounding that float to nearest even again, to F16 or BF16
     * (at most 11 significand bits against float's 24), then gives the correctly rounded result of the double —
     * numpy's direct {@code float64 → float16} — where two roundings to nearest can turn a value just past a tie into
     * the tie itself and land on the wrong side (Boldo and Melquiond, "When double rounding is odd", 2005).
     */
    static void f64ToFloatRoundedToOdd(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count) {
        for (int i = 0; i < count; i++, srcOffset += 8) {
            double d = src.get(LittleEndian.DOUBLE, srcOffset);
            float f = (float) d;
            if (f != d && !Double.isNaN(d) && (Float.floatToRawIntBits(f) & 1) == 0) {
                f = f < d ? Math.nextUp(f) : Math.nextDown(f);
            }
            dst[dstOffset + i] = f;
        }
    }

    /** bfloat16 bits of {@code f}, rounded to nearest even; a NaN stays a quiet NaN with its sign. */
    public static short floatToBFloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7F800000) == 0x7F800000 && (bits & 0x007FFFFF) != 0) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** The float nearest to the unsigned 64-bit value {@code bits}, ties to even. */
    public static float unsignedToFloat(long bits) {
        if (bits >= 0) return bits;
        // Halve with a sticky bit so the single rounding of the cast stays correct, then double exactly.
        return ((float) ((bits >>> 1) | (bits & 1))) * 2f;
    }

    private static void lookup(float[] table, MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count) {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = table[src.get(ValueLayout.JAVA_BYTE, srcOffset + i) & 0xFF];
    }

    private static int nibble(MemorySegment src, long srcOffset, int i) {
        int b = src.get(ValueLayout.JAVA_BYTE, srcOffset + (i >>> 1)) & 0xFF;
        return (i & 1) == 0 ? b & 0x0F : b >>> 4;
    }

    private static int twoBits(MemorySegment src, long srcOffset, int i) {
        int b = src.get(ValueLayout.JAVA_BYTE, srcOffset + (i >>> 2)) & 0xFF;
        return (b >>> ((i & 3) * 2)) & 0x3;
    }

    /** Element i of a little-endian stream of 6-bit fields, the first element in the lowest bits. */
    private static int sixBits(MemorySegment src, long srcOffset, int i) {
        long bit = 6L * i;
        long byteIndex = srcOffset + (bit >>> 3);
        int shift = (int) (bit & 7);
        int lo = src.get(ValueLayout.JAVA_BYTE, byteIndex) & 0xFF;
        int hi = shift > 2 ? src.get(ValueLayout.JAVA_BYTE, byteIndex + 1) & 0xFF : 0;
        return ((lo | (hi << 8)) >>> shift) & 0x3F;
    }

    private interface Decoder { float decode(int bits); }

    private static float[] table(int n, Decoder d) {
        float[] t = new float[n];
        for (int i = 0; i < n; i++) t[i] = d.decode(i);
        return t;
    }

    /** OCP E4M3FN: bias 7, no infinities, S.1111.111 is NaN. */
    private static float e4m3fn(int b) {
        if ((b & 0x7F) == 0x7F) return Float.NaN;
        return minifloat(b, 4, 3, 7);
    }

    /** The FNUZ variants: no negative zero (0x80 is NaN), no infinities. */
    private static float fnuz(int b, int expBits, int mantBits, int bias) {
        if (b == 0x80) return Float.NaN;
        return minifloat(b, expBits, mantBits, bias);
    }

    /** A finite-only minifloat: sign, expBits, mantBits; exponent 0 is subnormal. */
    private static float minifloat(int b, int expBits, int mantBits, int bias) {
        int sign = (b >>> (expBits + mantBits)) & 1;
        int exp = (b >>> mantBits) & ((1 << expBits) - 1);
        int mant = b & ((1 << mantBits) - 1);
        float v = exp == 0
                ? Math.scalb((float) mant, 1 - bias - mantBits)
                : Math.scalb((float) ((1 << mantBits) | mant), exp - bias - mantBits);
        return sign == 1 ? -v : v;
    }
}
