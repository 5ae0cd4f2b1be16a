package dev.tensorfile.safetensors;

import dev.tensorfile.core.TensorInfo;

import java.util.List;
import java.util.Map;

/**
 * Writes the header JSON exactly as the reference crate's serde_json does: compact, {@code __metadata__} first,
 * then each tensor as {@code {"dtype":…,"shape":[…],"data_offsets":[b,e]}} in data order, strings escaped the
 * serde_json way ({@code \" \\ \b \f \n \r \t}, other control characters as a six-character {@code u00XX} escape, nothing else).
 */
final class HeaderJson {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private HeaderJson() {}

    /** The header text, unpadded. {@code offsets[i]} is where {@code tensors.get(i)} begins in the byte buffer. */
    static String header(Map<String, String> metadata, List<TensorInfo> tensors, long[] offsets) {
        StringBuilder b = new StringBuilder(64 + 96 * tensors.size());
        b.append('{');
        boolean first = true;
        if (!metadata.isEmpty()) {
            b.append("\"__metadata__\":{");
            boolean firstKey = true;
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (!firstKey) b.append(',');
                string(b, e.getKey());
                b.append(':');
                string(b, e.getValue());
                firstKey = false;
            }
            b.append('}');
            first = false;
        }
        for (int i = 0; i < tensors.size(); i++) {
            TensorInfo t = tensors.get(i);
            if (!first) b.append(',');
            first = false;
            string(b, t.name());
            b.append(":{\"dtype\":\"").append(t.dtype().name()).append("\",\"shape\":[");
            for (int d = 0; d < t.shape().rank(); d++) {
                if (d > 0) b.append(',');
                b.append(t.shape().dim(d));
            }
            b.append("],\"data_offsets\":[").append(offsets[i]).append(',').append(offsets[i] + t.byteLength()).append("]}");
        }
        return b.append('}').toString();
    }

    /** Appends {@code s} as a JSON string. */
    static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }
}
