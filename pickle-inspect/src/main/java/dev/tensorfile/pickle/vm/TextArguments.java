package dev.tensorfile.pickle.vm;

import dev.tensorfile.core.spi.ByteCursor;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * The text arguments of protocol 0's opcodes (INT, LONG, FLOAT, GET, PUT, STRING, UNICODE), decoded as pickle.py's
 * {@code load_*} methods decode them; a bad argument is a malformed-file error at the opcode's offset.
 */
final class TextArguments {
    private TextArguments() {}

    static long parseIndex(String line, ByteCursor c, long at) {
        try {
            return Long.parseLong(line.strip());
        } catch (NumberFormatException e) {
            throw c.failAt(at, "memo index '" + Values.shorten(line) + "' is not an integer");
        }
    }

    static PValue parseInt(String line, ByteCursor c, long at) {
        String s = line.strip().replace("_", "");
        if (s.length() > PickleLimits.MAX_INT_DIGITS) {
            throw c.failAt(at, "integer of " + s.length() + " digits (Python refuses more than "
                    + PickleLimits.MAX_INT_DIGITS + ")");
        }
        try {
            BigInteger v = new BigInteger(s);
            return v.bitLength() < 64 ? PValue.PInt.of(v.longValue()) : new PValue.PBigInt(v, (v.bitLength() + 8) / 8);
        } catch (NumberFormatException e) {
            throw c.failAt(at, "'" + Values.shorten(line) + "' is not an integer");
        }
    }

    static double parseFloat(String line) {
        String s = line.strip().toLowerCase();
        return switch (s) {
            case "inf", "+inf", "infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            case "nan", "+nan", "-nan" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    /** Decodes a STRING argument: a quoted Python repr with backslash escapes (pickle.py load_string). */
    static byte[] unquote(String line, ByteCursor c, long at) {
        String s = line.strip();
        if (s.length() < 2 || (s.charAt(0) != '\'' && s.charAt(0) != '"') || s.charAt(s.length() - 1) != s.charAt(0)) {
            throw c.failAt(at, "the STRING opcode argument must be quoted");
        }
        s = s.substring(1, s.length() - 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch != '\\' || i + 1 == s.length()) {
                byte[] b = String.valueOf(ch).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case 'r' -> out.write('\r');
                case 'a' -> out.write(7);
                case 'b' -> out.write(8);
                case 'f' -> out.write(12);
                case 'v' -> out.write(11);
                case '\n' -> { }
                case 'x' -> {
                    if (i + 2 >= s.length()) throw c.failAt(at, "bad \\x escape in STRING");
                    try {
                        out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    } catch (RuntimeException ex) {
                        throw c.failAt(at, "bad \\x escape in STRING");
                    }
                    i += 2;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int k = 0; k < 2 && i + 1 < s.length() && s.charAt(i + 1) >= '0' && s.charAt(i + 1) <= '7'; k++) {
                            v = v * 8 + (s.charAt(++i) - '0');
                        }
                        out.write(v & 0xFF);
                    } else {
                        out.write(e == '\\' || e == '\'' || e == '"' ? e : '\\');
                        if (e != '\\' && e != '\'' && e != '"') out.write(e);
                    }
                }
            }
        }
        return out.toByteArray();
    }

    /** Decodes a UNICODE argument: raw-unicode-escape (latin-1 plus {@code \\uXXXX} and {@code \\UXXXXXXXX}). */
    static String rawUnicodeEscape(String line, ByteCursor c, long at) {
        // The line was decoded as UTF-8; raw-unicode-escape bytes are latin-1, so recover them first.
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        String latin = new String(bytes, StandardCharsets.ISO_8859_1);
        if (latin.indexOf('\\') < 0) return latin;
        StringBuilder sb = new StringBuilder(latin.length());
        for (int i = 0; i < latin.length(); i++) {
            char ch = latin.charAt(i);
            if (ch == '\\' && i + 1 < latin.length() && (latin.charAt(i + 1) == 'u' || latin.charAt(i + 1) == 'U')) {
                int digits = latin.charAt(i + 1) == 'u' ? 4 : 8;
                if (i + 2 + digits > latin.length()) throw c.failAt(at, "truncated \\u escape in UNICODE");
                try {
                    sb.appendCodePoint(Integer.parseUnsignedInt(latin.substring(i + 2, i + 2 + digits), 16));
                } catch (RuntimeException e) {
                    throw c.failAt(at, "bad \\u escape in UNICODE");
                }
                i += 1 + digits;
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }
}
