package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.spi.ByteCursor;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The fast paths of metadata reading: lookup3 over an array (expected values are the ones Bob Jenkins' lookup3.c
 * driver prints), little-endian reads with constant layouts, and the ASCII shortcut of name decoding with its
 * fallback to strict UTF-8.
 */
class ReadPrimitivesTest {
    private static ByteCursor cursor(byte[] b) {
        return new ByteCursor(MemorySegment.ofArray(b), 0, AddressSpace.FORMAT, Path.of("t.h5"));
    }

    private static ByteCursor cursor(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return cursor(b);
    }

    @Test
    void lookup3MatchesTheReferenceDriver() {
        byte[] text = "Four score and seven years ago".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(0x17770551, Lookup3.hash(text, 0, 30)); // lookup3.c driver5: hashlittle(..., 30, 0)
        assertEquals(0xdeadbeef, Lookup3.hash(new byte[0], 0, 0));
        // the segment form hashes the same bytes at an offset
        byte[] padded = new byte[33];
        System.arraycopy(text, 0, padded, 3, 30);
        assertEquals(0x17770551, Lookup3.hash(MemorySegment.ofArray(padded), 3, 30));
    }

    @Test
    void littleEndianReads() {
        ByteCursor c = cursor(0x34, 0x12, 0xFE, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0, 0, 0, 0, 0x80, 5, 0, 0, 0);
        assertEquals(0x1234, AddressSpace.u16(c));
        assertEquals(0xFFFFFFFEL, AddressSpace.u32(c)); // FE FF FF FF
        c.seek(6);
        assertEquals(0x8000000000000001L, AddressSpace.i64(c));
        assertEquals(5, AddressSpace.unsigned(c, 4));
        assertThrows(MalformedFileException.class, () -> AddressSpace.u16(c));
    }

    @Test
    void namesDecodeAsciiAndUtf8AndRefuseMalformedBytes() {
        assertEquals("kernel:0", AddressSpace.utf8(cursor("kernel:0x".getBytes()), 8));
        // "héllo" in UTF-8: h, C3 A9, l, l, o
        ByteCursor c = cursor('h', 0xC3, 0xA9, 'l', 'l', 'o');
        assertEquals("h\u00e9llo", AddressSpace.utf8(c, 6));
        assertEquals(6, c.position());
        assertThrows(MalformedFileException.class, () -> AddressSpace.utf8(cursor('a', 0xC3), 2));
        assertThrows(MalformedFileException.class, () -> AddressSpace.utf8(cursor('a'), 2));
    }
}
