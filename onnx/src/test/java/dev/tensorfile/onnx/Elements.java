package dev.tensorfile.onnx;

import dev.tensorfile.core.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Integer elements of a tensor, unpacked by the layout the ONNX spec gives (tests only). */
final class Elements {
    private Elements() {}

    static long[] longs(Tensor t) {
        MemorySegment b = t.bytes();
        int n = (int) t.elementCount();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (t.dtype()) {
                case U4 -> (b.get(ValueLayout.JAVA_BYTE, i / 2) >> (4 * (i % 2))) & 0xF;
                case I4 -> ((b.get(ValueLayout.JAVA_BYTE, i / 2) >> (4 * (i % 2))) << 28) >> 28;
                case U2 -> (b.get(ValueLayout.JAVA_BYTE, i / 4) >> (2 * (i % 4))) & 0x3;
                case I2 -> ((b.get(ValueLayout.JAVA_BYTE, i / 4) >> (2 * (i % 4))) << 30) >> 30;
                case I64 -> b.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i);
                case I32 -> b.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i);
                case I8 -> b.get(ValueLayout.JAVA_BYTE, i);
                case U8 -> b.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
                default -> throw new IllegalArgumentException(t.dtype().toString());
            };
        }
        return out;
    }
}
