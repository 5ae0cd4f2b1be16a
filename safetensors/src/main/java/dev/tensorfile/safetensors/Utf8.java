package dev.tensorfile.safetensors;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Strict UTF-8 validation over a segment, as Rust's {@code core::str::from_utf8} does it (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), without copying the bytes.
 */
final class Utf8 {
    private Utf8() {}

    /** The offset of the first byte of the first invalid sequence, or -1 if {@code s} is valid UTF-8. */
    static long firstInvalid(MemorySegment s) {
        long n = s.byteSize();
        long i = 0;
        while (i < n) {
            int b = s.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
            if (b < 0x80) {
                i++;
                continue;
            }
            int len;
            int min;
            int lo = 0x80, hi = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                len = 2;
            } else if (b >= 0xE0 && b <= 0xEF) {
                len = 3;
                if (b == 0xE0) lo = 0xA0;          // overlong
                else if (b == 0xED) hi = 0x9F;     // surrogates
            } else if (b >= 0xF0 && b <= 0xF4) {
                len = 4;
                if (b == 0xF0) lo = 0x90;          // overlong
                else if (b == 0xF4) hi = 0x8F;     // above U+10FFFF
            } else {
                return i;
            }
            min = lo;
            if (i + len > n) return i;
            int c1 = s.get(ValueLayout.JAVA_BYTE, i + 1) & 0xFF;
            if (c1 < min || c1 > hi) return i;
            for (int k = 2; k < len; k++) {
                int c = s.get(ValueLayout.JAVA_BYTE, i + k) & 0xFF;
                if (c < 0x80 || c > 0xBF) return i;
            }
            i += len;
        }
        return -1;
    }
}
