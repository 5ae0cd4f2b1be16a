package dev.tensorfile.pickle.archive;

import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** An InputStream over a segment. */
final class SegmentInputStream extends InputStream {
    private final MemorySegment s;
    private long pos;

    SegmentInputStream(MemorySegment s) { this.s = s; }

    @Override public int read() { return pos < s.byteSize() ? s.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF : -1; }

    @Override
    public int read(byte[] b, int off, int len) {
        if (pos >= s.byteSize()) return -1;
        int n = (int) Math.min(len, s.byteSize() - pos);
        MemorySegment.copy(s, ValueLayout.JAVA_BYTE, pos, b, off, n);
        pos += n;
        return n;
    }
}
