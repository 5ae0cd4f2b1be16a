package dev.tensorfile.hdf5.filter;

import dev.tensorfile.hdf5.format.AddressSpace;

/**
 * The SZIP filter (id 4, libhdf5's {@code H5Zszip.c}) as libaec decodes it: the chunk is a 4-byte little-endian
 * uncompressed size, then a CCSDS 121.0-B Rice-coded stream (Adaptive Entropy Coding) that libaec's szlib
 * interface ({@code SZ_BufftoBuffDecompress}) decodes with the filter's parameters: options mask, pixels per block,
 * bits per pixel, pixels per scanline.
 *
 * <p>The stream is blocks of {@code pixelsPerBlock} samples grouped in reference sample intervals (RSI) of
 * {@code ceil(pixelsPerScanline / pixelsPerBlock)} blocks, one per scanline. Each block starts with an option ID:
 * 0 is low entropy (one more bit: zero blocks, or the second extension that codes pairs), all ones is uncompressed,
 * anything else k + 1 for a split-sample block (fundamental sequences, then k low bits per sample). With the
 * nearest-neighbour option the first block of each RSI carries a raw reference sample and every other sample is a
 * mapped prediction residual. 32- and 64-bit pixels are coded as bytes, one byte plane after the other
 * (libaec's interleave); scanlines not a multiple of the block are padded and the padding dropped.
 */
final class Szip {
    /** szlib's option bits as HDF5 stores them in the filter's first parameter. */
    private static final int MSB_OPTION = 16, NN_OPTION = 32;
    /** "Remainder of segment": a zero run to the end of the 64-block segment (or of the RSI). */
    private static final int ROS = 5;

    private Szip() {}

    static byte[] decode(AddressSpace space, int[] cd, byte[] in, int limit, long where) {
        if (cd.length < 4) throw Filters.bad(space, where, "szip filter has " + cd.length + " parameters, not 4");
        int options = cd[0], ppb = cd[1], bpp = cd[2], pps = cd[3];
        if (ppb < 2 || ppb > 32 || pps < 1 || pps > 1 << 20 || bpp < 1 || bpp > 64 || (bpp > 32 && bpp != 64)) {
            throw Filters.bad(space, where, "szip parameters (" + ppb + " pixels per block, " + bpp + " bits per pixel, "
                    + pps + " pixels per scanline) are invalid");
        }
        if (in.length < 4) throw Filters.bad(space, where, "szip chunk of " + in.length + " bytes has no size");
        long size = Blosc.le32(in, 0);
        if (size > limit) throw Filters.bad(space, where, "szip header claims " + size + " bytes where the chunk holds " + limit);
        boolean deinterleave = bpp == 32 || bpp == 64;
        int bps = deinterleave ? 8 : bpp;
        int pixelBytes = bps > 16 ? 4 : bps > 8 ? 2 : 1;
        int rsi = (pps + ppb - 1) / ppb;
        boolean padded = pps % ppb != 0;
        long bufBytes = size;
        if (padded) {
            long scanlines = (size / pixelBytes + pps - 1) / pps;
            bufBytes = (long) rsi * ppb * pixelBytes * scanlines;
            if (bufBytes > 2L * limit + (long) rsi * ppb * pixelBytes) {
                throw Filters.bad(space, where, "szip padded scanlines of " + bufBytes + " bytes exceed the chunk");
            }
        }
        byte[] buf = new byte[(int) bufBytes];
        new Decoder(space, in, where, ppb, rsi, bps, (options & NN_OPTION) != 0, buf, pixelBytes, (options & MSB_OPTION) != 0).run();
        byte[] out = buf;
        if (padded) {
            int line = pps * pixelBytes, paddedLine = rsi * ppb * pixelBytes;
            out = new byte[(int) size];
            for (int from = 0, to = 0; to < size; from += paddedLine, to += line) {
                System.arraycopy(buf, from, out, to, (int) Math.min(line, size - to));
            }
        }
        if (deinterleave) {
            int word = bpp / 8;
            byte[] d = new byte[out.length];
            int n = out.length / word;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < word; j++) d[i * word + j] = out[j * n + i];
            }
            System.arraycopy(out, n * word, d, n * word, out.length - n * word);
            out = d;
        }
        return out;
    }

    /** The CCSDS 121.0-B decoder proper: bits MSB first, samples as unsigned values of {@code bps} bits. */
    private static final class Decoder {
        private final AddressSpace space;
        private final byte[] in;
        private final long where;
        private final int blockSize, rsi, bps, idLength, idMax;
        private final boolean preprocess, msb;
        private final long xmax;
        private final byte[] out;
        private final int pixelBytes;
        private final long count;
        private int n; // samples written
        private long last; // the previous value, the predictor
        private long bit; // position in the stream, after the 4-byte size
        private final long endBit;

        Decoder(AddressSpace space, byte[] in, long where, int blockSize, int rsi, int bps, boolean preprocess, byte[] out,
                int pixelBytes, boolean msb) {
            this.out = out;
            this.pixelBytes = pixelBytes;
            this.msb = msb;
            this.count = out.length / pixelBytes;
            this.space = space;
            this.in = in;
            this.where = where;
            this.blockSize = blockSize;
            this.rsi = rsi;
            this.bps = bps;
            this.preprocess = preprocess;
            this.idLength = bps > 16 ? 5 : bps > 8 ? 4 : 3;
            this.idMax = (1 << idLength) - 1;
            this.xmax = (1L << bps) - 1;
            this.bit = 32;
            this.endBit = (long) in.length * 8;
        }

        void run() {
            while (n < count) {
                // one RSI; with preprocessing its first sample is the raw reference, the others mapped residuals
                rsiStart = n;
                rsiEnd = (int) Math.min(count, n + (long) rsi * blockSize);
                int blocksDone = 0;
                while (n < rsiEnd) {
                    boolean ref = preprocess && blocksDone == 0;
                    int id = (int) bits(idLength);
                    if (id == 0) {
                        boolean secondExtension = bits(1) == 1;
                        if (ref) put(bits(bps));
                        if (secondExtension) {
                            for (int i = ref ? 1 : 0; i < blockSize; ) {
                                long m = fundamental();
                                long beta = (long) ((Math.sqrt(8.0 * m + 1) - 1) / 2);
                                while (beta * (beta + 1) / 2 > m) beta--;
                                while ((beta + 1) * (beta + 2) / 2 <= m) beta++;
                                long d1 = m - beta * (beta + 1) / 2;
                                if ((i & 1) == 0) {
                                    put(beta - d1);
                                    i++;
                                }
                                put(d1);
                                i++;
                            }
                            blocksDone++;
                        } else {
                            long zeroBlocks = fundamental() + 1;
                            if (zeroBlocks == ROS) {
                                zeroBlocks = Math.min(rsi - blocksDone, 64 - blocksDone % 64);
                            } else if (zeroBlocks > ROS) {
                                zeroBlocks--;
                            }
                            if (zeroBlocks > rsi - blocksDone) {
                                throw Filters.bad(space, where, "szip zero run of " + zeroBlocks + " blocks passes the end of its interval");
                            }
                            long zeros = zeroBlocks * blockSize - (ref ? 1 : 0);
                            for (long z = 0; z < zeros && n < rsiEnd; z++) put(0);
                            blocksDone += (int) zeroBlocks;
                        }
                    } else if (id == idMax) {
                        for (int i = 0; i < blockSize; i++) put(bits(bps));
                        blocksDone++;
                    } else {
                        int k = id - 1;
                        if (ref) put(bits(bps));
                        int samples = blockSize - (ref ? 1 : 0);
                        for (int i = 0; i < samples; i++) high[i] = fundamental();
                        for (int i = 0; i < samples; i++) put((high[i] << k) | bits(k));
                        blocksDone++;
                    }
                }
            }
        }

        private int rsiStart, rsiEnd;
        private final long[] high = new long[32];

        /**
         * Stores one coded sample as its value, unless the output is full (the last block may run past what the
         * chunk holds); with preprocessing, undoes the unit-delay predictor's mapping (CCSDS 121.0-B 4.3).
         */
        private void put(long d) {
            if (n >= rsiEnd) return;
            long x = d;
            if (preprocess && n > rsiStart) {
                x = last;
                long theta = Math.min(x, xmax - x);
                if (d <= 2 * theta) {
                    x += (d & 1) == 0 ? d >> 1 : -((d + 1) >> 1);
                } else if (theta == x) {
                    x = d;
                } else {
                    x = xmax - d;
                }
                if (x < 0 || x > xmax) throw Filters.bad(space, where, "szip residual " + d + " leaves the sample range");
            } else if (x > xmax) {
                throw Filters.bad(space, where, "szip sample " + x + " has more than " + bps + " bits");
            }
            last = x;
            int at = n * pixelBytes;
            for (int b = 0; b < pixelBytes; b++) out[at + b] = (byte) (x >>> (8 * (msb ? pixelBytes - 1 - b : b)));
            n++;
        }

        private long bits(int n) {
            if (n == 0) return 0;
            if (bit + n > endBit) throw Filters.bad(space, where, "szip stream is truncated");
            long v = 0;
            for (int i = 0; i < n; i++, bit++) v = v << 1 | ((in[(int) (bit >>> 3)] >>> (7 - (bit & 7))) & 1);
            return v;
        }

        /** A fundamental sequence: the number of 0 bits before the next 1. */
        private long fundamental() {
            long zeros = 0;
            while (true) {
                if (bit >= endBit) throw Filters.bad(space, where, "szip stream is truncated");
                int b = (in[(int) (bit >>> 3)] >>> (7 - (bit & 7))) & 1;
                bit++;
                if (b == 1) return zeros;
                if (++zeros > xmax + 64L * 32) throw Filters.bad(space, where, "szip fundamental sequence is too long");
            }
        }
    }
}
