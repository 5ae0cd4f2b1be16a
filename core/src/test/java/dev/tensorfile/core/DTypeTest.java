package dev.tensorfile.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DTypeTest {
    /** Block sizes from ggml's static_asserts in ggml-common.h (elements per block, bytes per block). */
    @Test
    void ggmlBlockSizesMatchGgmlCommonH() {
        Object[][] table = {
                {DType.Q4_0, 32, 18}, {DType.Q4_1, 32, 20}, {DType.Q5_0, 32, 22}, {DType.Q5_1, 32, 24},
                {DType.Q8_0, 32, 34}, {DType.Q8_1, 32, 36}, {DType.Q2_K, 256, 84}, {DType.Q3_K, 256, 110},
                {DType.Q4_K, 256, 144}, {DType.Q5_K, 256, 176}, {DType.Q6_K, 256, 210}, {DType.Q8_K, 256, 292},
                {DType.IQ2_XXS, 256, 66}, {DType.IQ2_XS, 256, 74}, {DType.IQ3_XXS, 256, 98}, {DType.IQ1_S, 256, 50},
                {DType.IQ4_NL, 32, 18}, {DType.IQ3_S, 256, 110}, {DType.IQ2_S, 256, 82}, {DType.IQ4_XS, 256, 136},
                {DType.IQ1_M, 256, 56}, {DType.TQ1_0, 256, 54}, {DType.TQ2_0, 256, 66}, {DType.MXFP4, 32, 17},
                {DType.NVFP4, 64, 36}, {DType.Q1_0, 128, 18}, {DType.Q2_0, 64, 18},
        };
        for (Object[] row : table) {
            DType t = (DType) row[0];
            assertEquals(row[1], t.blockElements(), t + " elements");
            assertEquals(row[2], t.blockBytes(), t + " bytes");
            assertTrue(t.isQuantized() && t.isFloating());
        }
    }

    @Test
    void scalarSizes() {
        assertEquals(8, DType.F64.byteSize(1));
        assertEquals(2, DType.BF16.byteSize(1));
        assertEquals(16, DType.C128.byteSize(1));
        assertEquals(3, DType.F6_E2M3.byteSize(4));
        assertEquals(1, DType.F4.byteSize(2));
        assertEquals(1, DType.U2.byteSize(4));
        assertEquals(4.0, DType.F4.bitsPerElement());
        assertEquals(6.0, DType.F6_E3M2.bitsPerElement());
    }

    @Test
    void byteSizeRejectsPartialBlocksAndOverflow() {
        assertThrows(ArithmeticException.class, () -> DType.F4.byteSize(3));
        assertThrows(ArithmeticException.class, () -> DType.Q4_K.byteSize(255));
        assertThrows(ArithmeticException.class, () -> DType.F64.byteSize(Long.MAX_VALUE / 4));
        assertThrows(UnsupportedOperationException.class, () -> DType.STRING.byteSize(1));
    }

    @Test
    void kinds() {
        assertTrue(DType.F8_E4M3.isFloating());
        assertFalse(DType.I8.isFloating());
        assertTrue(DType.U16.isInteger());
        assertFalse(DType.BOOL.isInteger());
        assertFalse(DType.C64.isFloating());
        assertTrue(DType.I32.isByteAligned());
        assertFalse(DType.I4.isByteAligned());
        assertEquals(DType.IQ4_XS, DType.byName("IQ4_XS"));
        assertNull(DType.byName("Q4_2"));
    }
}
