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
     *
     * <p>While 8 bytes of the run remain, a varint of up to 8 bytes is taken from one little-endian word: its
     * length is the first byte with the continuation bit clear, and its 7-bit groups are gathered without a loop
     * or a branch per byte. Longer varints (values of 2^56 and above, or negative int32/int64) and the run's last
     * bytes go the byte-at-a-time way.
     */
    static long decode(MemorySegment src, MemorySegment dst, long dstOffset, long dstLimit, Width width,
            ByteCursor errors, long absolute) {
        return switch (width) {
            case BOOL -> decode(src, dst, dstOffset, dstLimit, 1, true, errors, absolute);
            case BYTE -> decode(src, dst, dstOffset, dstLimit, 1, false, errors, absolute);
            case SHORT -> decode(src, dst, dstOffset, dstLimit, 2, false, errors, absolute);
            case INT -> decode(src, dst, dstOffset, dstLimit, 4, false, errors, absolute);
            case LONG -> decode(src, dst, dstOffset, dstLimit, 8, false, errors, absolute);
        };
    }

    private static long decode(MemorySegment src, MemorySegment dst, long dstOffset, long dstLimit, int step,
            boolean bool, ByteCursor errors, long absolute) {
        long size = src.byteSize();
        long i = 0;
        long o = dstOffset;
        // the fast loop reads whole words inside the run and writes whole values inside the limit
        long wordEnd = size - 8;
        long valueEnd = dstLimit - step;
        while (i <= wordEnd && o <= valueEnd) {
            long w = src.get(LONG, i);
            long stops = ~w & 0x8080808080808080L;
            if (stops == 0) break;
            int bits = Long.numberOfTrailingZeros(stops) + 1; // 8 * the varint's length
            long x = bits == 64 ? w : w & ((1L << bits) - 1);
            long v = x & 0x7FL
                    | x >>> 1 & 0x7FL << 7
                    | x >>> 2 & 0x7FL << 14
                    | x >>> 3 & 0x7FL << 21
                    | x >>> 4 & 0x7FL << 28
                    | x >>> 5 & 0x7FL << 35
                    | x >>> 6 & 0x7FL << 42
                    | x >>> 7 & 0x7FL << 49;
            i += bits >>> 3;
            store(dst, o, step, bool, v);
            o += step;
        }
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
            store(dst, o, step, bool, v);
            o += step;
        }
        return o;
    }

    private static void store(MemorySegment dst, long o, int step, boolean bool, long v) {
        switch (step) {
            case 1 -> dst.set(ValueLayout.JAVA_BYTE, o, bool ? (byte) (v != 0 ? 1 : 0) : (byte) v);
            case 2 -> dst.set(SHORT, o, (short) v);
            case 4 -> dst.set(INT, o, (int) v);
            default -> dst.set(LONG, o, v);
        }
    }

    private static long relative(ByteCursor c, long absolute) {
        return absolute - (c.absolutePosition() - c.position());
    }
}
