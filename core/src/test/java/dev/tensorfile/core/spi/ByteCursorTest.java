package dev.tensorfile.core.spi;

import dev.tensorfile.core.MalformedFileException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ByteCursorTest {
    private static ByteCursor cursor(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) bytes[i];
        return new ByteCursor(MemorySegment.ofArray(b), 100, "test", Path.of("f.bin"));
    }

    @Test
    void readsLittleEndianByDefaultAndBigEndianWhenTold() {
        ByteCursor c = cursor(0x01, 0x02, 0x03, 0x04, 0x01, 0x02, 0x03, 0x04);
        assertEquals(0x04030201L, c.u32());
        c.order(ByteOrder.BIG_ENDIAN);
        assertEquals(0x01020304L, c.u32());
        assertEquals(0, c.remaining());
    }

    @Test
    void readPastTheEndNamesFileStructureAndAbsoluteOffset() {
        ByteCursor c = cursor(1, 2, 3).structure("tensor info #2");
        c.skip(2);
        MalformedFileException e = assertThrows(MalformedFileException.class, c::u32);
        assertEquals(102, e.offset());
        assertEquals("tensor info #2", e.structure());
        assertEquals("test: f.bin: tensor info #2 at byte 102: needs 4 bytes but only 1 remain", e.getMessage());
    }

    @Test
    void requireCountRejectsClaimsLargerThanTheBytesLeft() {
        ByteCursor c = cursor(0, 0, 0, 0, 0, 0, 0, 0);
        c.requireCount(8, 1, "byte");
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> c.requireCount(1L << 60, 16, "array element"));
        assertTrue(e.getMessage().contains("array element count 1152921504606846976"), e.getMessage());
        assertThrows(MalformedFileException.class, () -> c.requireCount(-1, 1, "string"));
    }

    @Test
    void u64SizeAbove2To63IsRejected() {
        ByteCursor c = cursor(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> c.u64Size("header length"));
        assertTrue(e.getMessage().contains("header length 18446744073709551615 is larger than 2^63-1"), e.getMessage());
        assertEquals(100, e.offset());
    }

    @Test
    void utf8IsStrict() {
        assertEquals("é", cursor(0xC3, 0xA9).utf8(2));
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> cursor(0xC3, 0x28).utf8(2));
        assertTrue(e.getMessage().contains("not valid UTF-8"));
    }

    @Test
    void splitReportsAbsoluteOffsets() {
        ByteCursor c = cursor(1, 2, 3, 4, 5);
        c.skip(1);
        ByteCursor inner = c.split(2);
        assertEquals(3, c.position());
        inner.skip(2);
        MalformedFileException e = assertThrows(MalformedFileException.class, inner::u8);
        assertEquals(103, e.offset());
        assertThrows(MalformedFileException.class, () -> c.seek(6));
    }
}
