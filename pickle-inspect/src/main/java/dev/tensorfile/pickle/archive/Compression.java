package dev.tensorfile.pickle.archive;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.tensorfile.pickle.archive.Magic.startsWith;
import static dev.tensorfile.pickle.archive.Magic.u8;

/** The compressed streams pickles come in (joblib's {@code compress=} choices), recognised by their magic bytes. */
public enum Compression {
    NONE, ZLIB, GZIP, BZ2, XZ, LZ4, LZMA, ZFILE;

    /** joblib < 0.10's compressed files ({@code numpy_pickle_compat.read_zfile}): 'ZF', the length in hex padded to 19 characters, zlib. */
    private static final int ZFILE_HEADER = 2 + 19;

    /** Where the zlib data of a joblib 'ZF' file starts: after the header, and one byte later when that is a space (joblib ≤ 0.8.4 on Python 2). */
    static long zfileData(MemorySegment s) { return u8(s, ZFILE_HEADER) == ' ' ? ZFILE_HEADER + 1 : ZFILE_HEADER; }

    /** The compression a region's first bytes name, or {@link #NONE}. */
    public static Compression of(MemorySegment s) {
        int a = u8(s, 0), b = u8(s, 1), c = u8(s, 2), d = u8(s, 3);
        if (a == 0x78 && (b == 0x01 || b == 0x5e || b == 0x9c || b == 0xda) && ((a << 8) | b) % 31 == 0) return ZLIB;
        if (a == 0x1f && b == 0x8b && c == 8) return GZIP;
        if (a == 'B' && b == 'Z' && c == 'h' && d >= '1' && d <= '9') return BZ2;
        if (a == 'Z' && b == 'F' && c == '0' && d == 'x' && s.byteSize() > ZFILE_HEADER + 2) {
            int z = u8(s, zfileData(s));
            if (z == 0x78) return ZFILE;
        }
        if (startsWith(s, 0, new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0})) return XZ;
        if (startsWith(s, 0, new byte[] {0x04, 0x22, 0x4d, 0x18})) return LZ4;
        // joblib's raw lzma: properties 0x5d, a power-of-two dictionary, an 8-byte size; a safetensors header of 93
        // bytes also starts 5d 00 00 00, but its byte 8 is '{'.
        if (a == 0x5d && s.byteSize() > 13 && u8(s, 8) != '{') {
            int dict = s.get(ValueLayout.JAVA_INT_UNALIGNED, 1);
            if (dict >= 4096 && Integer.bitCount(dict) == 1) return LZMA;
        }
        return NONE;
    }

    /** Whether {@link Decompressor#inflateToTemp} can decompress this kind. */
    public boolean decompressible() { return this != NONE && this != LZ4; }
}
