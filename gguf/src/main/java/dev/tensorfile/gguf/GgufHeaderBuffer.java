package dev.tensorfile.gguf;

import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ValueType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growing little-endian buffer for a GGUF v3 header: u64 counts and lengths, values as gguf.cpp writes them. */
final class GgufHeaderBuffer {
    private ByteBuffer buf = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);

    private ByteBuffer room(int n) {
        if (buf.remaining() < n) {
            long want = Math.max((long) buf.capacity() * 2, (long) buf.position() + n);
            if (want > Integer.MAX_VALUE - 8) throw new IllegalStateException("GGUF header larger than 2 GiB");
            ByteBuffer bigger = ByteBuffer.allocate((int) want).order(ByteOrder.LITTLE_ENDIAN);
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
        return buf;
    }

    GgufHeaderBuffer u8(int v) { room(1).put((byte) v); return this; }
    GgufHeaderBuffer u16(int v) { room(2).putShort((short) v); return this; }
    GgufHeaderBuffer u32(long v) { room(4).putInt((int) v); return this; }
    GgufHeaderBuffer u64(long v) { room(8).putLong(v); return this; }

    /** A {@code gguf_string_t}: u64 length, UTF-8 bytes. */
    GgufHeaderBuffer string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length);
        room(b.length).put(b);
        return this;
    }

    /** One key/value: key, u32 value type, value. */
    GgufHeaderBuffer keyValue(String key, MetadataValue value) {
        string(key);
        u32(GgufValueType.id(value.type()));
        return value(value);
    }

    /** A value without its type; an array is element type, u64 count, elements (nested ones the same way). */
    GgufHeaderBuffer value(MetadataValue value) {
        switch (value) {
            case MetadataValue.Str s -> string(s.value());
            case MetadataValue.Int i -> {
                switch (GgufValueType.fixedSize(i.type())) {
                    case 1 -> u8((int) i.value());
                    case 2 -> u16((int) i.value());
                    case 4 -> u32(i.value());
                    default -> u64(i.value());
                }
            }
            case MetadataValue.F32 f -> room(4).putFloat(f.value());
            case MetadataValue.F64 d -> room(8).putDouble(d.value());
            case MetadataValue.Bool b -> u8(b.value() ? 1 : 0);
            case MetadataValue.Array a -> {
                u32(GgufValueType.id(a.elementType()));
                u64(a.size());
                for (MetadataValue e : a.values()) value(e);
            }
        }
        return this;
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    GgufHeaderBuffer pad(long alignment) {
        int n = (int) ((alignment - buf.position() % alignment) % alignment);
        room(n).put(new byte[n]);
        return this;
    }

    int size() { return buf.position(); }

    /** The bytes written so far. */
    byte[] toArray() { return Arrays.copyOf(buf.array(), buf.position()); }
}
