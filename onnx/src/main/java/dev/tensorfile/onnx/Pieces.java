package dev.tensorfile.onnx;

import dev.tensorfile.core.spi.WireReader;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A protobuf message planned before any data is written: a sequence of pieces whose sizes are all known, so every
 * length prefix is computed up front and tensor data can stream in afterwards (protobuf.dev encoding: a LEN field
 * is its key, a varint length, then the bytes).
 */
final class Pieces {
    /** Bytes of a piece of the output. */
    sealed interface Piece permits Literal, Source, Data {
        long size();
    }

    /** Bytes made here (keys, lengths, small fields). */
    record Literal(byte[] bytes) implements Piece {
        public long size() { return bytes.length; }
    }

    /** Bytes copied as they are from the source model. */
    record Source(MemorySegment bytes) implements Piece {
        public long size() { return bytes.byteSize(); }
    }

    /** A tensor's data, streamed in by the writer's sink. */
    record Data(String name, long length) implements Piece {
        public long size() { return length; }
    }

    final List<Piece> list = new ArrayList<>();
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private long size;

    long size() { return size + pending.size(); }

    /** The pieces, with pending literal bytes flushed. */
    List<Piece> pieces() {
        flush();
        return list;
    }

    private void flush() {
        if (pending.size() > 0) {
            list.add(new Literal(pending.toByteArray()));
            size += pending.size();
            pending.reset();
        }
    }

    Pieces bytes(byte[] b) {
        pending.writeBytes(b);
        return this;
    }

    Pieces source(MemorySegment s) {
        if (s.byteSize() == 0) return this;
        flush();
        list.add(new Source(s));
        size += s.byteSize();
        return this;
    }

    Pieces data(String name, long length) {
        flush();
        list.add(new Data(name, length));
        size += length;
        return this;
    }

    Pieces varint(long v) {
        while ((v & ~0x7FL) != 0) {
            pending.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        pending.write((int) v);
        return this;
    }

    Pieces tag(int field, int wireType) { return varint(((long) field << 3) | wireType); }

    Pieces int64(int field, long v) { return tag(field, WireReader.VARINT).varint(v); }

    Pieces string(int field, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return tag(field, WireReader.LEN).varint(b.length).bytes(b);
    }

    /** Appends {@code child} as the LEN field {@code field}. */
    Pieces message(int field, Pieces child) {
        tag(field, WireReader.LEN).varint(child.size());
        child.flush();
        flush();
        list.addAll(child.list);
        size += child.size;
        return this;
    }

    /** Appends every piece of {@code other} as it is (no key). */
    Pieces append(Pieces other) {
        other.flush();
        flush();
        list.addAll(other.list);
        size += other.size;
        return this;
    }

    static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }
}
