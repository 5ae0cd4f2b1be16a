package dev.tensorfile.pickle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes pickle opcodes by hand, for tests: the hostile streams no real pickler would write. */
final class PickleBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleBuilder op(int... bytes) {
        for (int b : bytes) out.write(b);
        return this;
    }

    PickleBuilder raw(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    PickleBuilder proto(int p) { return op(0x80, p); }

    PickleBuilder global(String module, String name) {
        return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    }

    PickleBuilder inst(String module, String name) {
        return op('i').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    }

    PickleBuilder str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length < 256) return op(0x8c, b.length).raw(b);
        return op('X').u32(b.length).raw(b);
    }

    /** A protocol 0 STRING opcode: a quoted repr. */
    PickleBuilder string0(String s) { return op('S').raw(("'" + s + "'\n").getBytes(StandardCharsets.UTF_8)); }

    PickleBuilder u32(long v) { return op((int) v & 0xFF, (int) (v >> 8) & 0xFF, (int) (v >> 16) & 0xFF, (int) (v >> 24) & 0xFF); }

    PickleBuilder u64(long v) {
        for (int i = 0; i < 8; i++) out.write((int) (v >> (8 * i)) & 0xFF);
        return this;
    }

    PickleBuilder int1(int v) { return op('K', v); }

    PickleBuilder stackGlobal(String module, String name) { return str(module).str(name).op(0x93); }

    /** {@code callable(arg)}: the callable must be on the stack. */
    PickleBuilder callWith(String arg) { return str(arg).op(0x85, 'R'); }

    PickleBuilder stop() { return op('.'); }

    /** {@code module.name("id")} with GLOBAL and REDUCE, protocol {@code p}. */
    static byte[] reduceCall(int p, String module, String name) {
        PickleBuilder b = new PickleBuilder();
        if (p >= 2) b.proto(p);
        if (p >= 4) b.stackGlobal(module, name);
        else b.global(module, name);
        if (p == 0) b.op('(').string0("id").op('t', 'R');
        else b.op('(').str("id").op('t', 'R');
        return b.stop().bytes();
    }

    byte[] bytes() { return out.toByteArray(); }
}
