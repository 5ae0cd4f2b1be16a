package dev.tensorfile.core.spi;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link WireReader} with a {@link WireReader.Fetch} asks for every range before it reads it (a key and the value
 * after it, a string, the bytes of {@code bytes}) and for none of a field it skips, a message it only locates or the
 * bytes of {@code dataBytes}: over a remote file's cache, what the walk skips is never fetched.
 */
class WireReaderFetchTest {
    static final int BASE = 1000; // the message's offset in its file

    static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    static void ld(ByteArrayOutputStream out, int field, byte[] body) {
        varint(out, (long) field << 3 | WireReader.LEN);
        varint(out, body.length);
        out.writeBytes(body);
    }

    @Test
    void asksForWhatItReadsAndNotForWhatItSkips() {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        varint(m, 1 << 3);
        varint(m, 300); // field 1: a varint                  [0, 3)
        ld(m, 2, "name".getBytes(StandardCharsets.US_ASCII)); // field 2: a string  [3, 9), text [5, 9)
        ld(m, 3, new byte[5000]); // field 3: skipped data      [9, 5012)
        ld(m, 4, new byte[] {1, 2, 3}); // field 4: read bytes  [5012, 5017)
        ld(m, 5, new byte[7000]); // field 5: dataBytes         [5017, 12020)
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        varint(inner, 1 << 3);
        varint(inner, 7);
        ld(m, 6, inner.toByteArray()); // field 6: a message    [12020, 12024), body [12022, 12024)
        byte[] bytes = m.toByteArray();
        List<long[]> asked = new ArrayList<>();
        WireReader r = new WireReader(new ByteCursor(MemorySegment.ofArray(bytes), BASE, "test", null), 0, 8,
                (offset, length) -> asked.add(new long[] {offset - BASE, length}));
        List<String> seen = new ArrayList<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> seen.add("i=" + r.int64("i"));
                case 2 -> seen.add("s=" + r.string("s", 100));
                case 4 -> seen.add("b=" + r.bytes("b").byteSize());
                case 5 -> seen.add("d=" + r.dataBytes("d").byteSize());
                case 6 -> {
                    WireReader sub = r.message("m", "m");
                    while (sub.next()) seen.add("m.i=" + sub.int64("i"));
                }
                default -> r.skip();
            }
        }
        assertEquals(List.of("i=300", "s=name", "b=3", "d=7000", "m.i=7"), seen);
        List<String> ranges = asked.stream().map(a -> a[0] + "+" + a[1]).toList();
        // each key with the 20 bytes after it (fewer at the end), the string's text, the bytes read; nothing of
        // field 3's or field 5's body
        assertEquals(List.of("0+20", "3+20", "5+4", "9+20", "5012+20", "5014+3", "5017+20", "12020+4", "12022+2"), ranges);
        for (long[] a : asked) {
            boolean inSkipped = a[0] >= 12 && a[0] + a[1] <= 5012 || a[0] >= 5020 && a[0] + a[1] <= 12020;
            assertTrue(!inSkipped, "asked for skipped bytes at " + a[0]);
        }
    }

    @Test
    void withoutAFetchNothingIsAsked() {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        ld(m, 2, "x".getBytes(StandardCharsets.US_ASCII));
        WireReader r = new WireReader(new ByteCursor(MemorySegment.ofArray(m.toByteArray()), 0, "test", null), 0, 8);
        assertTrue(r.next());
        assertEquals("x", r.string("s", 10));
        assertEquals(null, r.fetch());
    }
}
