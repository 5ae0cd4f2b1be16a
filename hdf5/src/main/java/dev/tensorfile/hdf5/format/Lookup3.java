package dev.tensorfile.hdf5.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Bob Jenkins' lookup3 {@code hashlittle}, the checksum of every version-2 metadata structure (spec II.C,
 * "H5_checksum_lookup3"), computed over bytes with an initial value of 0.
 */
public final class Lookup3 {
    private Lookup3() {}

    /**
     * The hash of {@code length} bytes of {@code s} at {@code offset}. The bytes are copied to an array first (one
     * bulk copy): hashing straight from the segment costs a var-handle access per word, which dominated opening a
     * file of thousands of small object headers before the JIT had compiled it.
     */
    public static int hash(MemorySegment s, long offset, long length) {
        if (length > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(length + " bytes to hash");
        byte[] b = new byte[(int) length];
        MemorySegment.copy(s, ValueLayout.JAVA_BYTE, offset, b, 0, b.length);
        return hash(b, 0, b.length);
    }

    static int hash(byte[] k, int offset, int length) {
        int a, b, c;
        a = b = c = 0xdeadbeef + length;
        int p = offset;
        int left = length;
        while (left > 12) {
            a += word(k, p);
            b += word(k, p + 4);
            c += word(k, p + 8);
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
        // the tail, zero-padded to 12 bytes (hashlittle's byte-wise switch)
        int k0 = 0, k1 = 0, k2 = 0;
        for (int i = 0; i < left; i++) {
            int v = (k[p + i] & 0xFF) << (8 * (i & 3));
            if (i < 4) k0 |= v; else if (i < 8) k1 |= v; else k2 |= v;
        }
        a += k0;
        b += k1;
        c += k2;
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }

    private static int word(byte[] k, int p) {
        return (k[p] & 0xFF) | (k[p + 1] & 0xFF) << 8 | (k[p + 2] & 0xFF) << 16 | (k[p + 3] & 0xFF) << 24;
    }
}
