package dev.tensorfile.pickle.numpy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Python literals a {@code .npy} header uses (numpy reads it with {@code ast.literal_eval}): a dict of str keys
 * whose values are strs, True/False, ints or tuples of ints. Nothing else is accepted; nesting is one level.
 */
final class PyLiteral {
    private final String s;
    private int i;

    private PyLiteral(String s) { this.s = s; }

    /** A parsed dict: str keys to String, Boolean, Long or List of Long. */
    record Dict(Map<String, Object> values) {
        String string(String key) { return values.get(key) instanceof String v ? v : null; }
        Boolean bool(String key) { return values.get(key) instanceof Boolean v ? v : null; }

        long[] ints(String key) {
            if (!(values.get(key) instanceof List<?> l)) return null;
            long[] out = new long[l.size()];
            for (int k = 0; k < out.length; k++) {
                if (!(l.get(k) instanceof Long v)) return null;
                out[k] = v;
            }
            return out;
        }
    }

    static Dict parseDict(String text) {
        PyLiteral p = new PyLiteral(text);
        p.ws();
        p.expect('{');
        Map<String, Object> m = new LinkedHashMap<>();
        while (true) {
            p.ws();
            if (p.peek() == '}') {
                p.i++;
                break;
            }
            String key = p.string();
            p.ws();
            p.expect(':');
            p.ws();
            m.put(key, p.value());
            p.ws();
            if (p.peek() == ',') p.i++;
            else if (p.peek() != '}') throw new IllegalArgumentException("expected ',' or '}' at " + p.i);
        }
        return new Dict(m);
    }

    private Object value() {
        char ch = peek();
        if (ch == '\'' || ch == '"') return string();
        if (ch == '(' || ch == '[') {
            char close = ch == '(' ? ')' : ']';
            i++;
            List<Long> items = new ArrayList<>();
            while (true) {
                ws();
                if (peek() == close) {
                    i++;
                    return items;
                }
                if (items.size() > 64) throw new IllegalArgumentException("more than 64 dimensions");
                items.add(integer());
                ws();
                if (peek() == ',') i++;
                else if (peek() != close) throw new IllegalArgumentException("expected ',' at " + i);
            }
        }
        if (s.startsWith("True", i)) {
            i += 4;
            return Boolean.TRUE;
        }
        if (s.startsWith("False", i)) {
            i += 5;
            return Boolean.FALSE;
        }
        return integer();
    }

    private long integer() {
        int from = i;
        if (peek() == '-') i++;
        while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
        if (i < s.length() && s.charAt(i) == 'L') i++;
        String digits = s.substring(from, i).replace("L", "");
        if (digits.isEmpty() || digits.equals("-") || digits.length() > 19) {
            throw new IllegalArgumentException("expected an integer at " + from);
        }
        return Long.parseLong(digits);
    }

    private String string() {
        char q = peek();
        if (q != '\'' && q != '"') throw new IllegalArgumentException("expected a string at " + i);
        int end = s.indexOf(q, i + 1);
        if (end < 0) throw new IllegalArgumentException("unterminated string at " + i);
        String v = s.substring(i + 1, end);
        i = end + 1;
        return v;
    }

    private void expect(char ch) {
        if (peek() != ch) throw new IllegalArgumentException("expected '" + ch + "' at " + i);
        i++;
    }

    private char peek() { return i < s.length() ? s.charAt(i) : '\0'; }

    private void ws() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }
}
