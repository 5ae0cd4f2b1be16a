package dev.tensorfile.tensorflow;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.spi.ByteCursor;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Snappy streams built by hand from google/snappy's format_description.txt. */
class SnappyTest {
    private static byte[] run(long max, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) bytes[i];
        return Snappy.decompress(new ByteCursor(MemorySegment.ofArray(b), 0, "tensorflow", null), max);
    }

    @Test
    void literalOnly() {
        // length 3, literal tag (3-1)<<2, "abc"
        assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), run(100, 3, 2 << 2, 'a', 'b', 'c'));
    }

    @Test
    void overlappingCopyRepeatsARun() {
        // "ab" then a 1-byte-offset copy of 6 bytes from offset 2: "abababab"
        assertArrayEquals("abababab".getBytes(StandardCharsets.US_ASCII), run(100, 8, 1 << 2, 'a', 'b', 1 | (6 - 4) << 2, 2));
    }

    @Test
    void twoByteOffsetCopy() {
        // "abcd", copy-2 of 4 bytes at offset 4
        assertArrayEquals("abcdabcd".getBytes(StandardCharsets.US_ASCII), run(100, 8, 3 << 2, 'a', 'b', 'c', 'd', 2 | (4 - 1) << 2, 4, 0));
    }

    @Test
    void longLiteralLengthInExtraBytes() {
        int n = 70;
        int[] in = new int[3 + n];
        in[0] = n;
        in[1] = 60 << 2;
        in[2] = n - 1;
        for (int i = 0; i < n; i++) in[3 + i] = 'x';
        byte[] out = run(1000, in);
        assertTrue(out.length == n && out[69] == 'x');
    }

    @Test
    void rejectsCopyBeforeTheStart() {
        var e = assertThrows(MalformedFileException.class, () -> run(100, 4, 1 | 0 << 2, 1));
        assertTrue(e.getMessage().contains("offset 1 is outside the 0 bytes"), e.getMessage());
    }

    @Test
    void rejectsAClaimLargerThanTheLimit() {
        var e = assertThrows(MalformedFileException.class, () -> run(10, 11, 10 << 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertTrue(e.getMessage().contains("at most 10"), e.getMessage());
    }

    @Test
    void rejectsAClaimNoStreamOfThisSizeCanReach() {
        // 1,000,000 bytes claimed by a 4-byte stream: refused before anything is allocated
        var e = assertThrows(MalformedFileException.class, () -> run(Integer.MAX_VALUE, 0xC0, 0x84, 0x3D, 0));
        assertTrue(e.getMessage().contains("more than snappy can expand"), e.getMessage());
    }

    @Test
    void rejectsOutputShorterThanClaimed() {
        var e = assertThrows(MalformedFileException.class, () -> run(100, 5, 0, 'a'));
        assertTrue(e.getMessage().contains("produced 1 bytes, not the 5"), e.getMessage());
    }
}
