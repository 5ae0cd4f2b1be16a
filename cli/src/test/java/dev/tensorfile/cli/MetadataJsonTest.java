package dev.tensorfile.cli;

import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataStrings;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ValueType;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The JSON form is the CLI contract of DESIGN.md: {"type": T, "value": V}, arrays with "elementType". */
class MetadataJsonTest {
    @Test
    void scalarsArraysAndNonFiniteFloats() {
        assertEquals("{\"type\":\"u32\",\"value\":7}", MetadataJson.toJson(new MetadataValue.Int(ValueType.U32, 7)).toString());
        assertEquals("{\"type\":\"u64\",\"value\":18446744073709551615}",
                MetadataJson.toJson(new MetadataValue.Int(ValueType.U64, -1)).toString());
        assertEquals("{\"type\":\"f32\",\"value\":\"NaN\"}", MetadataJson.toJson(new MetadataValue.F32(Float.NaN)).toString());
        assertEquals("{\"type\":\"f64\",\"value\":\"-Infinity\"}",
                MetadataJson.toJson(new MetadataValue.F64(Double.NEGATIVE_INFINITY)).toString());
        assertEquals("{\"type\":\"array\",\"elementType\":\"array\",\"value\":[[\"a\"],[]]}",
                MetadataJson.toJson(new MetadataValue.Array(ValueType.ARRAY, List.of(
                        new MetadataValue.Array(ValueType.STRING, List.of(new MetadataValue.Str("a"))),
                        new MetadataValue.Array(ValueType.STRING, List.of())))).toString());
        assertEquals("{\"type\":\"bool\",\"value\":false}", MetadataJson.toJson(new MetadataValue.Bool(false)).toString());
    }

    @Test
    void f32IsPrintedAsTheShortestDecimalOfTheFloat() {
        assertEquals("{\"type\":\"f32\",\"value\":0.1}", MetadataJson.toJson(new MetadataValue.F32(0.1f)).toString());
    }

    @Test
    void bareValuesAreTheTextCoreStoresInStringOnlyMetadata() {
        // Two walks make the same JSON (core's, in MetadataStrings, and the command's): they must not drift apart.
        Metadata m = Metadata.builder()
                .put("u64", new MetadataValue.Int(ValueType.U64, -1))
                .put("i8", new MetadataValue.Int(ValueType.I8, -128))
                .put("f32", new MetadataValue.F32(1.2096953E20f))
                .put("f64", new MetadataValue.F64(-0.0))
                .put("nan", new MetadataValue.F32(Float.NaN))
                .put("bool", new MetadataValue.Bool(true))
                .put("nested", new MetadataValue.Array(ValueType.ARRAY, List.of(
                        new MetadataValue.Array(ValueType.STRING, List.of(new MetadataValue.Str("a\"\n"))),
                        new MetadataValue.Array(ValueType.F64, List.of(new MetadataValue.F64(Double.POSITIVE_INFINITY))))))
                .build();
        java.util.Map<String, String> stored = MetadataStrings.encode(m);
        for (String k : m.keys()) assertEquals(stored.get(k), MetadataJson.bareValue(m.get(k).orElseThrow()).toString(), k);
    }
}
