package dev.tensorfile.tensorflow;

import dev.tensorfile.core.spi.ByteCursor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Snappy's raw block format (google/snappy {@code format_description.txt}): a varint of the uncompressed length,
 * then literals and back-references. The length is checked against a limit and against what the compressed bytes
 * could possibly produce before anything is allocated, so a small block cannot claim gigabytes.
 */
final class Snappy {
    /**
     * The most a compressed byte can become: a 3-byte copy (tag 10) yields at most 64 bytes, and nothing yields more
     * per input byte; rounded up.
     */
    static final long MAX_EXPANSION = 22;

    private Snappy() {}

    /**
     * Decompresses the whole of {@code in}'s remaining bytes.
     *
     * @param maxLength the largest uncompressed length accepted
     * @throws dev.tensorfile.core.MalformedFileException if the stream is malformed, claims more than
     *     {@code maxLength} or more than its bytes can hold, or does not produce exactly the length it claims
     */
    static byte[] decompress(ByteCursor in, long maxLength) {
        long start = in.position();
        long length = varint32(in);
        long compressed = in.remaining();
        if (length > MAX_EXPANSION * compressed + 32) {
            throw in.failAt(start, "snappy block claims " + length + " uncompressed bytes from " + compressed
                    + " compressed bytes, more than snappy can expand them");
        }
        if (length > maxLength) {
            throw in.failAt(start, "snappy block claims " + length + " uncompressed bytes; at most " + maxLength + " are accepted");
        }
        byte[] out = new byte[(int) length];
        int op = 0;
        while (in.remaining() > 0) {
            long tagAt = in.position();
            int tag = in.u8();
            int kind = tag & 3;
            if (kind == 0) {
                long n = tag >>> 2;
                if (n >= 60) {
                    int bytes = (int) n - 59;
                    if (in.remaining() < bytes) throw in.failAt(tagAt, "snappy literal length is cut off");
                    n = 0;
                    for (int i = 0; i < bytes; i++) n |= (long) in.u8() << (8 * i);
                }
                n += 1;
                if (n > length - op) throw in.failAt(tagAt, "snappy literal of " + n + " bytes overruns the " + length + " claimed");
                if (n > in.remaining()) throw in.failAt(tagAt, "snappy literal of " + n + " bytes is cut off by the end of the block");
                MemorySegment.copy(in.slice(n), ValueLayout.JAVA_BYTE, 0, out, op, (int) n);
                op += (int) n;
            } else {
                int n;
                long offset;
                if (kind == 1) {
                    n = 4 + ((tag >>> 2) & 7);
                    if (in.remaining() < 1) throw in.failAt(tagAt, "snappy copy is cut off");
                    offset = ((long) (tag >>> 5) << 8) | in.u8();
                } else if (kind == 2) {
                    n = 1 + (tag >>> 2);
                    if (in.remaining() < 2) throw in.failAt(tagAt, "snappy copy is cut off");
                    offset = in.u16();
                } else {
                    n = 1 + (tag >>> 2);
                    if (in.remaining() < 4) throw in.failAt(tagAt, "snappy copy is cut off");
                    offset = in.u32();
                }
                if (offset == 0 || offset > op) {
                    throw in.failAt(tagAt, "snappy copy offset " + offset + " is outside the " + op + " bytes produced");
                }
                if (n > length - op) throw in.failAt(tagAt, "snappy copy of " + n + " bytes overruns the " + length + " claimed");
                int from = op - (int) offset;
                if (offset >= n) {
                    System.arraycopy(out, from, out, op, n);
                } else {
                    for (int i = 0; i < n; i++) out[op + i] = out[from + i]; // overlapping: a run repeats itself
                }
                op += n;
            }
        }
        if (op != length) throw in.fail("snappy block produced " + op + " bytes, not the " + length + " it claims");
        return out;
    }

    private static long varint32(ByteCursor in) {
        long at = in.position();
        long v = 0;
        for (int i = 0; i < 5; i++) {
            if (in.remaining() == 0) throw in.failAt(at, "snappy length varint is cut off");
            int b = in.u8();
            v |= (long) (b & 0x7F) << (7 * i);
            if (b < 0x80) {
                if (v > 0xFFFFFFFFL) throw in.failAt(at, "snappy length varint exceeds 32 bits");
                return v;
            }
        }
        throw in.failAt(at, "snappy length varint is longer than 5 bytes");
    }
}
