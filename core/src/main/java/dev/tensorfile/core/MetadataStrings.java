package dev.tensorfile.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Carries typed metadata through formats whose metadata is strings only (safetensors {@code __metadata__}, ONNX
 * {@code metadata_props}), so that GGUF → safetensors → GGUF restores every key with its exact type.
 *
 * <p>The encoding: a string value stays itself. Any other value is stored as the JSON text of its bare value
 * ({@code "32"}, {@code "[1,2,3]"}, {@code "true"}, {@code "\"NaN\""}), and the reserved key {@value #TYPES_KEY}
 * holds a JSON object that gives each such key its type: a scalar's JSON type name ({@code "u32"}), an array's
 * {@code {"array": "u32"}}, an array of arrays {@code {"array": [inner, inner, ...]}} with one descriptor per inner
 * array. Readers that know nothing of this see readable values; keys absent from the type map are strings.
 */
public final class MetadataStrings {
    /** The reserved key that holds the types of the non-string values. */
    public static final String TYPES_KEY = "tensorfile.types";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private MetadataStrings() {}

    /** Encodes {@code metadata} as strings. */
    public static Map<String, String> encode(Metadata metadata) {
        Map<String, String> out = new LinkedHashMap<>();
        ObjectNode types = NODES.objectNode();
        for (Map.Entry<String, MetadataValue> e : metadata.asMap().entrySet()) {
            if (e.getKey().equals(TYPES_KEY)) continue;
            if (e.getValue() instanceof MetadataValue.Str s) {
                out.put(e.getKey(), s.value());
            } else {
                out.put(e.getKey(), MetadataJson.bareValue(e.getValue()).toString());
                types.set(e.getKey(), descriptor(e.getValue()));
            }
        }
        if (!types.isEmpty()) out.put(TYPES_KEY, types.toString());
        return out;
    }

    /** Decodes strings written by {@link #encode}; a map without {@value #TYPES_KEY} is all strings. */
    public static Metadata decode(Map<String, String> strings) {
        JsonNode types = null;
        String typesText = strings.get(TYPES_KEY);
        if (typesText != null) {
            try {
                types = JSON.readTree(typesText);
            } catch (JsonProcessingException e) {
                types = null;
            }
        }
        Metadata.Builder b = Metadata.builder();
        for (Map.Entry<String, String> e : strings.entrySet()) {
            if (types != null && e.getKey().equals(TYPES_KEY)) continue;
            JsonNode d = types == null || !types.isObject() ? null : types.get(e.getKey());
            MetadataValue v = null;
            if (d != null) {
                try {
                    v = fromDescriptor(JSON.readTree(e.getValue()), d);
                } catch (JsonProcessingException | IllegalArgumentException bad) {
                    v = null; // not our encoding after all: keep the string
                }
            }
            b.put(e.getKey(), v != null ? v : new MetadataValue.Str(e.getValue()));
        }
        return b.build();
    }

    private static JsonNode descriptor(MetadataValue v) {
        if (!(v instanceof MetadataValue.Array a)) return NODES.textNode(v.type().jsonName());
        ObjectNode o = NODES.objectNode();
        if (a.elementType() == ValueType.ARRAY) {
            ArrayNode inner = NODES.arrayNode();
            for (MetadataValue e : a.values()) inner.add(descriptor(e));
            o.set("array", inner);
        } else {
            o.put("array", a.elementType().jsonName());
        }
        return o;
    }

    private static MetadataValue fromDescriptor(JsonNode value, JsonNode d) {
        if (d.isTextual()) {
            ValueType t = ValueType.byJsonName(d.textValue());
            if (t == null || t == ValueType.ARRAY) throw new IllegalArgumentException("bad type " + d);
            return MetadataJson.fromJson(value, t, null);
        }
        JsonNode inner = d.get("array");
        if (inner == null || !value.isArray()) throw new IllegalArgumentException("bad array " + d);
        if (inner.isTextual()) {
            ValueType t = ValueType.byJsonName(inner.textValue());
            if (t == null || t == ValueType.ARRAY) throw new IllegalArgumentException("bad type " + inner);
            return MetadataJson.fromJson(value, ValueType.ARRAY, t);
        }
        if (!inner.isArray() || inner.size() != value.size()) throw new IllegalArgumentException("bad nesting " + d);
        List<MetadataValue> values = new ArrayList<>(value.size());
        Iterator<JsonNode> ds = inner.iterator();
        for (JsonNode e : value) values.add(fromDescriptor(e, ds.next()));
        return new MetadataValue.Array(ValueType.ARRAY, values);
    }
}
