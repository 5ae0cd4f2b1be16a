package dev.tensorfile.core;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetadataStringsTest {
    private static MetadataValue.Int i(ValueType t, long v) { return new MetadataValue.Int(t, v); }

    @Test
    void everyTypeSurvivesTheStringEncoding() {
        Metadata m = Metadata.builder()
                .put("general.name", "tiny \"llama\"\n")
                .put("u8", i(ValueType.U8, 255)).put("i8", i(ValueType.I8, -128))
                .put("u16", i(ValueType.U16, 65535)).put("i16", i(ValueType.I16, -32768))
                .put("u32", i(ValueType.U32, 4294967295L)).put("i32", i(ValueType.I32, Integer.MIN_VALUE))
                .put("u64", i(ValueType.U64, -1L)).put("i64", i(ValueType.I64, Long.MIN_VALUE))
                .put("f32", new MetadataValue.F32(0.1f)).put("f64", new MetadataValue.F64(-0.0))
                .put("nan", new MetadataValue.F32(Float.NaN)).put("inf", new MetadataValue.F64(Double.NEGATIVE_INFINITY))
                .put("bool", new MetadataValue.Bool(true))
                .put("tokens", new MetadataValue.Array(ValueType.STRING, List.of(new MetadataValue.Str("a"), new MetadataValue.Str("\t"))))
                .put("scores", new MetadataValue.Array(ValueType.F32, List.of(new MetadataValue.F32(1.5f), new MetadataValue.F32(-0f))))
                .put("nested", new MetadataValue.Array(ValueType.ARRAY, List.of(
                        new MetadataValue.Array(ValueType.I32, List.of(i(ValueType.I32, 1), i(ValueType.I32, 2))),
                        new MetadataValue.Array(ValueType.STRING, List.of(new MetadataValue.Str("x"))),
                        new MetadataValue.Array(ValueType.U8, List.of()))))
                .build();
        Map<String, String> strings = MetadataStrings.encode(m);
        assertEquals("tiny \"llama\"\n", strings.get("general.name"), "strings stay themselves");
        assertEquals("255", strings.get("u8"));
        assertEquals("18446744073709551615", strings.get("u64"));
        assertTrue(strings.containsKey(MetadataStrings.TYPES_KEY));
        Metadata back = MetadataStrings.decode(strings);
        assertEquals(m.keys(), back.keys());
        for (String k : m.keys()) {
            assertEquals(m.get(k).orElseThrow(), back.get(k).orElseThrow(), k);
        }
        assertEquals(Float.floatToRawIntBits(0.1f),
                Float.floatToRawIntBits(((MetadataValue.F32) back.get("f32").orElseThrow()).value()));
        assertEquals(Double.doubleToRawLongBits(-0.0),
                Double.doubleToRawLongBits(((MetadataValue.F64) back.get("f64").orElseThrow()).value()));
    }

    @Test
    void plainStringsWithoutTheTypesKeyStayStrings() {
        Metadata back = MetadataStrings.decode(Map.of("format", "pt", "n", "5"));
        assertEquals(new MetadataValue.Str("5"), back.get("n").orElseThrow());
        assertFalse(MetadataStrings.encode(back).containsKey(MetadataStrings.TYPES_KEY));
    }

    @Test
    void aValueThatDoesNotParseAsItsDeclaredTypeStaysAString() {
        Metadata back = MetadataStrings.decode(Map.of("n", "not a number", MetadataStrings.TYPES_KEY, "{\"n\":\"u32\"}"));
        assertEquals(new MetadataValue.Str("not a number"), back.get("n").orElseThrow());
        Metadata range = MetadataStrings.decode(Map.of("n", "256", MetadataStrings.TYPES_KEY, "{\"n\":\"u8\"}"));
        assertEquals(new MetadataValue.Str("256"), range.get("n").orElseThrow());
    }
}
