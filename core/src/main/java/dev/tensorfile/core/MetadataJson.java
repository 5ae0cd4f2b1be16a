package dev.tensorfile.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The bare JSON form of a metadata value that {@link MetadataStrings} stores: a JSON number, string, boolean or
 * (nested) list; non-finite floats are the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}; U64
 * values above 2^63 are exact. Package-private: Jackson is how core does this, not part of core's API (the CLI's
 * {@code inspect --json} form lives in the CLI).
 */
final class MetadataJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private MetadataJson() {}

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

    /**
     * Reads a bare JSON value back as {@code type}; for arrays {@code elementType} is the type of the elements
     * (nested arrays: the inner arrays' element types are given by {@code inner}, one per element, or null
     * when unknown, in which case they are inferred).
     *
     * @throws IllegalArgumentException if the JSON does not fit the type
     */
    static MetadataValue fromJson(JsonNode node, ValueType type, ValueType elementType) {
        return switch (type) {
            case STRING -> new MetadataValue.Str(requireText(node));
            case BOOL -> {
                if (!node.isBoolean()) throw new IllegalArgumentException("not a boolean: " + node);
                yield new MetadataValue.Bool(node.booleanValue());
            }
            case F32 -> new MetadataValue.F32((float) number(node));
            case F64 -> new MetadataValue.F64(number(node));
            case ARRAY -> {
                if (!node.isArray()) throw new IllegalArgumentException("not a list: " + node);
                List<MetadataValue> values = new ArrayList<>(node.size());
                for (JsonNode e : node) {
                    values.add(elementType == ValueType.ARRAY ? fromJson(e, ValueType.ARRAY, inferElementType(e))
                            : fromJson(e, elementType, null));
                }
                yield new MetadataValue.Array(elementType, values);
            }
            default -> new MetadataValue.Int(type, integer(node, type));
        };
    }

    private static ValueType inferElementType(JsonNode list) {
        if (list.isEmpty()) return ValueType.STRING;
        JsonNode first = list.get(0);
        if (first.isTextual()) return ValueType.STRING;
        if (first.isBoolean()) return ValueType.BOOL;
        if (first.isArray()) return ValueType.ARRAY;
        if (first.isIntegralNumber()) return ValueType.I64;
        return ValueType.F64;
    }

    private static String requireText(JsonNode node) {
        if (!node.isTextual()) throw new IllegalArgumentException("not a string: " + node);
        return node.textValue();
    }

    private static double number(JsonNode node) {
        if (node.isNumber()) return node.doubleValue();
        if (node.isTextual()) {
            return switch (node.textValue()) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> throw new IllegalArgumentException("not a number: " + node);
            };
        }
        throw new IllegalArgumentException("not a number: " + node);
    }

    private static long integer(JsonNode node, ValueType type) {
        if (!node.isIntegralNumber()) throw new IllegalArgumentException("not an integer: " + node);
        BigInteger v = node.bigIntegerValue();
        BigInteger min = switch (type) {
            case I8 -> BigInteger.valueOf(Byte.MIN_VALUE);
            case I16 -> BigInteger.valueOf(Short.MIN_VALUE);
            case I32 -> BigInteger.valueOf(Integer.MIN_VALUE);
            case I64 -> BigInteger.valueOf(Long.MIN_VALUE);
            default -> BigInteger.ZERO;
        };
        BigInteger max = switch (type) {
            case I8 -> BigInteger.valueOf(Byte.MAX_VALUE);
            case I16 -> BigInteger.valueOf(Short.MAX_VALUE);
            case I32 -> BigInteger.valueOf(Integer.MAX_VALUE);
            case I64 -> BigInteger.valueOf(Long.MAX_VALUE);
            case U8 -> BigInteger.valueOf(0xFF);
            case U16 -> BigInteger.valueOf(0xFFFF);
            case U32 -> BigInteger.valueOf(0xFFFFFFFFL);
            default -> BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
        };
        if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
            throw new IllegalArgumentException(v + " is outside the range of " + type.jsonName());
        }
        return v.longValue();
    }
}
