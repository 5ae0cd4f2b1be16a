package dev.tensorfile.safetensors;

import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Reads a mapped segment as a stream, so the JSON parser sees the header without a heap copy of it. */
final class SegmentInputStream extends InputStream {
    private final MemorySegment segment;
    private long position;

    SegmentInputStream(MemorySegment segment) { this.segment = segment; }

    @Override
    public int read() {
        return position < segment.byteSize() ? segment.get(ValueLayout.JAVA_BYTE, position++) & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        long left = segment.byteSize() - position;
        if (len == 0) return 0;
        if (left <= 0) return -1;
        int n = (int) Math.min(len, left);
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public int available() { return (int) Math.min(Integer.MAX_VALUE, segment.byteSize() - position); }
}
