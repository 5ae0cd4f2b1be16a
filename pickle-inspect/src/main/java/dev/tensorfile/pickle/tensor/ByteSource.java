package dev.tensorfile.pickle.tensor;

import dev.tensorfile.core.MalformedFileException;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

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

    /**
     * A deflated ZIP entry, inflated on read. Sequential reads continue where the last one stopped; a read before
     * that position starts again from the entry's beginning. Inflating more or fewer bytes than the directory says
     * is an error, so memory and time stay bounded by the entry's declared size.
     */
    final class Inflating implements ByteSource {
        private final MemorySegment compressed;
        private final long size;
        private final Path file;
        private final String entry;
        private Inflater inflater;
        private long position;

        public Inflating(MemorySegment compressed, long size, Path file, String entry) {
            this.compressed = compressed;
            this.size = size;
            this.file = file;
            this.entry = entry;
        }

        @Override public long size() { return size; }
        @Override public MemorySegment view() { return null; }

        @Override
        public synchronized void read(long offset, MemorySegment dst) {
            if (offset < 0 || offset > size - dst.byteSize()) {
                throw new IndexOutOfBoundsException(entry + ": [" + offset + ", " + (offset + dst.byteSize()) + ") outside " + size);
            }
            if (inflater == null || offset < position) {
                if (inflater != null) inflater.end();
                inflater = new Inflater(true);
                inflater.setInput(compressed.asByteBuffer());
                position = 0;
            }
            byte[] buf = new byte[(int) Math.min(1 << 16, Math.max(1, size))];
            try {
                while (position < offset) {
                    int n = inflater.inflate(buf, 0, (int) Math.min(buf.length, offset - position));
                    if (n == 0) throw truncated();
                    position += n;
                }
                long done = 0;
                while (done < dst.byteSize()) {
                    int n = inflater.inflate(buf, 0, (int) Math.min(buf.length, dst.byteSize() - done));
                    if (n == 0) throw truncated();
                    MemorySegment.copy(MemorySegment.ofArray(buf), 0, dst, done, n);
                    done += n;
                    position += n;
                }
            } catch (DataFormatException e) {
                throw new MalformedFileException("zip", file, "zip entry '" + entry + "'", -1, "deflate data is corrupt: " + e.getMessage());
            }
        }

        private MalformedFileException truncated() {
            return new MalformedFileException("zip", file, "zip entry '" + entry + "'", -1,
                    "inflates to " + position + " bytes, fewer than the " + size + " its directory entry says");
        }
    }
}
