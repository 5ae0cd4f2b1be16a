package dev.tensorfile.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hand-made GGUF bytes for hostile-input tests, field by field as the spec lays them out, written independently
 * of the module's writer so that broken files can be made.
 */
final class RawGguf {
    static final int UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
            STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12;
    static final int F32 = 0, Q4_0 = 2, Q8_0 = 8;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteOrder order;

    RawGguf(ByteOrder order) { this.order = order; }

    RawGguf() { this(ByteOrder.LITTLE_ENDIAN); }

    /** Magic, version 3, tensor count, key/value count. */
    static RawGguf v3(long tensors, long kvs) {
        return new RawGguf().bytes("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(3).u64(tensors).u64(kvs);
    }

    RawGguf bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    RawGguf u8(int v) {
        out.write(v);
        return this;
    }

    RawGguf u16(int v) { return bytes(ByteBuffer.allocate(2).order(order).putShort((short) v).array()); }

    RawGguf u32(long v) { return bytes(ByteBuffer.allocate(4).order(order).putInt((int) v).array()); }

    RawGguf u64(long v) { return bytes(ByteBuffer.allocate(8).order(order).putLong(v).array()); }

    RawGguf str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u64(b.length).bytes(b);
    }

    /** A key with a u32 value. */
    RawGguf kvU32(String key, long v) { return str(key).u32(UINT32).u32(v); }

    /** A tensor info: name, n_dims, ne[], type, offset. */
    RawGguf tensor(String name, int type, long offset, long... ne) {
        str(name).u32(ne.length);
        for (long d : ne) u64(d);
        return u32(type).u64(offset);
    }

    /** Zeros up to a multiple of {@code alignment}. */
    RawGguf pad(int alignment) {
        while (out.size() % alignment != 0) out.write(0);
        return this;
    }

    RawGguf zeros(int n) {
        out.writeBytes(new byte[n]);
        return this;
    }

    int size() { return out.size(); }

    byte[] toArray() { return out.toByteArray(); }

    Path writeTo(Path file) {
        try {
            Files.write(file, out.toByteArray());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
