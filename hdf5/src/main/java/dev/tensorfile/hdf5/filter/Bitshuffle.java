package dev.tensorfile.hdf5.filter;

import dev.tensorfile.hdf5.format.AddressSpace;

/**
 * The bitshuffle filter (id 32008, kiyo-masui/bitshuffle {@code bshuf_h5filter.c}): blocks of elements whose bits
 * are transposed (all bit 0s of byte 0, then bit 1s, ...), optionally LZ4-compressed per block with a 12-byte
 * header (8-byte big-endian size, 4-byte big-endian block size in bytes). Elements past the last multiple of 8
 * are stored as they are.
 */
final class Bitshuffle {
    private Bitshuffle() {}

    static byte[] decode(AddressSpace space, int[] cd, byte[] in, int limit, long where) {
        int es = cd.length > 2 ? cd[2] : 1;
        int comp = cd.length > 4 ? cd[4] : 0;
        if (es <= 0) throw Filters.bad(space, where, "bitshuffle element size " + es + " is invalid");
        byte[] out;
        int blockElements;
        if (comp == 2) {
            if (in.length < 12) throw Filters.bad(space, where, "bitshuffle chunk has no header");
            long total = Lz4.be64(in, 0);
            long blockBytes = Lz4.be32(in, 8);
            if (total < 0 || total > limit) throw Filters.bad(space, where, "bitshuffle header claims " + total + " bytes where the chunk holds " + limit);
            blockElements = (int) (blockBytes / es);
            if (blockElements <= 0 || blockElements % 8 != 0) throw Filters.bad(space, where, "bitshuffle block of " + blockBytes + " bytes is invalid");
            out = new byte[(int) total];
            int n = (int) (total / es);
            int ip = 12, op = 0;
            for (int done = 0; done + 8 <= n; ) {
                int elems = Math.min(blockElements, (n - done) / 8 * 8);
                int bytes = elems * es;
                if (ip + 4 > in.length) throw Filters.bad(space, where, "bitshuffle stream is truncated");
                long csize = Lz4.be32(in, ip);
                ip += 4;
                if (csize < 0 || csize > in.length - ip) throw Filters.bad(space, where, "bitshuffle block is truncated");
                byte[] tmp = new byte[bytes];
                int got = Lz4.block(space, in, ip, (int) csize, tmp, 0, bytes, where);
                if (got != bytes) throw Filters.bad(space, where, "bitshuffle block decodes to " + got + " bytes, not " + bytes);
                untranspose(tmp, 0, out, op, elems, es);
                ip += (int) csize;
                op += bytes;
                done += elems;
            }
            int rest = (int) total - op;
            if (rest > 0) {
                if (ip + rest > in.length) throw Filters.bad(space, where, "bitshuffle leftover bytes are truncated");
                System.arraycopy(in, ip, out, op, rest);
            }
            return out;
        }
        blockElements = cd.length > 3 && cd[3] > 0 ? cd[3] : Math.max(128, 8192 / es / 8 * 8);
        if (in.length > limit) throw Filters.bad(space, where, "bitshuffle chunk of " + in.length + " bytes exceeds the chunk's " + limit);
        out = new byte[in.length];
        int n = in.length / es;
        int op = 0;
        for (int done = 0; done + 8 <= n; ) {
            int elems = Math.min(blockElements, (n - done) / 8 * 8);
            untranspose(in, op, out, op, elems, es);
            op += elems * es;
            done += elems;
        }
        System.arraycopy(in, op, out, op, in.length - op);
        return out;
    }

    /** Row (b*8+k) of {@code n/8} bytes holds bit k of byte b of every element, element i at bit i%8 of byte i/8. */
    static void untranspose(byte[] in, int ip, byte[] out, int op, int n, int es) {
        int rowBytes = n / 8;
        for (int b = 0; b < es; b++) {
            for (int k = 0; k < 8; k++) {
                int row = ip + (b * 8 + k) * rowBytes;
                for (int j = 0; j < rowBytes; j++) {
                    int bits = in[row + j] & 0xFF;
                    if (bits == 0) continue;
                    for (int t = 0; t < 8; t++) {
                        if ((bits & (1 << t)) != 0) {
                            int i = j * 8 + t;
                            out[op + i * es + b] |= (byte) (1 << k);
                        }
                    }
                }
            }
        }
    }
}
