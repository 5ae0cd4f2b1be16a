package dev.tensorfile.hdf5.filter;

import dev.tensorfile.hdf5.format.AddressSpace;

import java.util.Arrays;

/**
 * The Blosc filter (id 32001, Blosc/hdf5-blosc {@code H5Zblosc.c}): each chunk is one c-blosc 1.x buffer, a 16-byte
 * header (format version, codec format version, flags, element size, then little-endian 32-bit uncompressed size,
 * block size and compressed size), the start of every block, and the blocks. A block is compressed whole or, when
 * the header does not say "don't split", as one stream per byte of the element; each stream is its compressed size
 * then its bytes, stored raw when that size equals the stream's. The flags name the codec (bits 5-7: BloscLZ, LZ4,
 * Snappy, zlib, Zstd) and the shuffle undone per block after it (bit 0 byte shuffle, bit 2 bit shuffle).
 * Facts from the Blosc chunk format description (README_CHUNK_FORMAT) and c-blosc's {@code blosc_d}.
 *
 * <p>The output is never larger than the chunk: a header declaring more is refused before anything is allocated,
 * and every stream decodes into its own slice of the output.
 */
final class Blosc {
    static final int HEADER = 16;
    private static final int DOSHUFFLE = 0x1, MEMCPYED = 0x2, DOBITSHUFFLE = 0x4, DONT_SPLIT = 0x10;
    /** c-blosc's MAX_SPLITS and MIN_BUFFERSIZE: blocks written before the "don't split" flag existed split by these. */
    private static final int MAX_SPLITS = 16, MIN_BUFFERSIZE = 128;
    static final String[] CODECS = {"blosclz", "lz4", "snappy", "zlib", "zstd"};

    private Blosc() {}

    static byte[] decode(AddressSpace space, byte[] in, int limit, long where) {
        if (in.length < HEADER) throw Filters.bad(space, where, "Blosc chunk of " + in.length + " bytes has no 16-byte header");
        int version = in[0] & 0xFF;
        int flags = in[2] & 0xFF;
        int typesize = in[3] & 0xFF;
        long nbytes = le32(in, 4), blocksize = le32(in, 8), cbytes = le32(in, 12);
        if (version < 1 || version > 5) throw Filters.bad(space, where, "Blosc format version " + version + " is not 1 to 5");
        if ((flags & 0x7) == 0x7) {
            throw Filters.unsupported(space, where, "Blosc2 chunks with an extended header");
        }
        if (nbytes > limit) throw Filters.bad(space, where, "Blosc header claims " + nbytes + " bytes where the chunk holds " + limit);
        if (cbytes > in.length || cbytes < HEADER) {
            throw Filters.bad(space, where, "Blosc header claims " + cbytes + " compressed bytes where the chunk has " + in.length);
        }
        if (typesize == 0) throw Filters.bad(space, where, "Blosc element size 0 is invalid");
        byte[] out = new byte[(int) nbytes];
        if (nbytes == 0) return out;
        if ((flags & MEMCPYED) != 0) {
            if (HEADER + nbytes > cbytes) throw Filters.bad(space, where, "Blosc stored buffer of " + nbytes + " bytes is truncated");
            System.arraycopy(in, HEADER, out, 0, (int) nbytes);
            return out;
        }
        if (blocksize <= 0) throw Filters.bad(space, where, "Blosc block size " + blocksize + " is invalid");
        blocksize = Math.min(blocksize, nbytes);
        long nblocks = (nbytes + blocksize - 1) / blocksize;
        if (HEADER + nblocks * 4 > cbytes) throw Filters.bad(space, where, "Blosc block starts of " + nblocks + " blocks are truncated");
        int codec = flags >>> 5;
        byte[] tmp = new byte[(int) blocksize];
        for (int j = 0; j < nblocks; j++) {
            int start = (int) le32(in, HEADER + 4 * j);
            int bsize = (int) Math.min(blocksize, nbytes - (long) j * blocksize);
            boolean leftover = bsize < blocksize;
            boolean byteShuffle = (flags & DOSHUFFLE) != 0 && typesize > 1;
            boolean bitShuffle = (flags & DOBITSHUFFLE) != 0 && bsize >= typesize;
            int nsplits = (flags & DONT_SPLIT) == 0 && typesize <= MAX_SPLITS && blocksize / typesize >= MIN_BUFFERSIZE
                    && !leftover ? typesize : 1;
            int neblock = bsize / nsplits;
            byte[] dst = byteShuffle || bitShuffle ? tmp : out;
            int op = byteShuffle || bitShuffle ? 0 : (int) (j * blocksize);
            int ip = start;
            for (int s = 0; s < nsplits; s++) {
                if (ip < HEADER || ip > cbytes - 4) throw Filters.bad(space, where, "Blosc block " + j + " starts outside the buffer");
                long csize = le32(in, ip);
                ip += 4;
                if (csize > cbytes - ip) throw Filters.bad(space, where, "Blosc stream of " + csize + " bytes in block " + j + " is truncated");
                int n = (int) csize;
                if (n == neblock) {
                    System.arraycopy(in, ip, dst, op, neblock);
                } else {
                    int got = switch (codec) {
                        case 0 -> BloscLz.decompress(space, in, ip, n, dst, op, neblock, where);
                        case 1 -> Lz4.block(space, in, ip, n, dst, op, neblock, where);
                        case 3 -> inflate(space, in, ip, n, dst, op, neblock, where);
                        case 4 -> Zstd.decompress(space, in, ip, n, dst, op, neblock, where);
                        default -> throw Filters.unsupported(space, where, "Blosc codec " + (codec < CODECS.length ? CODECS[codec] : codec));
                    };
                    if (got != neblock) throw Filters.bad(space, where, "Blosc stream in block " + j + " decodes to " + got + " bytes, not " + neblock);
                }
                ip += n;
                op += neblock;
            }
            int at = (int) (j * blocksize);
            if (byteShuffle) {
                unshuffle(tmp, out, at, bsize, typesize);
            } else if (bitShuffle) {
                int elements = bsize / typesize;
                if (elements % 8 == 0) {
                    Bitshuffle.untranspose(tmp, 0, out, at, elements, typesize);
                    System.arraycopy(tmp, elements * typesize, out, at + elements * typesize, bsize - elements * typesize);
                } else {
                    // c-blosc bit-shuffles only whole groups of 8 elements; other blocks are stored as they are
                    System.arraycopy(tmp, 0, out, at, bsize);
                }
            }
        }
        return out;
    }

    /** Byte unshuffle of one block: byte k of element i was at {@code k * (size / typesize) + i}; the tail as is. */
    private static void unshuffle(byte[] src, byte[] out, int at, int size, int typesize) {
        int n = size / typesize;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < typesize; k++) out[at + i * typesize + k] = src[k * n + i];
        }
        System.arraycopy(src, n * typesize, out, at + n * typesize, size - n * typesize);
    }

    private static int inflate(AddressSpace space, byte[] in, int ip, int length, byte[] out, int op, int max, long where) {
        byte[] got = Filters.inflate(space, Arrays.copyOfRange(in, ip, ip + length), max, where);
        System.arraycopy(got, 0, out, op, got.length);
        return got.length;
    }

    static long le32(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }
}
