package dev.tensorfile.core.spi;

import dev.tensorfile.core.MalformedFileException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The one way parsers read bytes: a position over a {@link MemorySegment}, every read bounds-checked, little-endian
 * unless told otherwise. A read past the end, or a count that claims more than the bytes left, fails with a
 * {@link MalformedFileException} naming the file, the structure being read and the absolute byte offset.
 *
 * <p>{@link #structure(String)} names what is being read, so errors say {@code tensor info #12 at byte 4096}.
 */
public final class ByteCursor {
    // Constant layouts (LittleEndian, BigEndian): withOrder() per read made a new layout and a var-handle lookup
    // each time, which profiles of header parsing showed as a leading cost.

    private final MemorySegment segment;
    private final long base;
    private final String format;
    private final Path file;
    private long position;
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    private String structure = "file";
    /** When not negative, the structure is {@code structure + " #" + structureIndex}, built only when asked for. */
    private long structureIndex = -1;

    /**
     * @param segment the bytes to read
     * @param base the absolute file offset of the segment's first byte (for error messages)
     */
    public ByteCursor(MemorySegment segment, long base, String format, Path file) {
        this.segment = segment;
        this.base = base;
        this.format = format;
        this.file = file;
    }

    /** A cursor over a whole mapped file. */
    public static ByteCursor of(MappedFile mapped, String format) {
        return new ByteCursor(mapped.segment(), 0, format, mapped.path());
    }

    /** A cursor over {@code length} bytes starting at the current position (which this cursor skips past). */
    public ByteCursor split(long length) {
        require(length);
        ByteCursor c = new ByteCursor(segment.asSlice(position, length), base + position, format, file);
        c.order = order;
        c.structure = structure;
        c.structureIndex = structureIndex;
        position += length;
        return c;
    }

    /** Sets the byte order of multi-byte reads. */
    public ByteCursor order(ByteOrder newOrder) {
        this.order = newOrder;
        return this;
    }

    /** The byte order of multi-byte reads. */
    public ByteOrder order() { return order; }

    /** Names the structure now being read, for error messages. */
    public ByteCursor structure(String name) {
        this.structure = name;
        this.structureIndex = -1;
        return this;
    }

    /**
     * Names the structure now being read {@code name + " #" + index}: the name of one of many (the 2,000th
     * initializer), composed only if an error or {@link #structure()} needs it.
     */
    public ByteCursor structure(String name, long index) {
        this.structure = name;
        this.structureIndex = index;
        return this;
    }

    /** The structure now being read. */
    public String structure() { return structureIndex < 0 ? structure : structure + " #" + structureIndex; }

    /** Position relative to the segment start. */
    public long position() { return position; }

    /** The absolute file offset of the position. */
    public long absolutePosition() { return base + position; }

    /** Moves to {@code newPosition} (relative to the segment start), which must be within the segment. */
    public ByteCursor seek(long newPosition) {
        if (newPosition < 0 || newPosition > segment.byteSize()) {
            throw fail("offset " + (base + newPosition) + " is outside the " + describeLength());
        }
        position = newPosition;
        return this;
    }

    /** Bytes left. */
    public long remaining() { return segment.byteSize() - position; }

    /** The segment this cursor reads. */
    public MemorySegment segment() { return segment; }

    /** Fails unless {@code n} bytes remain. */
    public void require(long n) {
        if (n < 0 || n > remaining()) {
            throw fail("needs " + n + " bytes but only " + remaining() + " remain");
        }
    }

    /**
     * Fails unless {@code count} items of at least {@code minBytesEach} bytes can fit in what remains: call before
     * allocating anything sized by a count the file claims.
     */
    public void requireCount(long count, long minBytesEach, String what) {
        if (count < 0) throw fail(what + " count " + Long.toUnsignedString(count) + " is negative or above 2^63");
        long bytes = minBytesEach == 0 ? 0 : (count > remaining() / minBytesEach ? Long.MAX_VALUE : count * minBytesEach);
        if (bytes > remaining()) {
            throw fail(what + " count " + count + " needs at least " + (bytes == Long.MAX_VALUE ? "more than "
                    + remaining() : bytes) + " bytes but only " + remaining() + " remain");
        }
    }

    public void skip(long n) {
        require(n);
        position += n;
    }

    public int u8() {
        require(1);
        return segment.get(ValueLayout.JAVA_BYTE, position++) & 0xFF;
    }

    public byte i8() {
        require(1);
        return segment.get(ValueLayout.JAVA_BYTE, position++);
    }

    public short i16() {
        require(2);
        short v = segment.get(order == ByteOrder.LITTLE_ENDIAN ? LittleEndian.SHORT : BigEndian.SHORT, position);
        position += 2;
        return v;
    }

    public int u16() { return i16() & 0xFFFF; }

    public int i32() {
        require(4);
        int v = segment.get(order == ByteOrder.LITTLE_ENDIAN ? LittleEndian.INT : BigEndian.INT, position);
        position += 4;
        return v;
    }

    public long u32() { return i32() & 0xFFFFFFFFL; }

    /** A 64-bit value; unsigned values above 2^63 come back negative (check before using as a size). */
    public long i64() {
        require(8);
        long v = segment.get(order == ByteOrder.LITTLE_ENDIAN ? LittleEndian.LONG : BigEndian.LONG, position);
        position += 8;
        return v;
    }

    /** An unsigned 64-bit size or count that must fit a non-negative long. */
    public long u64Size(String what) {
        long at = position;
        long v = i64();
        if (v < 0) throw failAt(at, what + " " + Long.toUnsignedString(v) + " is larger than 2^63-1");
        return v;
    }

    public float f32() { return Float.intBitsToFloat(i32()); }

    public double f64() { return Double.longBitsToDouble(i64()); }

    /** The next {@code n} bytes as a slice (no copy). */
    public MemorySegment slice(long n) {
        require(n);
        MemorySegment s = segment.asSlice(position, n);
        position += n;
        return s;
    }

    /** The next {@code n} bytes copied to an array; {@code n} must be at most {@code Integer.MAX_VALUE - 8}. */
    public byte[] bytes(long n) {
        require(n);
        if (n > Integer.MAX_VALUE - 8) throw fail(n + " bytes do not fit in one array");
        byte[] b = segment.asSlice(position, n).toArray(ValueLayout.JAVA_BYTE);
        position += n;
        return b;
    }

    /** The next {@code n} bytes decoded as strict UTF-8 (malformed sequences fail). */
    public String utf8(long n) {
        long at = position;
        byte[] b = bytes(n);
        if (isAscii(b)) return new String(b, StandardCharsets.ISO_8859_1); // names mostly are: no decoder needed
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw failAt(at, "string of " + n + " bytes is not valid UTF-8");
        }
    }

    private static boolean isAscii(byte[] b) {
        for (byte x : b) if (x < 0) return false;
        return true;
    }

    /** An error at the current position in the current structure. */
    public MalformedFileException fail(String what) {
        return failAt(position, what);
    }

    /** An error at {@code relativePosition} in the current structure. */
    public MalformedFileException failAt(long relativePosition, String what) {
        return new MalformedFileException(format, file, structure(), base + relativePosition, what);
    }

    private String describeLength() {
        return base == 0 ? "file of " + (segment.byteSize()) + " bytes"
                : "range [" + base + ", " + (base + segment.byteSize()) + ")";
    }
}
