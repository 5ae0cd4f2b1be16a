package dev.tensorfile.pickle.vm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** How a pickle stream begins, for finding pickles by content: no magic number, only opcodes. */
public final class PickleStart {
    private PickleStart() {}

    /** A PROTO opcode of protocol 2 to 5 followed by an opcode: how every pickle of protocol ≥ 2 begins. */
    public static boolean isProtoPickle(MemorySegment s, long at) {
        int a = u8(s, at), b = u8(s, at + 1), c = u8(s, at + 2);
        return a == 0x80 && b >= 2 && b <= 5 && c >= 0 && c != 0x80 && Opcode.of(c) != null;
    }

    /** The first byte is an opcode a pickle can start with. */
    public static boolean mayBePickle(MemorySegment s, long at) {
        int a = u8(s, at);
        return a >= 0 && Opcode.of(a) != null && a != '.';
    }

    private static int u8(MemorySegment s, long at) {
        return at >= 0 && at < s.byteSize() ? s.get(ValueLayout.JAVA_BYTE, at) & 0xFF : -1;
    }
}
