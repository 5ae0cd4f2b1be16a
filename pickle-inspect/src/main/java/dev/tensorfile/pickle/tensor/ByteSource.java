package dev.tensorfile.pickle.tensor;

import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.ZipArchive;

import java.lang.foreign.MemorySegment;

/** Where a storage's bytes are: a view of the mapping, or a deflated ZIP entry decoded on read. */
public sealed interface ByteSource {
    long size();

    /** The bytes as a view of the mapping, or null when they must be decoded. */
    MemorySegment view();

    /** Copies {@code dst.byteSize()} bytes from {@code offset}. */
    void read(long offset, MemorySegment dst);

    /** True if {@link #view()} is not null, answered without locating the bytes. */
    default boolean viewable() { return view() != null; }

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

    /**
     * Bytes of a remote file's mapping, not fetched yet: the view goes to a tensor that requires what it reads
     * ({@code SegmentTensor}); a read here fetches the whole source first (a strided gather reads all of it).
     */
    record Fetching(MemorySegment segment, MappedFile file) implements ByteSource {
        @Override public long size() { return segment.byteSize(); }
        @Override public MemorySegment view() { return segment; }

        @Override
        public void read(long offset, MemorySegment dst) {
            file.require(segment);
            MemorySegment.copy(segment, offset, dst, 0, dst.byteSize());
        }

        @Override
        public ByteSource slice(long offset, long length) {
            java.util.Objects.checkFromIndexSize(offset, length, size());
            return new Fetching(segment.asSlice(offset, length), file);
        }
    }

    /**
     * A source located only when first used: a remote archive's storage record, whose local header (where its
     * bytes start) is fetched then rather than at open, so that opening costs no request per storage.
     */
    final class Deferred implements ByteSource {
        private final long size;
        private final boolean viewable;
        private final java.util.function.Supplier<ByteSource> locate;
        private volatile ByteSource located;

        /**
         * @param viewable whether the located source will have a view
         * @param locate finds the source; its size must be {@code size}
         */
        public Deferred(long size, boolean viewable, java.util.function.Supplier<ByteSource> locate) {
            this.size = size;
            this.viewable = viewable;
            this.locate = locate;
        }

        /** The source, located now if it was not yet. */
        public synchronized ByteSource located() {
            if (located == null) located = locate.get();
            return located;
        }

        @Override public long size() { return size; }
        @Override public boolean viewable() { return viewable; }
        @Override public MemorySegment view() { return located().view(); }
        @Override public void read(long offset, MemorySegment dst) { located().read(offset, dst); }

        @Override
        public ByteSource slice(long offset, long length) {
            java.util.Objects.checkFromIndexSize(offset, length, size);
            return new Deferred(length, viewable, () -> located().slice(offset, length));
        }
    }
}
