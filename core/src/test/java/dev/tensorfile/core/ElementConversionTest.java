package dev.tensorfile.core;

import dev.tensorfile.core.spi.LittleEndian;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Expected values come from the formats' definitions (IEEE 754, OCP 8-bit floating point spec v1.0, OCP MX spec
 * v1.0, the FNUZ definitions in onnx's Float8 documentation), not from this code.
 */
class ElementConversionTest {
    private static float[] widen(DType type, int count, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) b[i] = (byte) bytes[i];
        float[] out = new float[count];
        ElementConversion.toFloat(type, MemorySegment.ofArray(b), 0, out, 0, count);
        return out;
    }

    private static float one(DType type, int bits) { return widen(type, 1, bits)[0]; }

    @Test
    void binary16() {
        assertEquals(1.0f, widen(DType.F16, 1, 0x00, 0x3C)[0]);
        assertEquals(65504f, widen(DType.F16, 1, 0xFF, 0x7B)[0]);
        assertEquals(0x1p-24f, widen(DType.F16, 1, 0x01, 0x00)[0]);
        assertEquals(Float.NEGATIVE_INFINITY, widen(DType.F16, 1, 0x00, 0xFC)[0]);
        assertTrue(Float.isNaN(widen(DType.F16, 1, 0x01, 0x7C)[0]));
    }

    @Test
    void bfloat16() {
        assertEquals(1.0f, widen(DType.BF16, 1, 0x80, 0x3F)[0]);
        assertEquals(-2.0f, widen(DType.BF16, 1, 0x00, 0xC0)[0]);
        assertEquals(Float.POSITIVE_INFINITY, widen(DType.BF16, 1, 0x80, 0x7F)[0]);
    }

    @Test
    void float8E4M3FnHasNoInfinityAndOneNaNPattern() {
        assertEquals(1.0f, one(DType.F8_E4M3, 0x38));
        assertEquals(448f, one(DType.F8_E4M3, 0x7E));
        assertEquals(-448f, one(DType.F8_E4M3, 0xFE));
        assertEquals(0x1p-9f, one(DType.F8_E4M3, 0x01), "smallest subnormal 2^-6 * 1/8");
        assertEquals(0x1p-6f, one(DType.F8_E4M3, 0x08), "smallest normal");
        assertTrue(Float.isNaN(one(DType.F8_E4M3, 0x7F)));
        assertTrue(Float.isNaN(one(DType.F8_E4M3, 0xFF)));
        assertEquals(240f, one(DType.F8_E4M3, 0x77), "0.1110.111 = 1.875 * 2^7 is finite");
    }

    @Test
    void float8E5M2IsTheTopByteOfBinary16() {
        assertEquals(1.0f, one(DType.F8_E5M2, 0x3C));
        assertEquals(57344f, one(DType.F8_E5M2, 0x7B));
        assertEquals(Float.POSITIVE_INFINITY, one(DType.F8_E5M2, 0x7C));
        assertEquals(0x1p-16f, one(DType.F8_E5M2, 0x01));
        assertTrue(Float.isNaN(one(DType.F8_E5M2, 0x7D)));
    }

    @Test
    void fnuzVariantsHaveTheirBiasAndOnlyNaNAt0x80() {
        assertEquals(1.0f, one(DType.F8_E4M3FNUZ, 0x40));
        assertEquals(240f, one(DType.F8_E4M3FNUZ, 0x7F));
        assertEquals(0x1p-10f, one(DType.F8_E4M3FNUZ, 0x01));
        assertTrue(Float.isNaN(one(DType.F8_E4M3FNUZ, 0x80)));
        assertEquals(1.0f, one(DType.F8_E5M2FNUZ, 0x40));
        assertEquals(57344f, one(DType.F8_E5M2FNUZ, 0x7F));
        assertEquals(0x1p-17f, one(DType.F8_E5M2FNUZ, 0x01));
        assertTrue(Float.isNaN(one(DType.F8_E5M2FNUZ, 0x80)));
    }

    @Test
    void e8m0IsAPowerOfTwo() {
        assertEquals(1.0f, one(DType.F8_E8M0, 127));
        assertEquals(0x1p-127f, one(DType.F8_E8M0, 0));
        assertEquals(0x1p127f, one(DType.F8_E8M0, 254));
        assertTrue(Float.isNaN(one(DType.F8_E8M0, 0xFF)));
    }

    @Test
    void fp4E2M1PacksTwoPerByteLowNibbleFirst() {
        assertArrayEquals(new float[] {0.5f, 6.0f}, widen(DType.F4, 2, 0x71));
        assertArrayEquals(new float[] {-6.0f, 1.5f}, widen(DType.F4, 2, 0x3F));
        assertArrayEquals(new float[] {0f, 1f}, widen(DType.F4, 2, 0x20));
        assertArrayEquals(new float[] {2f, 4f}, widen(DType.F4, 2, 0x64));
        assertArrayEquals(new float[] {3f, 1.5f}, widen(DType.F4, 2, 0x35));
    }

    @Test
    void fp6ExtremesFromTheMxSpec() {
        // 4 values in 3 bytes, little-endian bit stream: element 0 in bits 0-5.
        assertEquals(7.5f, widen(DType.F6_E2M3, 4, 0x1F, 0x00, 0x00)[0]);
        assertEquals(28f, widen(DType.F6_E3M2, 4, 0x1F, 0x00, 0x00)[0]);
        assertEquals(0.125f, widen(DType.F6_E2M3, 4, 0x01, 0x00, 0x00)[0], "E2M3 subnormal 1/8");
        float[] four = widen(DType.F6_E2M3, 4, 0x08 | (0x08 << 6) & 0xFF, (0x08 >> 2) | (0x28 << 4) & 0xFF, (0x28 >> 4) | (0x3F << 2));
        assertArrayEquals(new float[] {1f, 1f, -1f, -7.5f}, four);
    }

    @Test
    void integersWidenByValue() {
        assertArrayEquals(new float[] {-1f, 255f}, new float[] {one(DType.I8, 0xFF), one(DType.U8, 0xFF)});
        assertEquals(-32768f, widen(DType.I16, 1, 0x00, 0x80)[0]);
        assertEquals(65535f, widen(DType.U16, 1, 0xFF, 0xFF)[0]);
        assertEquals(4294967295f, widen(DType.U32, 1, 0xFF, 0xFF, 0xFF, 0xFF)[0]);
        assertEquals(0x1p64f, widen(DType.U64, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)[0]);
        assertEquals(-0x1p63f, widen(DType.I64, 1, 0, 0, 0, 0, 0, 0, 0, 0x80)[0]);
        assertArrayEquals(new float[] {-8f, 7f}, widen(DType.I4, 2, 0x78));
        assertArrayEquals(new float[] {1f, -2f, -1f, 0f}, widen(DType.I2, 4, 0b00_11_10_01));
        assertArrayEquals(new float[] {1f, 2f, 3f, 0f}, widen(DType.U2, 4, 0b00_11_10_01));
        assertArrayEquals(new float[] {1f, 0f, 1f}, widen(DType.BOOL, 3, 2, 0, 1));
    }

    @Test
    void unsigned64RoundsToNearestEven() {
        // 2^63 + 2^39 is exactly halfway between the floats 2^63 and 2^63 + 2^40: ties to even -> 2^63.
        assertEquals(0x1p63f, ElementConversion.unsignedToFloat(Long.MIN_VALUE + (1L << 39)));
        // One more than halfway rounds up.
        assertEquals(0x1p63f + 0x1p40f, ElementConversion.unsignedToFloat(Long.MIN_VALUE + (1L << 39) + 1));
    }

    @Test
    void narrowingToBinary16RoundsToNearestEven() {
        short[] got = narrow16(DType.F16, 1f + 0x1p-11f, 1f + 3 * 0x1p-11f, 65519f, 65520f, Float.NaN, -0f, 0x1p-25f, 0x1.8p-25f);
        assertEquals(0x3C00, got[0] & 0xFFFF, "tie to even: stays 1.0");
        assertEquals(0x3C02, got[1] & 0xFFFF, "tie to even: rounds up to mantissa 2");
        assertEquals(0x7BFF, got[2] & 0xFFFF, "65519 -> 65504");
        assertEquals(0x7C00, got[3] & 0xFFFF, "65520 -> +inf");
        assertEquals(0x7C00, got[4] & 0x7C00, "NaN stays NaN");
        assertTrue((got[4] & 0x03FF) != 0);
        assertEquals(0x8000, got[5] & 0xFFFF, "-0 keeps its sign");
        assertEquals(0x0000, got[6] & 0xFFFF, "2^-25 is a tie between 0 and 2^-24: even is 0");
        assertEquals(0x0001, got[7] & 0xFFFF, "above the tie rounds to the smallest subnormal");
    }

    @Test
    void narrowingToBFloat16RoundsToNearestEven() {
        short[] got = narrow16(DType.BF16, 1f + 0x1p-8f, 1f + 3 * 0x1p-8f, Float.MAX_VALUE, Float.NEGATIVE_INFINITY, Float.NaN);
        assertEquals(0x3F80, got[0] & 0xFFFF);
        assertEquals(0x3F82, got[1] & 0xFFFF);
        assertEquals(0x7F80, got[2] & 0xFFFF, "max float rounds to +inf");
        assertEquals(0xFF80, got[3] & 0xFFFF);
        assertEquals(0x7FC0, got[4] & 0xFFFF, "canonical NaN stays a quiet NaN");
    }

    @Test
    void segmentDestinationMatchesArrayDestination() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(64);
            for (int i = 0; i < 64; i++) src.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 37));
            for (DType t : new DType[] {DType.F16, DType.BF16, DType.F8_E4M3, DType.I16, DType.U8, DType.F4, DType.F6_E3M2}) {
                int n = 60 / t.blockBytes() * t.blockElements();
                float[] a = new float[n];
                ElementConversion.toFloat(t, src, 1, a, 0, n);
                MemorySegment dst = arena.allocate(4L * n);
                ElementConversion.toFloat(t, src, 1, dst, 0, n);
                float[] b = dst.toArray(ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN));
                for (int i = 0; i < n; i++) {
                    assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), t + " element " + i);
                }
            }
        }
    }

    private static short[] narrow16(DType type, float... values) {
        MemorySegment out = MemorySegment.ofArray(new short[values.length]);
        ElementConversion.fromFloat(type, values, 0, out, 0, values.length);
        return out.toArray(ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN));
    }

    /** The staged bulk paths (chunks of 4096, pairs of BF16) agree with the definition, at odd counts and offsets. */
    @Test
    void bulkHalfWidthWideningMatchesTheDefinitionElementByElement() {
        int count = 3 * 4096 + 5;
        java.lang.foreign.MemorySegment src = java.lang.foreign.MemorySegment.ofArray(new byte[2 * count + 3]);
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (long i = 0; i < src.byteSize(); i++) src.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
        java.lang.foreign.ValueLayout.OfShort le = LittleEndian.SHORT;
        float[] f16 = new float[count + 2];
        float[] bf16 = new float[count + 2];
        ElementConversion.toFloat(DType.F16, src, 1, f16, 2, count);
        ElementConversion.toFloat(DType.BF16, src, 1, bf16, 2, count);
        for (int i = 0; i < count; i++) {
            short bits = src.get(le, 1 + 2L * i);
            int h = bits & 0xFFFF;
            int want = (h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0
                    ? (h & 0x8000) << 16 | 0x7F800000 | (h & 0x3FF) << 13 // NaN: payload and quiet bit as stored (numpy)
                    : Float.floatToRawIntBits(Float.float16ToFloat(bits));
            assertEquals(want, Float.floatToRawIntBits(f16[2 + i]), "F16 #" + i);
            assertEquals(bits << 16, Float.floatToRawIntBits(bf16[2 + i]), "BF16 #" + i);
        }
    }
}
