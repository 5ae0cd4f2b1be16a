package dev.tensorfile.onnx.initializers;

import dev.tensorfile.core.spi.ByteCursor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Packed varints of dims decoded straight from the mapping (the typed-data loop is {@link TypedData}'s), and the
 * widths typed values are stored with. The run's bytes are already bounded; a varint that is overlong or cut off
 * fails with the absolute offset.
 */
public final class PackedVarints {
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

    private static long relative(ByteCursor c, long absolute) {
        return absolute - (c.absolutePosition() - c.position());
    }
}
