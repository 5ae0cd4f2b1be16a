package dev.tensorfile.pickle.archive;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.spi.MappedFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/** Decompresses a whole compressed file (compressed joblib) to a temporary file, bounded in memory and in size. */
public final class Decompressor {
    private Decompressor() {}

    /**
     * Decompresses a whole zlib, gzip, bzip2, xz or lzma file (compressed joblib) into a temporary file and maps it:
     * memory stays bounded whatever the size (the xz and lzma decoders refuse a dictionary larger than a quarter of
     * the heap; bzip2 holds one block); more than {@code max} bytes is a bomb and an error. The temporary file is
     * deleted at once (the mapping keeps it alive on POSIX) or when the mapping is closed.
     *
     * @throws MalformedFileException if the data is corrupt, or decompresses to more than {@code max} bytes
     */
    public static MappedFile inflateToTemp(MemorySegment s, Compression kind, Path source, String format, long max) {
        String name = kind.name().toLowerCase(java.util.Locale.ROOT);
        Path tmp = null;
        try {
            tmp = Files.createTempFile("tensorfile-inflate-", ".bin");
            try (InputStream in = decoder(s, kind); OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[1 << 16];
                long total = 0;
                while (true) {
                    int n;
                    try {
                        n = in.read(buf);
                    } catch (org.tukaani.xz.MemoryLimitException e) {
                        throw new MalformedFileException(format, source, name + " stream", -1, memory(e));
                    } catch (IOException | RuntimeException e) {
                        throw new MalformedFileException(format, source, name + " stream", -1,
                                "corrupt compressed data: " + e.getMessage());
                    }
                    if (n < 0) break;
                    total += n;
                    if (total > max) {
                        throw new MalformedFileException(format, source, name + " stream", 0,
                                "decompresses to more than " + max + " bytes (limit)");
                    }
                    out.write(buf, 0, n);
                }
            }
            return MappedFile.open(tmp, format);
        } catch (DecoderSetupException e) {
            throw new MalformedFileException(format, source, name + " stream", 0,
                    e.getCause() instanceof org.tukaani.xz.MemoryLimitException m ? memory(m)
                            : "corrupt compressed data: " + e.getMessage());
        } catch (IOException e) {
            throw new TensorFileException(format, source, "cannot decompress to a temporary file: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // on platforms that cannot delete a mapped file, the OS temp cleaner removes it
                }
            }
        }
    }

    private static String memory(org.tukaani.xz.MemoryLimitException e) {
        return "its dictionary needs " + e.getMemoryNeeded() + " KiB of memory, more than the limit of "
                + e.getMemoryLimit() + " KiB (a quarter of the heap)";
    }

    /** A decoder that failed on the stream's own header, before any data. */
    private static final class DecoderSetupException extends IOException {
        private static final long serialVersionUID = 1L;

        DecoderSetupException(IOException cause) { super(cause.getMessage(), cause); }
    }

    private static InputStream decoder(MemorySegment s, Compression kind) throws DecoderSetupException {
        InputStream raw = new SegmentInputStream(s);
        // xz and lzma name their dictionary size in the header: refuse one that would not fit a quarter of the heap
        int memoryLimitKiB = (int) Math.min(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory() / 4 / 1024);
        try {
            return switch (kind) {
                case GZIP -> new GZIPInputStream(raw, 1 << 16);
                case ZLIB -> new InflaterInputStream(raw, new java.util.zip.Inflater(), 1 << 16);
                case ZFILE -> new InflaterInputStream(new SegmentInputStream(s.asSlice(Compression.zfileData(s))), new java.util.zip.Inflater(), 1 << 16);
                case BZ2 -> new Bzip2Decoder(s);
                case XZ -> new org.tukaani.xz.XZInputStream(new java.io.BufferedInputStream(raw, 1 << 16), memoryLimitKiB);
                case LZMA -> new org.tukaani.xz.LZMAInputStream(new java.io.BufferedInputStream(raw, 1 << 16), memoryLimitKiB);
                case LZ4, NONE -> throw new DecoderSetupException(new IOException(kind + " cannot be decompressed here"));
            };
        } catch (DecoderSetupException e) {
            throw e;
        } catch (IOException e) {
            throw new DecoderSetupException(e);
        }
    }
}
