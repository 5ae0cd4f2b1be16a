package dev.tensorfile.gguf;

import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ValueType;
import dev.tensorfile.core.spi.ByteCursor;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * The elements of a long GGUF metadata array, decoded one at a time when asked for: a 150,000-token vocabulary is
 * an index of offsets, not 150,000 strings, until someone reads it. Fixed-size elements are found by arithmetic;
 * strings and nested arrays through the offsets the reader recorded in its one pass over the payload.
 *
 * <p>A view of the file's mapping: usable until the file is closed (then {@link IllegalStateException}).
 * Thread-safe: every access reads through its own cursor.
 */
final class GgufArray extends AbstractList<MetadataValue> implements RandomAccess {
    private final GgufValueReader reader;
    private final ValueType element;
    private final int size;
    private final long start;
    private final int stride;
    private final long[] offsets;
    private final int depth;

    private GgufArray(GgufValueReader reader, ValueType element, int size, long start, int stride, long[] offsets,
            int depth) {
        this.reader = reader;
        this.element = element;
        this.size = size;
        this.start = start;
        this.stride = stride;
        this.offsets = offsets;
        this.depth = depth;
    }

    /** {@code size} elements of {@code stride} bytes each from absolute offset {@code start}. */
    static GgufArray fixed(GgufValueReader reader, ValueType element, int size, long start, int stride, int depth) {
        return new GgufArray(reader, element, size, start, stride, null, depth);
    }

    /** Strings or arrays that start at the given absolute offsets. */
    static GgufArray indexed(GgufValueReader reader, ValueType element, long[] offsets, int depth) {
        return new GgufArray(reader, element, offsets.length, 0, 0, offsets, depth);
    }

    @Override
    public MetadataValue get(int index) {
        if (index < 0 || index >= size) throw new IndexOutOfBoundsException("index " + index + " of " + size);
        long at = offsets != null ? offsets[index] : start + (long) index * stride;
        ByteCursor c = reader.cursorAt(at, "array element #" + index);
        return reader.value(c, element, depth);
    }

    @Override
    public int size() { return size; }
}
