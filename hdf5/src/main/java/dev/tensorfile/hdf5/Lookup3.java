package dev.tensorfile.hdf5;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Bob Jenkins' lookup3 {@code hashlittle}, the checksum of every version-2 metadata structure (spec II.C,
 * "H5_checksum_lookup3"), computed over bytes with an initial value of 0.
 */
final class Lookup3 {
    /** One constant: a layout derived per call goes through the JDK's var-handle cache each time (slow). */
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private Lookup3() {}

    static int hash(MemorySegment s, long offset, long length) {
        int a, b, c;
        a = b = c = 0xdeadbeef + (int) length;
        long p = offset;
        long left = length;
        while (left > 12) {
            a += word(s, p);
            b += word(s, p + 4);
            c += word(s, p + 8);
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            p += 12;
            left -= 12;
        }
        if (left == 0) return c;
        int[] k = new int[12];
        for (int i = 0; i < left; i++) k[i] = s.get(ValueLayout.JAVA_BYTE, p + i) & 0xFF;
        a += k[0] | k[1] << 8 | k[2] << 16 | k[3] << 24;
        b += k[4] | k[5] << 8 | k[6] << 16 | k[7] << 24;
        c += k[8] | k[9] << 8 | k[10] << 16 | k[11] << 24;
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }

    private static int word(MemorySegment s, long p) {
        return s.get(LE_INT, p);
    }
}
