package dev.tensorfile.hdf5.filter;

import dev.tensorfile.hdf5.format.AddressSpace;

/** The LZF filter (id 32000, h5py's {@code lzf_filter.c} over liblzf's {@code lzf_decompress}), bounded output. */
final class Lzf {
    private Lzf() {}

    static byte[] decode(AddressSpace space, byte[] in, int limit, long where) {
        byte[] out = new byte[limit];
        int ip = 0, op = 0;
        try {
            while (ip < in.length) {
                int ctrl = in[ip++] & 0xFF;
                if (ctrl < 32) {
                    int len = ctrl + 1;
                    if (op + len > limit) throw Filters.bad(space, where, "LZF stream decodes past the chunk's " + limit + " bytes");
                    if (ip + len > in.length) throw Filters.bad(space, where, "LZF literal run is truncated");
                    System.arraycopy(in, ip, out, op, len);
                    ip += len;
                    op += len;
                } else {
                    int len = ctrl >> 5;
                    int ref = op - ((ctrl & 0x1f) << 8) - 1;
                    if (len == 7) len += in[ip++] & 0xFF;
                    ref -= in[ip++] & 0xFF;
                    len += 2;
                    if (ref < 0) throw Filters.bad(space, where, "LZF back reference before the start of the chunk");
                    if (op + len > limit) throw Filters.bad(space, where, "LZF stream decodes past the chunk's " + limit + " bytes");
                    for (int k = 0; k < len; k++) out[op++] = out[ref++];
                }
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw Filters.bad(space, where, "LZF stream is truncated");
        }
        return op == limit ? out : java.util.Arrays.copyOf(out, op);
    }
}
