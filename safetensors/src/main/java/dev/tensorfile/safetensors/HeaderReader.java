package dev.tensorfile.safetensors;

import java.io.Reader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The header's UTF-8 bytes as characters, read in place from the mapping, for Jackson's character-based parser.
 * The bytes must already be valid UTF-8 ({@link Utf8#firstInvalid}). Jackson reports positions in characters when
 * it reads characters; {@link #byteOffsetOf} turns one back into the byte offset that our messages name.
 */
final class HeaderReader extends Reader {
    private final MemorySegment utf8;
    private long position;
    private int pendingLowSurrogate = -1;
    private final byte[] scratch = new byte[8192];
    private long lastChars;
    private long lastBytes;

    HeaderReader(MemorySegment utf8) { this.utf8 = utf8; }

    @Override
    public int read(char[] buffer, int offset, int length) {
        if (length == 0) return 0;
        long size = utf8.byteSize();
        if (position >= size && pendingLowSurrogate < 0) return -1;
        int n = 0;
        if (pendingLowSurrogate >= 0) {
            buffer[offset + n++] = (char) pendingLowSurrogate;
            pendingLowSurrogate = -1;
        }
        // Decode from a heap copy of the next bytes: a byte[] loop is several times faster than reading the
        // mapping byte by byte. A sequence cut by the end of the copy is left for the next call.
        int have = (int) Math.min(scratch.length, size - position);
        MemorySegment.copy(utf8, ValueLayout.JAVA_BYTE, position, scratch, 0, have);
        int i = 0;
        while (n < length && i < have) {
            int b = scratch[i];
            if (b >= 0) {
                buffer[offset + n++] = (char) b;
                i++;
                continue;
            }
            b &= 0xFF;
            int len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
            if (i + len > have) {
                if (have < size - position) break; // the rest of it is beyond this copy
                len = have - i; // cannot happen with valid UTF-8; never read past the header
            }
            int cp = b & (0x7F >> len);
            for (int k = 1; k < len; k++) cp = (cp << 6) | (scratch[i + k] & 0x3F);
            i += len;
            if (cp >= 0x10000) {
                buffer[offset + n++] = Character.highSurrogate(cp);
                if (n < length) buffer[offset + n++] = Character.lowSurrogate(cp);
                else pendingLowSurrogate = Character.lowSurrogate(cp);
            } else {
                buffer[offset + n++] = (char) cp;
            }
        }
        position += i;
        return n;
    }

    /**
     * The byte offset in the header of the character at {@code charOffset}. Walks forward from the last answer
     * (the parser asks in increasing order, so a whole parse costs one pass), from the start otherwise.
     */
    long byteOffsetOf(long charOffset) {
        if (charOffset < lastChars) {
            lastChars = 0;
            lastBytes = 0;
        }
        long size = utf8.byteSize();
        long chars = lastChars;
        long bytes = lastBytes;
        while (chars < charOffset && bytes < size) {
            // Eight ASCII bytes are eight characters.
            if (charOffset - chars >= 8 && bytes + 8 <= size
                    && (utf8.get(ValueLayout.JAVA_LONG_UNALIGNED, bytes) & 0x8080808080808080L) == 0) {
                bytes += 8;
                chars += 8;
                continue;
            }
            int b = utf8.get(ValueLayout.JAVA_BYTE, bytes) & 0xFF;
            int len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
            bytes += len;
            chars += len == 4 ? 2 : 1;
        }
        lastChars = chars;
        lastBytes = bytes;
        return Math.min(bytes, size);
    }

    @Override
    public void close() {}
}
