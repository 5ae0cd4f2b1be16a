package dev.tensorfile.pickle.archive;

import dev.tensorfile.core.spi.ZipArchive;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Recognising what a region holds by its first bytes (never by a file name): the ZIP and archive magics. */
public final class Magic {
    private Magic() {}

    /** Whether {@code prefix} is at {@code at}; false when the region ends first. */
    public static boolean startsWith(MemorySegment s, long at, byte[] prefix) {
        if (at < 0 || s.byteSize() - at < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (s.get(ValueLayout.JAVA_BYTE, at + i) != prefix[i]) return false;
        return true;
    }

    /** The unsigned byte at {@code at}, or -1 outside the region. */
    public static int u8(MemorySegment s, long at) {
        return at >= 0 && at < s.byteSize() ? s.get(ValueLayout.JAVA_BYTE, at) & 0xFF : -1;
    }

    /** A ZIP local file header starts at {@code at}. */
    public static boolean isZipAt(MemorySegment s, long at) {
        return s.byteSize() - at >= 4 && s.get(ValueLayout.JAVA_INT_UNALIGNED, at) == ZipArchive.LOCAL_SIGNATURE;
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
}
