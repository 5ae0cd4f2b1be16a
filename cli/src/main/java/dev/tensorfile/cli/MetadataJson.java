package dev.tensorfile.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ValueType;

import java.math.BigInteger;

/**
 * The JSON form of metadata values that {@code inspect --json} prints and DESIGN.md documents:
 * {@code {"type": T, "value": V}} with T one of {@code u8 i8 u16 i16 u32 i32 u64 i64 f32 f64 bool string array};
 * an array adds {@code "elementType"} and its value is a JSON list (nested for arrays of arrays); non-finite floats
 * are the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}; U64 values above 2^63 are exact.
 *
 * <p>It lives in the command, not in core, so that core's API carries no Jackson type. The bare values are those
 * core's {@link dev.tensorfile.core.MetadataStrings} stores as text; a round trip through text would not do here,
 * since a float printed as its shortest decimal reads back as a double whose shortest decimal can differ.
 */
final class MetadataJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private MetadataJson() {}

    /** The whole map as {@code {KEY: {"type": ..., "value": ...}}}. */
    static ObjectNode toJson(Metadata metadata) {
        ObjectNode o = NODES.objectNode();
        metadata.asMap().forEach((k, v) -> o.set(k, toJson(v)));
        return o;
    }

    /** One value as {@code {"type": ..., "value": ...}}. */
    static ObjectNode toJson(MetadataValue value) {
        ObjectNode o = NODES.objectNode();
        o.put("type", value.type().jsonName());
        if (value instanceof MetadataValue.Array a) o.put("elementType", a.elementType().jsonName());
        o.set("value", bareValue(value));
        return o;
    }

    /** The value alone: a JSON number, string, boolean or (nested) list. */
    static JsonNode bareValue(MetadataValue value) {
        return switch (value) {
            case MetadataValue.Str s -> NODES.textNode(s.value());
            case MetadataValue.Int i -> i.type() == ValueType.U64 && i.value() < 0
                    ? NODES.numberNode(new BigInteger(Long.toUnsignedString(i.value())))
                    : NODES.numberNode(i.value());
            case MetadataValue.F32 f -> Float.isFinite(f.value()) ? NODES.numberNode(f.value())
                    : NODES.textNode(nonFinite(f.value()));
            case MetadataValue.F64 d -> Double.isFinite(d.value()) ? NODES.numberNode(d.value())
                    : NODES.textNode(nonFinite(d.value()));
            case MetadataValue.Bool b -> NODES.booleanNode(b.value());
            case MetadataValue.Array a -> {
                ArrayNode list = NODES.arrayNode(a.size());
                for (MetadataValue v : a.values()) list.add(bareValue(v));
                yield list;
            }
        };
    }

    private static String nonFinite(double d) {
        return Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
    }
}
