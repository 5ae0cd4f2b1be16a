package dev.tensorfile.safetensors;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HeaderReaderTest {
    /** ASCII, 2-, 3- and 4-byte sequences, placed so that some straddle the reader's 8 KiB copies. */
    private static String text() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 5000; i++) b.append(i % 7 == 0 ? "é" : i % 11 == 0 ? "€" : i % 13 == 0 ? "😀" : "a");
        return b.toString();
    }

    @Test
    void decodesLikeTheJdkWhateverTheCallersBufferSize() throws IOException {
        String text = text();
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        for (int chunk : new int[] {1, 2, 3, 7, 4096, 100_000}) {
            HeaderReader reader = new HeaderReader(MemorySegment.ofArray(utf8));
            StringBuilder out = new StringBuilder();
            char[] buf = new char[chunk];
            for (int n; (n = reader.read(buf, 0, chunk)) >= 0; ) {
                if (n == 0) throw new AssertionError("read returned 0 for a buffer of " + chunk);
                out.append(buf, 0, n);
            }
            assertEquals(text, out.toString(), "buffer of " + chunk);
        }
    }

    @Test
    void mapsCharacterOffsetsToByteOffsetsInAnyOrder() {
        String text = text();
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        HeaderReader reader = new HeaderReader(MemorySegment.ofArray(utf8));
        for (int chars : new int[] {0, 1, 9, 100, 4000, 50, 5000, text.length()}) {
            if (chars > text.length()) continue;
            int expected = text.substring(0, chars).getBytes(StandardCharsets.UTF_8).length;
            assertEquals(expected, reader.byteOffsetOf(chars), "char offset " + chars);
        }
    }
}
