package dev.tensorfile.core.spi;

import dev.tensorfile.core.MalformedFileException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The protobuf wire format (protobuf.dev/programming-guides/encoding) read field by field from a
 * {@link ByteCursor}: a key varint (field number, wire type), then the value. Nothing is allocated from a length
 * before the bytes behind it are known to exist; unknown fields of every wire type, groups included, are skipped.
 *
 * <p>Usage: {@code while (r.next()) switch (r.field()) { case 1 -> ...; default -> r.skip(); }}. Shared by the
 * format modules that read protobuf (ONNX, TensorFlow).
 *
 * <p>Over bytes not all present yet (a remote file's cache, {@link MappedFile#dataSlice}), a reader built with a
 * {@link Fetch} asks for each range before it reads it: a field's key and the varint after it, a string, the bytes of
 * {@link #bytes}. A length-delimited field it skips ({@link #skip}, {@link #message}, {@link #dataBytes}) is not
 * fetched: tensor data stays where it is until a tensor reads it. Without a {@link Fetch} (a local mapping) nothing
 * changes.
 */
public final class WireReader {
    /**
     * Makes bytes present before a reader reads them: the reads of a protobuf walk over a remote file's cache.
     */
    @FunctionalInterface
    public interface Fetch {
        /**
         * Makes bytes {@code [offset, offset + length)} of the file present (absolute file offsets; the range lies in
         * the message being read).
         */
        void fetch(long offset, long length);
    }

    /** A key (at most 10 bytes as read) and the varint or fixed value after it (at most 10). */
    private static final int KEY_AND_VALUE = 20;

    /** Wire type 0: a varint. */
    public static final int VARINT = 0;
    /** Wire type 1: eight little-endian bytes. */
    public static final int I64 = 1;
    /** Wire type 2: a length varint, then that many bytes. */
    public static final int LEN = 2;
    /** Wire type 3: start of a (deprecated) group. */
    public static final int SGROUP = 3;
    /** Wire type 4: end of a (deprecated) group. */
    public static final int EGROUP = 4;
    /** Wire type 5: four little-endian bytes. */
    public static final int I32 = 5;

    /** Largest field number protobuf allows (2^29 - 1). */
    private static final long MAX_FIELD = (1L << 29) - 1;

    private final ByteCursor in;
    private final int depth;
    private final int maxDepth;
    /** Null over bytes that are all present (a local mapping). */
    private final Fetch fetch;
    private long fieldStart;
    private int field;
    private int wireType;

    /**
     * @param in the bytes of one message, positioned at its start
     * @param depth the nesting depth of this message (the model is 0)
     * @param maxDepth deepest nesting accepted
     */
    public WireReader(ByteCursor in, int depth, int maxDepth) {
        this(in, depth, maxDepth, null);
    }

    /**
     * A reader over bytes that {@code fetch} makes present before each read (see the class comment).
     *
     * @param fetch called before each read, with absolute file offsets; null when every byte is present
     */
    public WireReader(ByteCursor in, int depth, int maxDepth, Fetch fetch) {
        this.in = in;
        this.depth = depth;
        this.maxDepth = maxDepth;
        this.fetch = fetch;
        if (depth > maxDepth) {
            throw in.fail("messages nested " + depth + " deep; at most " + maxDepth + " are accepted");
        }
    }

    /** The cursor this reads (for its structure name and offsets). */
    public ByteCursor cursor() { return in; }

    /** The nesting depth of this message. */
    public int depth() { return depth; }

    /** The deepest nesting accepted. */
    public int maxDepth() { return maxDepth; }

    /** What makes bytes present before this reader reads them, or null. */
    public Fetch fetch() { return fetch; }

    /** A reader over the same message from its start (the cursor is moved there), at the same depth. */
    public WireReader rewind() {
        in.seek(0);
        return new WireReader(in, depth, maxDepth, fetch);
    }

    /** Reads the next key; false at the end of the message. */
    public boolean next() {
        long remaining = in.remaining();
        if (remaining == 0) return false;
        if (fetch != null) fetch.fetch(in.absolutePosition(), Math.min(remaining, KEY_AND_VALUE));
        fieldStart = in.position();
        long key = varint();
        int type = (int) (key & 7);
        long number = key >>> 3;
        if (number < 1 || number > MAX_FIELD) throw failField("field number " + number + " is outside [1, 2^29-1]");
        if (type > I32) throw failField("wire type " + type + " of field " + number + " does not exist");
        field = (int) number;
        wireType = type;
        return true;
    }

    /** The current field's number. */
    public int field() { return field; }

    /** The current field's wire type. */
    public int wireType() { return wireType; }

    /** Position (relative to the cursor's segment) of the current field's key. */
    public long fieldStart() { return fieldStart; }

    /** Absolute file offset of the current field's key. */
    public long fieldOffset() { return in.absolutePosition() - (in.position() - fieldStart); }

    /** A varint of at most 10 bytes; the tenth may only carry bit 63. */
    public long varint() {
        long at = in.position();
        MemorySegment bytes = in.segment();
        if (bytes.byteSize() - at >= 10) {
            // Ten bytes remain, so no byte can be past the end: read them without a bounds check each (protobuf
            // messages are mostly varints; this is the reader's hottest loop).
            long result = 0;
            for (int i = 0; i < 10; i++) {
                byte b = bytes.get(ValueLayout.JAVA_BYTE, at + i);
                if (i == 9 && (b & 0xFF) > 1) throw in.failAt(at, "varint is longer than 10 bytes");
                result |= (long) (b & 0x7F) << (7 * i);
                if (b >= 0) {
                    in.seek(at + i + 1);
                    return result;
                }
            }
            throw in.failAt(at, "varint is longer than 10 bytes");
        }
        long result = 0;
        for (int i = 0; i < 10; i++) {
            if (in.remaining() == 0) throw in.failAt(at, "varint is cut off by the end of the message");
            int b = in.u8();
            if (i == 9 && b > 1) throw in.failAt(at, "varint is longer than 10 bytes");
            result |= (long) (b & 0x7F) << (7 * i);
            if (b < 0x80) return result;
        }
        throw in.failAt(at, "varint is longer than 10 bytes");
    }

    /** Fails unless the current field has wire type {@code expected}. */
    public void expect(int expected, String name) {
        if (wireType != expected) {
            throw failField("field " + field + " (" + name + ") has wire type " + wireType + ", expected " + expected);
        }
    }

    /** The current field as an int64 varint. */
    public long int64(String name) {
        expect(VARINT, name);
        return varint();
    }

    /** The current field as an int32 varint (negative values are sign-extended to 10 bytes on the wire). */
    public int int32(String name) {
        expect(VARINT, name);
        return (int) varint();
    }

    /** The length of the current length-delimited field, checked against what remains. */
    public long length(String name) {
        expect(LEN, name);
        long at = in.position();
        long n = varint();
        if (n < 0 || n > in.remaining()) {
            throw in.failAt(at, (name == null ? "field " + field : name) + " claims " + Long.toUnsignedString(n)
                    + " bytes but only " + in.remaining() + " remain");
        }
        return n;
    }

    /** The current field as a UTF-8 string of at most {@code maxBytes} bytes. */
    public String string(String name, long maxBytes) {
        long n = length(name);
        if (n > maxBytes) throw failField(name + " of " + n + " bytes is longer than the " + maxBytes + " allowed");
        if (fetch != null && n > 0) fetch.fetch(in.absolutePosition(), n);
        return in.utf8(n);
    }

    /** The current length-delimited field's bytes, as a view, present (fetched first when the reader fetches). */
    public MemorySegment bytes(String name) {
        long n = length(name);
        if (fetch != null && n > 0) fetch.fetch(in.absolutePosition(), n);
        return in.slice(n);
    }

    /**
     * The current length-delimited field's bytes as a view that is not fetched: tensor data, read later by a tensor
     * that makes it present first ({@link MappedFile#require(MemorySegment)}). Over a local mapping the same as
     * {@link #bytes}.
     */
    public MemorySegment dataBytes(String name) {
        return in.slice(length(name));
    }

    /** The current field as an embedded message, read with a cursor over its bytes only. */
    public WireReader message(String name, String structure) {
        long n = length(name);
        ByteCursor sub = in.split(n).structure(structure);
        return new WireReader(sub, depth + 1, maxDepth, fetch);
    }

    /** The current field as the {@code index}th of its kind, named {@code structure + " #" + index} in errors. */
    public WireReader message(String name, String structure, long index) {
        long n = length(name);
        ByteCursor sub = in.split(n).structure(structure, index);
        return new WireReader(sub, depth + 1, maxDepth, fetch);
    }

    /** Skips the current field's value, whatever its wire type. */
    public void skip() {
        switch (wireType) {
            case VARINT -> varint();
            case I64 -> in.skip(8);
            case I32 -> in.skip(4);
            case LEN -> in.skip(length(null));
            case SGROUP -> skipGroup();
            case EGROUP -> throw failField("end-group of field " + field + " without a start-group");
            default -> throw failField("wire type " + wireType + " does not exist");
        }
    }

    /** Deprecated groups (wire types 3 and 4) are still legal on the wire; skipped iteratively, depth bounded. */
    private void skipGroup() {
        int open = 1;
        int[] fields = new int[Math.min(maxDepth, 64) + 1];
        fields[0] = field;
        while (open > 0) {
            if (!next()) throw failField("group of field " + fields[open - 1] + " is not closed");
            if (wireType == SGROUP) {
                if (depth + open >= maxDepth || open >= fields.length) {
                    throw failField("groups nested deeper than " + Math.min(maxDepth, fields.length - 1));
                }
                fields[open++] = field;
            } else if (wireType == EGROUP) {
                if (fields[open - 1] != field) {
                    throw failField("end-group of field " + field + " closes the group of field " + fields[open - 1]);
                }
                open--;
            } else {
                skip();
            }
        }
    }

    /** An error at the current field's key. */
    public MalformedFileException failField(String what) {
        return in.failAt(fieldStart, what);
    }

    // ---- repeated scalars: packed (one LEN field) or unpacked (one field per value), both legal, even mixed ----

    /** Counts the values of a packed varint run: the bytes without a continuation bit. */
    public static long countVarints(MemorySegment packed) {
        long n = 0;
        long size = packed.byteSize();
        long i = 0;
        for (; i + 8 <= size; i += 8) {
            long w = packed.get(LittleEndian.LONG, i);
            n += Long.bitCount(~w & 0x8080808080808080L);
        }
        for (; i < size; i++) if (packed.get(ValueLayout.JAVA_BYTE, i) >= 0) n++;
        return n;
    }

}
