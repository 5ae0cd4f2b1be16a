package dev.tensorfile.tensorflow;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Protobuf's text format (protobuf.dev, <i>Text Format Language Specification</i>), as TensorFlow writes
 * {@code saved_model.pbtxt}: {@code name: value}, {@code name { ... }} (or {@code < ... >}), lists in brackets,
 * quoted strings with C escapes (adjacent ones joined), {@code #} comments. Values are kept as their text;
 * nesting is bounded by {@link ReadLimits#maxNestingDepth()} and counted iteratively, so no input overflows the stack.
 */
final class TextFormat {
    private final MemorySegment in;
    private final Path file;
    private final ReadLimits limits;
    private long pos;

    private TextFormat(MemorySegment in, Path file, ReadLimits limits) {
        this.in = in;
        this.file = file;
        this.limits = limits;
    }

    /** Parses a whole text-format message. */
    static ProtoMessage.Text parse(MemorySegment in, Path file, ReadLimits limits) {
        return new TextFormat(in, file, limits).message();
    }

    private MalformedFileException fail(String what) {
        return new MalformedFileException(TensorFlowFile.FORMAT, file, "text-format SavedModel", pos, what);
    }

    private ProtoMessage.Text message() {
        List<Map<String, List<Object>>> stack = new ArrayList<>();
        List<Character> closers = new ArrayList<>();
        Map<String, List<Object>> top = new LinkedHashMap<>();
        Map<String, List<Object>> current = top;
        while (true) {
            skipSpace();
            if (pos >= in.byteSize()) {
                if (!stack.isEmpty()) throw fail("message is not closed at the end of the file");
                return new ProtoMessage.Text(top);
            }
            int c = peek();
            if (c == '}' || c == '>') {
                if (stack.isEmpty() || closers.getLast() != c) throw fail("'" + (char) c + "' closes nothing");
                pos++;
                current = stack.removeLast();
                closers.removeLast();
                separator();
                continue;
            }
            String name = fieldName();
            skipSpace();
            boolean colon = peek() == ':';
            if (colon) {
                pos++;
                skipSpace();
            }
            int v = peek();
            if (v == '{' || v == '<') {
                if (stack.size() + 1 >= limits.maxNestingDepth()) throw fail("messages nested deeper than " + limits.maxNestingDepth());
                pos++;
                Map<String, List<Object>> child = new LinkedHashMap<>();
                current.computeIfAbsent(name, k -> new ArrayList<>()).add(new ProtoMessage.Text(child));
                stack.add(current);
                closers.add(v == '{' ? '}' : '>');
                current = child;
                continue;
            }
            if (!colon) throw fail("field '" + name + "' has no ':' before its value");
            List<Object> values = current.computeIfAbsent(name, k -> new ArrayList<>());
            if (v == '[') {
                pos++;
                skipSpace();
                while (peek() != ']') {
                    if (peek() == '{' || peek() == '<') throw fail("lists of messages are not supported in field '" + name + "'");
                    values.add(scalar());
                    skipSpace();
                    if (peek() == ',') {
                        pos++;
                        skipSpace();
                    } else if (peek() != ']') {
                        throw fail("list of field '" + name + "' is not closed by ']'");
                    }
                }
                pos++;
            } else {
                values.add(scalar());
            }
            separator();
        }
    }

    private void separator() {
        skipSpace();
        if (pos < in.byteSize() && (peek() == ',' || peek() == ';')) pos++;
    }

    private String fieldName() {
        long start = pos;
        if (peek() == '[') { // an extension or Any type URL
            while (pos < in.byteSize() && peek() != ']') pos++;
            if (pos >= in.byteSize()) throw fail("'[' of a field name is not closed");
            pos++;
            return text(start, pos);
        }
        while (pos < in.byteSize() && isIdentifier(peek())) pos++;
        if (pos == start) throw fail("expected a field name, found '" + (char) peek() + "'");
        return text(start, pos);
    }

    private String scalar() {
        int c = peek();
        if (c == '"' || c == '\'') {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            do {
                quoted(b);
                skipSpace();
            } while (pos < in.byteSize() && (peek() == '"' || peek() == '\''));
            if (b.size() > limits.maxStringBytes()) throw fail("string longer than " + limits.maxStringBytes() + " bytes");
            return b.toString(StandardCharsets.UTF_8);
        }
        long start = pos;
        while (pos < in.byteSize() && (isIdentifier(peek()) || peek() == '-' || peek() == '+' || peek() == '.')) pos++;
        if (pos == start) throw fail("expected a value, found '" + (char) c + "'");
        return text(start, pos);
    }

    private void quoted(ByteArrayOutputStream b) {
        long start = pos;
        int quote = in.get(ValueLayout.JAVA_BYTE, pos++);
        while (true) {
            if (pos >= in.byteSize()) {
                pos = start;
                throw fail("string is not closed");
            }
            int c = in.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
            if (c == quote) return;
            if (c == '\n') {
                pos = start;
                throw fail("string is not closed on its line");
            }
            if (c != '\\') {
                b.write(c);
                continue;
            }
            if (pos >= in.byteSize()) throw fail("escape is cut off");
            int e = in.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
            switch (e) {
                case 'n' -> b.write('\n');
                case 't' -> b.write('\t');
                case 'r' -> b.write('\r');
                case 'a' -> b.write(7);
                case 'b' -> b.write('\b');
                case 'f' -> b.write('\f');
                case 'v' -> b.write(11);
                case 'x', 'X' -> {
                    int v = 0;
                    int n = 0;
                    while (n < 2 && pos < in.byteSize() && Character.digit(peek(), 16) >= 0) {
                        v = v * 16 + Character.digit(peek(), 16);
                        pos++;
                        n++;
                    }
                    if (n == 0) throw fail("\\x without hex digits");
                    b.write(v);
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int n = 0; n < 2 && pos < in.byteSize() && peek() >= '0' && peek() <= '7'; n++) v = v * 8 + (in.get(ValueLayout.JAVA_BYTE, pos++) - '0');
                        b.write(v & 0xFF);
                    } else {
                        b.write(e); // \\ \' \" \?
                    }
                }
            }
        }
    }

    private void skipSpace() {
        while (pos < in.byteSize()) {
            int c = peek();
            if (c == '#') {
                while (pos < in.byteSize() && peek() != '\n') pos++;
            } else if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == 11) {
                pos++;
            } else {
                return;
            }
        }
    }

    private int peek() {
        if (pos >= in.byteSize()) throw fail("the text ends early");
        return in.get(ValueLayout.JAVA_BYTE, pos) & 0xFF;
    }

    private static boolean isIdentifier(int c) {
        return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.';
    }

    private String text(long from, long to) {
        return new String(in.asSlice(from, to - from).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }
}
