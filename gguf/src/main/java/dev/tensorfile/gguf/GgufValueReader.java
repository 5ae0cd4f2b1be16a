package dev.tensorfile.gguf;

import dev.tensorfile.core.spi.BigEndian;
import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.ValueType;
import dev.tensorfile.core.spi.ByteCursor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes GGUF metadata values ({@code gguf_metadata_value_t}) of one file: its byte order, its string/count width
 * (u32 in v1, u64 since v2) and the reader's limits. Arrays are walked once to find where they end and, for
 * strings and nested arrays, where each element starts; their elements are decoded when asked for
 * ({@link GgufArray}). The walk is iterative, so nesting depth is bounded by {@link ReadLimits#maxNestingDepth()}
 * and never by the Java stack.
 */
final class GgufValueReader {
    /** Arrays of at most this many elements, in at most {@link #EAGER_PAYLOAD_BYTES}, are decoded at once. */
    static final int EAGER_ELEMENTS = 64;
    /** See {@link #EAGER_ELEMENTS}: such arrays outlive the file; longer ones are views of its mapping. */
    static final long EAGER_PAYLOAD_BYTES = 4096;


    private final MemorySegment segment;
    private final ValueLayout.OfShort shortLayout;
    private final ValueLayout.OfInt intLayout;
    private final ValueLayout.OfLong longLayout;
    private final Path path;
    private final ByteOrder order;
    private final boolean v1;
    private final ReadLimits limits;

    GgufValueReader(MemorySegment segment, Path path, ByteOrder order, int version, ReadLimits limits) {
        this.segment = segment;
        this.path = path;
        this.order = order;
        this.v1 = version == 1;
        this.limits = limits;
        boolean le = order == ByteOrder.LITTLE_ENDIAN;
        this.shortLayout = le ? LittleEndian.SHORT : BigEndian.SHORT;
        this.intLayout = le ? LittleEndian.INT : BigEndian.INT;
        this.longLayout = le ? LittleEndian.LONG : BigEndian.LONG;
    }

    // Numbers are read here with constant layouts rather than through ByteCursor's i16/i32/i64, which derive a
    // byte-ordered layout (and its VarHandle) on every call: ~1 µs each, 0.8 s to open a 150,000-token
    // vocabulary. Bounds are still the cursor's (require, skip), so errors read the same.

    private short i16(ByteCursor c) {
        c.require(2);
        short v = c.segment().get(shortLayout, c.position());
        c.skip(2);
        return v;
    }

    int i32(ByteCursor c) {
        c.require(4);
        int v = c.segment().get(intLayout, c.position());
        c.skip(4);
        return v;
    }

    private long i64(ByteCursor c) {
        c.require(8);
        long v = c.segment().get(longLayout, c.position());
        c.skip(8);
        return v;
    }

    /** A cursor over the whole file at absolute {@code position}, reading {@code structure}. */
    ByteCursor cursorAt(long position, String structure) {
        return new ByteCursor(segment, 0, GgufFormat.NAME, path).order(order).structure(structure).seek(position);
    }

    /** Bytes a string length or element count takes: 4 in v1, 8 since v2. */
    int lengthBytes() { return v1 ? 4 : 8; }

    /** A string length or count: u32 in v1, u64 since v2 (above 2^63 rejected). */
    long length(ByteCursor c, String what) {
        return v1 ? Integer.toUnsignedLong(i32(c)) : size64(c, what);
    }

    /** A u64 size or offset that must fit a non-negative long. */
    long size64(ByteCursor c, String what) {
        if (c.remaining() >= 8 && c.segment().get(longLayout, c.position()) < 0) return c.u64Size(what); // fails
        return i64(c);
    }

    /** A {@code gguf_string_t}: length, then that many UTF-8 bytes (no terminator). */
    String string(ByteCursor c, String what) {
        long at = c.position();
        long n = length(c, what + " length");
        if (n > c.remaining()) {
            throw c.failAt(at, what + " length " + n + " needs " + n + " bytes but only " + c.remaining() + " remain");
        }
        if (n > limits.maxStringBytes()) {
            throw c.failAt(at, what + " length " + n + " exceeds the limit of " + limits.maxStringBytes() + " bytes");
        }
        return c.utf8(n);
    }

    /** A u32 value type id. */
    ValueType valueType(ByteCursor c) {
        long at = c.position();
        long id = Integer.toUnsignedLong(i32(c));
        ValueType t = GgufValueType.of(id);
        if (t == null) throw c.failAt(at, "unknown metadata value type " + id);
        return t;
    }

    /** One value of {@code type}; {@code depth} is the number of arrays it sits in. */
    MetadataValue value(ByteCursor c, ValueType type, int depth) {
        return switch (type) {
            case U8 -> new MetadataValue.Int(type, c.u8());
            case I8 -> new MetadataValue.Int(type, c.i8());
            case U16 -> new MetadataValue.Int(type, i16(c) & 0xFFFF);
            case I16 -> new MetadataValue.Int(type, i16(c));
            case U32 -> new MetadataValue.Int(type, Integer.toUnsignedLong(i32(c)));
            case I32 -> new MetadataValue.Int(type, i32(c));
            case U64, I64 -> new MetadataValue.Int(type, i64(c));
            case F32 -> new MetadataValue.F32(Float.intBitsToFloat(i32(c)));
            case F64 -> new MetadataValue.F64(Double.longBitsToDouble(i64(c)));
            // gguf.cpp stores bools as one byte; anything but 0 reads as true, as in C and in numpy.
            case BOOL -> new MetadataValue.Bool(c.u8() != 0);
            case STRING -> new MetadataValue.Str(string(c, "string"));
            case ARRAY -> array(c, depth + 1);
        };
    }

    /**
     * An array value (element type, count, elements) at depth {@code depth} (1 for a key's own array). Walks the
     * payload once; short arrays are decoded at once, larger ones become a {@link GgufArray}.
     */
    MetadataValue.Array array(ByteCursor c, int depth) {
        if (depth > limits.maxNestingDepth()) {
            throw c.fail("arrays nested " + depth + " deep exceed the limit of " + limits.maxNestingDepth());
        }
        ValueType element = valueType(c);
        long countAt = c.position();
        long count = length(c, "array element count");
        checkCount(c, countAt, element, count);
        long start = c.position();
        GgufArray lazy;
        int size = GgufValueType.fixedSize(element);
        if (size > 0) {
            c.skip(count * size);
            lazy = GgufArray.fixed(this, element, (int) count, start, size, depth);
        } else {
            // count fits what remains (checkCount), so this index is bounded by the file's real size.
            long[] offsets = new long[(int) count];
            if (element == ValueType.STRING) {
                indexStrings(c, offsets);
            } else {
                for (int i = 0; i < count; i++) {
                    offsets[i] = c.position();
                    skipArray(c, depth + 1);
                }
            }
            lazy = GgufArray.indexed(this, element, offsets, depth);
        }
        if (count <= EAGER_ELEMENTS && c.position() - start <= EAGER_PAYLOAD_BYTES) {
            return new MetadataValue.Array(element, List.copyOf(new ArrayList<>(lazy)));
        }
        return new MetadataValue.Array(element, lazy);
    }

    private void checkCount(ByteCursor c, long countAt, ValueType element, long count) {
        int size = GgufValueType.fixedSize(element);
        long minEach = size > 0 ? size : element == ValueType.STRING ? lengthBytes() : 4 + lengthBytes();
        if (count > c.remaining() / minEach) {
            throw c.failAt(countAt, "array of " + count + " " + GgufValueType.ggufName(element) + " elements needs at least "
                    + (count > Long.MAX_VALUE / minEach ? "more than " + c.remaining() : count * minEach)
                    + " bytes but only " + c.remaining() + " remain");
        }
        if (count > limits.maxCollectionSize() || count > Integer.MAX_VALUE - 8) {
            throw c.failAt(countAt, "array of " + count + " elements exceeds the limit of "
                    + Math.min(limits.maxCollectionSize(), Integer.MAX_VALUE - 8));
        }
    }

    /**
     * Records where each of {@code offsets.length} strings starts and skips them: the hot loop of opening a
     * vocabulary, so it reads lengths straight from the segment; anything out of bounds is handed back to
     * {@link #skipString}, which throws the cursor's error at that position.
     */
    private void indexStrings(ByteCursor c, long[] offsets) {
        MemorySegment seg = c.segment();
        long end = seg.byteSize();
        long max = limits.maxStringBytes();
        int lb = lengthBytes();
        long pos = c.position();
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = pos;
            long n = end - pos < lb ? -1 : v1 ? Integer.toUnsignedLong(seg.get(intLayout, pos)) : seg.get(longLayout, pos);
            if (n < 0 || n > end - pos - lb || n > max) {
                skipString(c.seek(pos));
                throw new IllegalStateException("unreachable: string at " + pos + " was rejected above");
            }
            pos += lb + n;
        }
        c.seek(pos);
    }

    private void skipString(ByteCursor c) {
        long at = c.position();
        long n = length(c, "string length");
        if (n > c.remaining()) {
            throw c.failAt(at, "string length " + n + " needs " + n + " bytes but only " + c.remaining() + " remain");
        }
        if (n > limits.maxStringBytes()) {
            throw c.failAt(at, "string length " + n + " exceeds the limit of " + limits.maxStringBytes() + " bytes");
        }
        c.skip(n);
    }

    /**
     * Skips one array value (type, count, payload) that sits at nesting depth {@code depth}, without recursion: an
     * explicit stack holds, per open array of arrays, how many elements are left.
     */
    private void skipArray(ByteCursor c, int depth) {
        long[] left = new long[8];
        int top = -1;
        int d = depth;
        while (true) {
            if (d > limits.maxNestingDepth()) {
                throw c.fail("arrays nested " + d + " deep exceed the limit of " + limits.maxNestingDepth());
            }
            ValueType element = valueType(c);
            long countAt = c.position();
            long count = length(c, "array element count");
            checkCount(c, countAt, element, count);
            int size = GgufValueType.fixedSize(element);
            if (size > 0) {
                c.skip(count * size);
            } else if (element == ValueType.STRING) {
                for (long i = 0; i < count; i++) skipString(c);
            } else if (count > 0) {
                if (++top == left.length) left = java.util.Arrays.copyOf(left, top * 2);
                left[top] = count;
            }
            // Find the next nested array still to read, closing finished ones.
            while (top >= 0 && left[top] == 0) top--;
            if (top < 0) return;
            left[top]--;
            d = depth + top + 1;
        }
    }
}
