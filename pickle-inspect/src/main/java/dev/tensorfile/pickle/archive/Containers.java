package dev.tensorfile.pickle.archive;

import dev.tensorfile.pickle.numpy.NumpyDType;
import dev.tensorfile.pickle.numpy.PyLiteral;
import dev.tensorfile.pickle.vm.Opcode;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.MappedFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/** Sniffing the containers pickles come in, by content only (never by file name). */
public final class Containers {
    private Containers() {}

    /** PyTorch's legacy magic number 0x1950a86a20f9469cfc6c, as the first pickle writes it (LONG1 of 10 bytes). */
    public static final byte[] LEGACY_MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
            (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};
    public static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    public enum Compression { NONE, ZLIB, GZIP, BZ2, XZ, LZ4, LZMA, ZFILE }

    /** joblib < 0.10's compressed files ({@code numpy_pickle_compat.read_zfile}): 'ZF', the length in hex padded to 19 characters, zlib. */
    private static final int ZFILE_HEADER = 2 + 19;

    /** Where the zlib data of a joblib 'ZF' file starts: after the header, and one byte later when that is a space (joblib ≤ 0.8.4 on Python 2). */
    static long zfileData(MemorySegment s) { return u8(s, ZFILE_HEADER) == ' ' ? ZFILE_HEADER + 1 : ZFILE_HEADER; }

    public static boolean startsWith(MemorySegment s, long at, byte[] prefix) {
        if (at < 0 || s.byteSize() - at < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (s.get(ValueLayout.JAVA_BYTE, at + i) != prefix[i]) return false;
        return true;
    }

    public static int u8(MemorySegment s, long at) {
        return at >= 0 && at < s.byteSize() ? s.get(ValueLayout.JAVA_BYTE, at) & 0xFF : -1;
    }

    public static boolean isZipAt(MemorySegment s, long at) {
        return s.byteSize() - at >= 4 && s.get(ValueLayout.JAVA_INT_UNALIGNED, at) == dev.tensorfile.core.spi.ZipArchive.LOCAL_SIGNATURE;
    }

    /** A PROTO opcode of protocol 2 to 5 followed by an opcode: how every pickle of protocol ≥ 2 begins. */
    public static boolean isProtoPickle(MemorySegment s, long at) {
        int a = u8(s, at), b = u8(s, at + 1), c = u8(s, at + 2);
        return a == 0x80 && b >= 2 && b <= 5 && c >= 0 && c != 0x80 && Opcode.of(c) != null;
    }

    /** The first byte is an opcode a pickle can start with. */
    public static boolean mayBePickle(MemorySegment s, long at) {
        int a = u8(s, at);
        return a >= 0 && Opcode.of(a) != null && a != '.';
    }

    public static Compression compression(MemorySegment s) {
        int a = u8(s, 0), b = u8(s, 1), c = u8(s, 2), d = u8(s, 3);
        if (a == 0x78 && (b == 0x01 || b == 0x5e || b == 0x9c || b == 0xda) && ((a << 8) | b) % 31 == 0) return Compression.ZLIB;
        if (a == 0x1f && b == 0x8b && c == 8) return Compression.GZIP;
        if (a == 'B' && b == 'Z' && c == 'h' && d >= '1' && d <= '9') return Compression.BZ2;
        if (a == 'Z' && b == 'F' && c == '0' && d == 'x' && s.byteSize() > ZFILE_HEADER + 2) {
            int z = u8(s, zfileData(s));
            if (z == 0x78) return Compression.ZFILE;
        }
        if (startsWith(s, 0, new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0})) return Compression.XZ;
        if (startsWith(s, 0, new byte[] {0x04, 0x22, 0x4d, 0x18})) return Compression.LZ4;
        // joblib's raw lzma: properties 0x5d, a power-of-two dictionary, an 8-byte size; a safetensors header of 93
        // bytes also starts 5d 00 00 00, but its byte 8 is '{'.
        if (a == 0x5d && s.byteSize() > 13 && u8(s, 8) != '{') {
            int dict = s.get(ValueLayout.JAVA_INT_UNALIGNED, 1);
            if (dict >= 4096 && Integer.bitCount(dict) == 1) return Compression.LZMA;
        }
        return Compression.NONE;
    }

    /**
     * The kind of archive or compressed stream that the scanner does not open, by its magic bytes, or null: what such
     * a file holds cannot be judged, so the scanner says so by name instead of calling it safe.
     */
    public static String unopenedArchive(MemorySegment s) {
        if (startsWith(s, 0, new byte[] {'7', 'z', (byte) 0xbc, (byte) 0xaf, 0x27, 0x1c})) return "7z archive";
        if (startsWith(s, 0, new byte[] {'R', 'a', 'r', '!', 0x1a, 0x07})) return "RAR archive";
        if (startsWith(s, 0, new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd})) return "zstd-compressed data";
        // zstd skippable frames 0x184D2A50..5F, little-endian
        if (s.byteSize() >= 8 && (s.get(ValueLayout.JAVA_INT_UNALIGNED, 0) & 0xFFFFFFF0) == 0x184D2A50) {
            return "zstd-compressed data (skippable frame)";
        }
        if (startsWith(s, 0, new byte[] {'L', 'Z', 'I', 'P'})) return "lzip-compressed data";
        if (startsWith(s, 0, new byte[] {0x1f, (byte) 0x9d})) return "Unix compress (.Z) data";
        if (startsWith(s, 0, new byte[] {'M', 'S', 'C', 'F', 0, 0, 0, 0})) return "Microsoft cabinet archive";
        if (startsWith(s, 0, "!<arch>\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))) return "ar archive";
        if (startsWith(s, 0, new byte[] {'0', '7', '0', '7', '0'})) return "cpio archive";
        return null;
    }

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
                case ZFILE -> new InflaterInputStream(new SegmentInputStream(s.asSlice(zfileData(s))), new java.util.zip.Inflater(), 1 << 16);
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

    /** Whether {@link #inflateToTemp} can decompress this kind. */
    public static boolean decompressible(Compression kind) { return kind != Compression.NONE && kind != Compression.LZ4; }

    /** An InputStream over a segment. */
    static final class SegmentInputStream extends InputStream {
        private final MemorySegment s;
        private long pos;

        SegmentInputStream(MemorySegment s) { this.s = s; }

        @Override public int read() { return pos < s.byteSize() ? s.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF : -1; }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= s.byteSize()) return -1;
            int n = (int) Math.min(len, s.byteSize() - pos);
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /** The header of a {@code .npy} array (numpy {@code lib/format.py}): its dtype, order, shape and data offset. */
    public record NpyHeader(NumpyDType dtype, boolean fortran, long[] shape, long dataOffset, String descr) {}

    /** Reads a {@code .npy} header at the cursor's position. */
    public static NpyHeader npyHeader(ByteCursor c) {
        long start = c.position();
        c.structure("npy header");
        c.skip(6);
        int major = c.u8();
        c.u8();
        long length = major == 1 ? c.u16() : major == 2 || major == 3 ? c.u32() : -1;
        if (length < 0) throw c.failAt(start + 6, "unsupported npy version " + major);
        if (length > 1_000_000) throw c.failAt(start + 8, "npy header of " + length + " bytes (numpy allows 10000)");
        String text = new String(c.bytes(length), major == 3 ? java.nio.charset.StandardCharsets.UTF_8
                : java.nio.charset.StandardCharsets.ISO_8859_1);
        long dataOffset = c.position();
        PyLiteral.Dict dict;
        try {
            dict = PyLiteral.parseDict(text);
        } catch (IllegalArgumentException e) {
            throw c.failAt(start + 10, "npy header is not a Python dict literal: " + e.getMessage());
        }
        String descr = dict.string("descr");
        Boolean fortran = dict.bool("fortran_order");
        long[] shape = dict.ints("shape");
        if (descr == null || fortran == null || shape == null) {
            throw c.failAt(start + 10, "npy header lacks descr, fortran_order or shape (descr may be a structured type)");
        }
        NumpyDType dt = NumpyDType.parse(descr, null);
        if (dt == null) throw c.failAt(start + 10, "npy dtype '" + descr + "' is not understood");
        return new NpyHeader(dt, fortran, shape, dataOffset, descr);
    }
}
