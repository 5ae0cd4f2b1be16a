package dev.tensorfile.pickle.vm;

import dev.tensorfile.core.spi.BigEndian;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** How pickletools.dis shows an opcode's argument, decoded from its bytes in the stream. */
public final class Disassembly {
    private Disassembly() {}

    private static final int SHOWN = 100;

    public static String argument(Opcode op, MemorySegment arg) {
        long n = arg.byteSize();
        return switch (op.arg) {
            case NONE -> "";
            case UINT1 -> n >= 1 ? Integer.toString(arg.get(ValueLayout.JAVA_BYTE, 0) & 0xFF) : "";
            case UINT2 -> n >= 2 ? Integer.toString(Short.toUnsignedInt(arg.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0))) : "";
            case INT4 -> n >= 4 ? Integer.toString(arg.get(ValueLayout.JAVA_INT_UNALIGNED, 0)) : "";
            case UINT4 -> n >= 4 ? Integer.toUnsignedString(arg.get(ValueLayout.JAVA_INT_UNALIGNED, 0)) : "";
            case UINT8 -> n >= 8 ? Long.toUnsignedString(arg.get(ValueLayout.JAVA_LONG_UNALIGNED, 0)) : "";
            case FLOAT8 -> n >= 8 ? Double.toString(arg.get(BigEndian.DOUBLE, 0)) : "";
            case LONG1, LONG4 -> {
                int skip = op.arg == Opcode.Arg.LONG1 ? 1 : 4;
                long len = n - skip;
                if (len <= 0) yield "0";
                if (len > 64) yield "<" + len + "-byte int>";
                byte[] le = arg.asSlice(skip).toArray(ValueLayout.JAVA_BYTE);
                byte[] be = new byte[le.length];
                for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
                yield new BigInteger(be).toString();
            }
            case DECIMAL_LINE -> {
                // pickletools shows the number it parses (INT's 00/01 are False/True, LONG drops its 'L')
                String t = text(arg, 0, n).strip();
                if (op == Opcode.INT && t.equals("00")) yield "False";
                if (op == Opcode.INT && t.equals("01")) yield "True";
                if (op == Opcode.LONG && t.endsWith("L")) t = t.substring(0, t.length() - 1);
                yield t.matches("[-+]?\\d{1,4300}") && op != Opcode.FLOAT ? new BigInteger(t).toString() : quote(t);
            }
            case QUOTED_LINE, ASCII_LINE, UNICODE_LINE -> quote(text(arg, 0, n).stripTrailing());
            case TWO_LINES -> quote(text(arg, 0, n).strip().replace('\n', ' '));
            case BYTES_UINT1 -> counted(op, arg, 1);
            case BYTES_UINT4, BYTES_INT4 -> counted(op, arg, 4);
            case BYTES_UINT8 -> counted(op, arg, 8);
        };
    }

    private static String counted(Opcode op, MemorySegment arg, int header) {
        long len = arg.byteSize() - header;
        if (len < 0) return "";
        boolean unicode = op == Opcode.BINUNICODE || op == Opcode.SHORT_BINUNICODE || op == Opcode.BINUNICODE8;
        if (unicode) {
            String s = new String(arg.asSlice(header, Math.min(len, SHOWN * 4L)).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            return quote(s) + (len > SHOWN * 4L ? " ... (" + len + " bytes)" : "");
        }
        StringBuilder sb = new StringBuilder("b'");
        for (long i = 0; i < Math.min(len, SHOWN); i++) {
            int b = arg.get(ValueLayout.JAVA_BYTE, header + i) & 0xFF;
            if (b >= 0x20 && b < 0x7f && b != '\'' && b != '\\') sb.append((char) b);
            else sb.append(String.format("\\x%02x", b));
        }
        sb.append('\'');
        if (len > SHOWN) sb.append(" ... (").append(len).append(" bytes)");
        return sb.toString();
    }

    private static String text(MemorySegment s, long from, long to) {
        long end = Math.min(to, from + SHOWN * 4L);
        return new String(s.asSlice(from, end - from).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private static String quote(String s) {
        String shown = s.length() > SHOWN ? s.substring(0, SHOWN) + "..." : s;
        StringBuilder sb = new StringBuilder("'");
        for (char ch : shown.toCharArray()) {
            if (ch == '\'' || ch == '\\') sb.append('\\').append(ch);
            else if (ch < 0x20) sb.append(String.format("\\x%02x", (int) ch));
            else sb.append(ch);
        }
        return sb.append('\'').toString();
    }
}
