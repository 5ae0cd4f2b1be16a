package dev.tensorfile.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ShapeTest {
    @Test
    void scalarHasOneElement() {
        assertEquals(0, Shape.of().rank());
        assertEquals(1, Shape.scalar().elementCount());
        assertEquals("[]", Shape.scalar().toString());
    }

    @Test
    void zeroLengthDimensionIsValid() {
        Shape s = Shape.of(3, 0);
        assertEquals(0, s.elementCount());
        assertEquals(0, s.byteSize(DType.F32));
        assertEquals(0, s.rowStride());
    }

    @Test
    void elementCountOverflowIsDetected() {
        assertThrows(ArithmeticException.class, () -> Shape.of(1L << 32, 1L << 32));
        assertThrows(ArithmeticException.class, () -> Shape.of(1L << 62).byteSize(DType.F32));
        // As in the safetensors crate, a zero dimension makes the product 0 whatever follows it.
        assertEquals(0, Shape.of(0, 1L << 62, 1L << 62).elementCount());
    }

    @Test
    void negativeDimensionIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Shape.of(2, -1));
    }

    @Test
    void rowStrideAndFirstDim() {
        Shape s = Shape.of(4, 3, 2);
        assertEquals(24, s.elementCount());
        assertEquals(6, s.rowStride());
        assertEquals(Shape.of(1, 3, 2), s.withFirstDim(1));
        assertNotEquals(Shape.of(4, 6), s);
        long[] dims = s.dims();
        dims[0] = 99;
        assertEquals(4, s.dim(0), "dims() is a copy");
    }
}
