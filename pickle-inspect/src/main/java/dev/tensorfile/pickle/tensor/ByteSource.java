package dev.tensorfile.pickle.tensor;

import dev.tensorfile.core.spi.ZipArchive;

import java.lang.foreign.MemorySegment;

/** Where a storage's bytes are: a view of the mapping, or a deflated ZIP entry decoded on read. */
public sealed interface ByteSource {
    long size();

    /** The bytes as a view of the mapping, or null when they must be decoded. */
    MemorySegment view();

    /** Copies {@code dst.byteSize()} bytes from {@code offset}. */
    void read(long offset, MemorySegment dst);

    /** A part of this source. */
    default ByteSource slice(long offset, long length) {
        if (offset < 0 || length < 0 || offset > size() - length) {
            throw new IndexOutOfBoundsException("[" + offset + ", " + (offset + length) + ") outside " + size());
        }
        if (view() != null) return new Mapped(view().asSlice(offset, length));
        return new Window(this, offset, length);
    }

    /** Bytes that are in memory or in the mapping as they are. */
    record Mapped(MemorySegment segment) implements ByteSource {
        @Override public long size() { return segment.byteSize(); }
        @Override public MemorySegment view() { return segment; }
        @Override public void read(long offset, MemorySegment dst) { MemorySegment.copy(segment, offset, dst, 0, dst.byteSize()); }
    }

    /** A part of a decoded source. */
    record Window(ByteSource parent, long offset, long length) implements ByteSource {
        @Override public long size() { return length; }
        @Override public MemorySegment view() { return null; }
        @Override public void read(long at, MemorySegment dst) { parent.read(offset + at, dst); }
    }

    /** A deflated ZIP entry, inflated on read by core's bounded inflater. */
    public record Inflating(ZipArchive.Inflating entry) implements ByteSource {
        @Override public long size() { return entry.size(); }
        @Override public MemorySegment view() { return null; }
        @Override public void read(long offset, MemorySegment dst) { entry.read(offset, dst); }
    }
}
