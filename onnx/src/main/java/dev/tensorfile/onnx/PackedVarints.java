package dev.tensorfile.onnx;

import dev.tensorfile.core.spi.ByteCursor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The hot loop of typed tensors: a packed run of varints decoded straight from the mapping into little-endian
 * values of the tensor's width. The run's bytes are already bounded; a varint that is overlong or cut off fails
 * with the absolute offset.
 */
final class PackedVarints {
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private PackedVarints() {}

    /** How each decoded value is stored. */
    enum Width { BOOL, BYTE, SHORT, INT, LONG }

    /** Decodes every varint of {@code packed} into {@code out[start...]}; returns the new count. */
    static int decodeLongs(MemorySegment packed, long[] out, int start, ByteCursor errors, long absolute, String what) {
        long size = packed.byteSize();
        long i = 0;
        int n = start;
        while (i < size) {
            long v = 0;
            int shift = 0;
            long begin = i;
            while (true) {
                if (i >= size) throw errors.failAt(relative(errors, absolute + begin), what + ": varint cut off");
                int b = packed.get(ValueLayout.JAVA_BYTE, i++);
                if (shift == 63 && (b & 0xFE) != 0) throw errors.failAt(relative(errors, absolute + begin), what + ": varint longer than 10 bytes");
                v |= (long) (b & 0x7F) << shift;
                if (b >= 0) break;
                shift += 7;
                if (shift > 63) throw errors.failAt(relative(errors, absolute + begin), what + ": varint longer than 10 bytes");
            }
            out[n++] = v;
        }
        return n;
    }

    /**
     * Decodes the varints of {@code src} into {@code dst} at {@code dstOffset}, {@code width} bytes each (low bits
     * kept, as numpy's cast from int32/int64 does; BOOL stores 1 for non-zero). Returns the next destination offset;
     * stops at {@code dstLimit}.
     */
    static long decode(MemorySegment src, MemorySegment dst, long dstOffset, long dstLimit, Width width,
            ByteCursor errors, long absolute) {
        long size = src.byteSize();
        long i = 0;
        long o = dstOffset;
        int step = switch (width) { case BOOL, BYTE -> 1; case SHORT -> 2; case INT -> 4; case LONG -> 8; };
        while (i < size && o < dstLimit) {
            long v;
            int b = src.get(ValueLayout.JAVA_BYTE, i);
            if (b >= 0) {
                v = b;
                i++;
            } else {
                long begin = i;
                v = 0;
                int shift = 0;
                while (true) {
                    if (i >= size) throw errors.failAt(relative(errors, absolute + begin), "varint cut off");
                    b = src.get(ValueLayout.JAVA_BYTE, i++);
                    v |= (long) (b & 0x7F) << shift;
                    if (b >= 0) break;
                    shift += 7;
                    if (shift > 63) throw errors.failAt(relative(errors, absolute + begin), "varint longer than 10 bytes");
                }
            }
            switch (width) {
                case BOOL -> dst.set(ValueLayout.JAVA_BYTE, o, (byte) (v != 0 ? 1 : 0));
                case BYTE -> dst.set(ValueLayout.JAVA_BYTE, o, (byte) v);
                case SHORT -> dst.set(SHORT, o, (short) v);
                case INT -> dst.set(INT, o, (int) v);
                case LONG -> dst.set(LONG, o, v);
            }
            o += step;
        }
        return o;
    }

    private static long relative(ByteCursor c, long absolute) {
        return absolute - (c.absolutePosition() - c.position());
    }
}
