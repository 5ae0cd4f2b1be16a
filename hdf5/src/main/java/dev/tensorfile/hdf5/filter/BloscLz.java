package dev.tensorfile.hdf5.filter;

import dev.tensorfile.hdf5.format.AddressSpace;

/**
 * BloscLZ decompression (Blosc's own codec, derived from FastLZ level 2; facts from c-blosc's {@code blosclz.c}).
 * A stream is instructions, the first always a literal run: a control byte below 32 copies that many plus one
 * bytes; otherwise its top 3 bits are a match length (7 meaning more in the following bytes, each 255 adding and
 * continuing), its low 5 bits and the next byte a distance minus one, and a distance of 8191 + 255 announces a
 * 16-bit big-endian far distance. Matches copy byte by byte, so they may overlap what they produce.
 */
final class BloscLz {
    private static final int MAX_DISTANCE = 8191;

    private BloscLz() {}

    /** Decodes {@code in[ip, ip+length)} into {@code out[op, op+max)}; answers the bytes written. */
    static int decompress(AddressSpace space, byte[] in, int ip, int length, byte[] out, int op, int max, long where) {
        if (length == 0) return 0;
        int end = ip + length;
        int start = op;
        int limit = op + max;
        int ctrl = in[ip++] & 31;
        while (true) {
            if (ctrl >= 32) {
                int len = (ctrl >>> 5) - 1;
                int ofs = (ctrl & 31) << 8;
                if (len == 6) {
                    int code;
                    do {
                        if (ip + 1 >= end) throw truncated(space, where);
                        code = in[ip++] & 0xFF;
                        len += code;
                    } while (code == 255);
                } else if (ip + 1 >= end) {
                    throw truncated(space, where);
                }
                int code = in[ip++] & 0xFF;
                len += 3;
                long distance = ofs + code + 1L;
                if (code == 255 && ofs == 31 << 8) {
                    if (ip + 1 >= end) throw truncated(space, where);
                    distance = ((in[ip] & 0xFF) << 8 | (in[ip + 1] & 0xFF)) + MAX_DISTANCE + 1L;
                    ip += 2;
                }
                if (op + len > limit) throw Filters.bad(space, where, "BloscLZ match runs past the block's " + max + " bytes");
                if (distance > op - start) throw Filters.bad(space, where, "BloscLZ match distance " + distance + " is before the block");
                int ref = (int) (op - distance);
                for (int k = 0; k < len; k++) out[op++] = out[ref++];
            } else {
                int run = ctrl + 1;
                if (op + run > limit) throw Filters.bad(space, where, "BloscLZ literals run past the block's " + max + " bytes");
                if (ip + run > end) throw truncated(space, where);
                System.arraycopy(in, ip, out, op, run);
                ip += run;
                op += run;
            }
            if (ip >= end) break;
            ctrl = in[ip++] & 0xFF;
        }
        return op - start;
    }

    private static RuntimeException truncated(AddressSpace space, long where) {
        return Filters.bad(space, where, "BloscLZ stream is truncated");
    }
}
