package dev.tensorfile.hdf5.filter;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.hdf5.format.AddressSpace;
import dev.tensorfile.hdf5.format.FilterPipelineMessage;

import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import static dev.tensorfile.hdf5.format.FilterPipelineMessage.BITSHUFFLE;
import static dev.tensorfile.hdf5.format.FilterPipelineMessage.BLOSC;
import static dev.tensorfile.hdf5.format.FilterPipelineMessage.DEFLATE;
import static dev.tensorfile.hdf5.format.FilterPipelineMessage.FLETCHER32;
import static dev.tensorfile.hdf5.format.FilterPipelineMessage.LZ4;
import static dev.tensorfile.hdf5.format.FilterPipelineMessage.LZF;
import static dev.tensorfile.hdf5.format.FilterPipelineMessage.SHUFFLE;
import static dev.tensorfile.hdf5.format.FilterPipelineMessage.SZIP;

/**
 * Undoes a filter pipeline on one chunk (spec IV.A.2.l; filters applied in reverse order of the message, skipping
 * those the chunk's filter mask marks). Every decompressor writes into a buffer of the chunk's declared size and
 * fails when the stream would produce more: a chunk never inflates past what its layout says.
 */
public final class Filters {
    private Filters() {}

    /** Fails unless every filter of the pipeline can be undone (at open, so a file that cannot be read says so). */
    public static void check(AddressSpace space, String dataset, FilterPipelineMessage pipeline) {
        for (FilterPipelineMessage.Filter f : pipeline.filters()) {
            switch (f.id()) {
                case DEFLATE, SHUFFLE, FLETCHER32, LZF, LZ4, BLOSC, SZIP -> { }
                case BITSHUFFLE -> {
                    int[] cd = f.clientData();
                    int comp = cd.length > 4 ? cd[4] : 0;
                    if (comp != 0 && comp != 2) throw unsupported(space, dataset, f, "bitshuffle with compression " + comp);
                }
                default -> throw unsupported(space, dataset, f, null);
            }
        }
    }

    private static UnsupportedFeatureException unsupported(AddressSpace space, String dataset, FilterPipelineMessage.Filter f, String what) {
        return new UnsupportedFeatureException(AddressSpace.FORMAT, space.path, "dataset '" + dataset + "': HDF5 filter "
                + f.describe() + (what == null ? "" : ", " + what) + " is not supported");
    }

    /**
     * Decodes {@code stored} into exactly {@code chunkBytes} bytes.
     *
     * @param where the chunk's absolute file offset, for errors
     */
    public static byte[] decode(AddressSpace space, List<FilterPipelineMessage.Filter> filters, int mask, byte[] stored,
            int chunkBytes, long where) {
        byte[] data = stored;
        // What filter i was given when the chunk was written: the chunk, plus 4 bytes for every fletcher32 before
        // it (PyTables puts fletcher32 first, so deflate and shuffle run over the chunk and its checksum).
        int[] inputBytes = new int[filters.size()];
        long size = chunkBytes;
        for (int i = 0; i < filters.size(); i++) {
            inputBytes[i] = (int) Math.min(Integer.MAX_VALUE, size);
            if ((mask & (1 << i)) == 0 && filters.get(i).id() == FLETCHER32) size += 4;
        }
        for (int i = filters.size() - 1; i >= 0; i--) {
            if ((mask & (1 << i)) != 0) continue;
            FilterPipelineMessage.Filter f = filters.get(i);
            int limit = inputBytes[i];
            data = switch (f.id()) {
                case DEFLATE -> inflate(space, data, limit, where);
                case SHUFFLE -> unshuffle(data, f.clientData().length > 0 ? f.clientData()[0] : 1);
                case FLETCHER32 -> fletcher32(space, data, where);
                case LZF -> Lzf.decode(space, data, limit, where);
                case LZ4 -> Lz4.decodeHdf5(space, data, limit, where);
                case BITSHUFFLE -> Bitshuffle.decode(space, f.clientData(), data, limit, where);
                case BLOSC -> Blosc.decode(space, data, limit, where);
                case SZIP -> Szip.decode(space, f.clientData(), data, limit, where);
                default -> throw new UnsupportedFeatureException(AddressSpace.FORMAT, space.path, "HDF5 filter " + f.describe() + " is not supported");
            };
        }
        if (data.length < chunkBytes) {
            throw bad(space, where, "decodes to " + data.length + " bytes where the chunk holds " + chunkBytes);
        }
        return data;
    }

    /** A chunk that uses something its filter allows but we do not decode (a Blosc codec, a zstd dictionary). */
    static UnsupportedFeatureException unsupported(AddressSpace space, long where, String what) {
        return new UnsupportedFeatureException(AddressSpace.FORMAT, space.path, "chunk at byte " + where + ": " + what + " is not supported");
    }

    static MalformedFileException bad(AddressSpace space, long where, String what) {
        return new MalformedFileException(AddressSpace.FORMAT, space.path, "chunk", where, what);
    }

    static byte[] inflate(AddressSpace space, byte[] in, int limit, long where) {
        Inflater inf = new Inflater();
        try {
            inf.setInput(in);
            byte[] out = new byte[Math.min(limit, Math.max(1024, in.length * 4))];
            int n = 0;
            while (!inf.finished()) {
                if (n == out.length) {
                    if (out.length >= limit) {
                        // one more byte would exceed the declared size: a bomb or a corrupt stream
                        byte[] probe = new byte[1];
                        if (inf.inflate(probe) > 0) {
                            throw bad(space, where, "deflate stream inflates past the chunk's " + limit + " bytes");
                        }
                        if (inf.finished()) break;
                        if (inf.needsInput() || inf.needsDictionary()) throw bad(space, where, "deflate stream is truncated");
                        continue;
                    }
                    out = java.util.Arrays.copyOf(out, (int) Math.min(limit, (long) out.length * 2));
                }
                int got = inf.inflate(out, n, out.length - n);
                n += got;
                if (got == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    throw bad(space, where, "deflate stream is truncated after " + n + " bytes");
                }
            }
            return n == out.length ? out : java.util.Arrays.copyOf(out, n);
        } catch (DataFormatException e) {
            throw bad(space, where, "deflate stream is corrupt: " + e.getMessage());
        } finally {
            inf.end();
        }
    }

    static byte[] unshuffle(byte[] in, int size) {
        if (size <= 1 || in.length < size * 2) return in;
        byte[] out = new byte[in.length];
        int n = in.length / size;
        if (size == 4) {
            // the common case (float32/int32): sequential writes from four sequential streams
            for (int i = 0, o = 0; i < n; i++, o += 4) {
                out[o] = in[i];
                out[o + 1] = in[n + i];
                out[o + 2] = in[2 * n + i];
                out[o + 3] = in[3 * n + i];
            }
        } else {
            for (int i = 0, o = 0; i < n; i++) {
                for (int b = 0; b < size; b++) out[o++] = in[b * n + i];
            }
        }
        int tail = n * size;
        System.arraycopy(in, tail, out, tail, in.length - tail);
        return out;
    }

    public static byte[] shuffle(byte[] in, int size) {
        if (size <= 1 || in.length < size * 2) return in;
        byte[] out = new byte[in.length];
        int n = in.length / size;
        for (int b = 0; b < size; b++) {
            int dst = b * n;
            for (int i = 0; i < n; i++) out[dst + i] = in[i * size + b];
        }
        int tail = n * size;
        System.arraycopy(in, tail, out, tail, in.length - tail);
        return out;
    }

    static byte[] fletcher32(AddressSpace space, byte[] in, long where) {
        if (in.length < 4) throw bad(space, where, "fletcher32 chunk of " + in.length + " bytes has no checksum");
        int len = in.length - 4;
        int stored = (in[len] & 0xFF) | (in[len + 1] & 0xFF) << 8 | (in[len + 2] & 0xFF) << 16 | (in[len + 3] & 0xFF) << 24;
        int computed = fletcher32(in, len);
        // libhdf5 before 1.6.3 stored it byte-swapped (H5Zfletcher32.c, "reversed_fletcher")
        int reversed = Integer.reverseBytes(computed);
        if (stored != computed && stored != reversed) {
            throw bad(space, where, String.format("fletcher32 checksum 0x%08x does not match the computed 0x%08x", stored, computed));
        }
        return java.util.Arrays.copyOf(in, len);
    }

    /** libhdf5's {@code H5_checksum_fletcher32}: 16-bit big-endian words, sums folded every 360 words. */
    static int fletcher32(byte[] data, int length) {
        long sum1 = 0, sum2 = 0;
        int words = length / 2;
        int p = 0;
        while (words > 0) {
            int t = Math.min(words, 360);
            words -= t;
            for (int k = 0; k < t; k++) {
                sum1 += ((data[p] & 0xFF) << 8) | (data[p + 1] & 0xFF);
                p += 2;
                sum2 += sum1;
            }
            sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
            sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
        }
        if (length % 2 != 0) {
            sum1 += (data[p] & 0xFF) << 8;
            sum2 += sum1;
            sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
            sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
        }
        sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
        return (int) ((sum2 << 16) | sum1);
    }
}
