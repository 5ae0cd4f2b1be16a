package dev.tensorfile.hdf5.filter;

import dev.tensorfile.hdf5.format.AddressSpace;

/**
 * LZ4 block decompression and the HDF5 LZ4 filter's framing (id 32004, HDFGroup/hdf5_plugins {@code H5Zlz4.c}:
 * 8-byte big-endian original size, 4-byte big-endian block size, then per block a 4-byte big-endian compressed
 * size and the block, stored raw when compression did not help). Output is bounded.
 */
final class Lz4 {
    private Lz4() {}

    static byte[] decodeHdf5(AddressSpace space, byte[] in, int limit, long where) {
        if (in.length < 12) throw Filters.bad(space, where, "LZ4 chunk of " + in.length + " bytes has no header");
        long total = be64(in, 0);
        long block = be32(in, 8);
        if (total < 0 || total > limit) throw Filters.bad(space, where, "LZ4 header claims " + total + " bytes where the chunk holds " + limit);
        if (block <= 0 && total > 0) throw Filters.bad(space, where, "LZ4 block size " + block + " is invalid");
        byte[] out = new byte[(int) total];
        int ip = 12, op = 0;
        while (op < total) {
            if (ip + 4 > in.length) throw Filters.bad(space, where, "LZ4 stream is truncated");
            int expect = (int) Math.min(block, total - op);
            long csize = be32(in, ip);
            ip += 4;
            if (csize < 0 || csize > in.length - ip) throw Filters.bad(space, where, "LZ4 block of " + csize + " bytes is truncated");
            if (csize == expect) {
                System.arraycopy(in, ip, out, op, expect);
            } else {
                int n = block(space, in, ip, (int) csize, out, op, expect, where);
                if (n != expect) throw Filters.bad(space, where, "LZ4 block decodes to " + n + " bytes, not " + expect);
            }
            ip += (int) csize;
            op += expect;
        }
        return out;
    }

    /** Decodes one LZ4 block into {@code out[op, op+max)}; answers the bytes written. */
    static int block(AddressSpace space, byte[] in, int ip, int length, byte[] out, int op, int max, long where) {
        int end = ip + length;
        int start = op;
        int limit = op + max;
        try {
            while (ip < end) {
                int token = in[ip++] & 0xFF;
                int lit = token >>> 4;
                if (lit == 15) {
                    int b;
                    do { b = in[ip++] & 0xFF; lit += b; } while (b == 255);
                }
                if (op + lit > limit || ip + lit > end) throw Filters.bad(space, where, "LZ4 literals run past the block");
                System.arraycopy(in, ip, out, op, lit);
                ip += lit;
                op += lit;
                if (ip >= end) break;
                int offset = (in[ip] & 0xFF) | (in[ip + 1] & 0xFF) << 8;
                ip += 2;
                int len = token & 15;
                if (len == 15) {
                    int b;
                    do { b = in[ip++] & 0xFF; len += b; } while (b == 255);
                }
                len += 4;
                int ref = op - offset;
                if (offset == 0 || ref < start) throw Filters.bad(space, where, "LZ4 match offset " + offset + " is before the block");
                if (op + len > limit) throw Filters.bad(space, where, "LZ4 block decodes past the chunk");
                for (int k = 0; k < len; k++) out[op++] = out[ref++];
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw Filters.bad(space, where, "LZ4 block is truncated");
        }
        return op - start;
    }

    static long be64(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = v << 8 | (b[at + i] & 0xFF);
        return v;
    }

    static long be32(byte[] b, int at) {
        return ((long) (b[at] & 0xFF) << 24) | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }
}
