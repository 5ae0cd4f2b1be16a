package dev.tensorfile.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.ValueType;
import dev.tensorfile.core.spi.ShardedTensorFile;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every fixture written by gguf-py and llama-quantize, read by us and compared with what gguf-py read back
 * (the manifests): header details, every key with its GGUF type and value (array payloads by SHA-256), every
 * tensor's dtype, row-major shape, ne[], offsets, byte size and the SHA-256 of its bytes, and its values as floats.
 */
class GgufInteropTest {
    private static final Fixtures FIXTURES = Fixtures.resources("gguf");

    private static final Map<String, ValueType> TYPES = Map.ofEntries(
            Map.entry("UINT8", ValueType.U8), Map.entry("INT8", ValueType.I8), Map.entry("UINT16", ValueType.U16),
            Map.entry("INT16", ValueType.I16), Map.entry("UINT32", ValueType.U32), Map.entry("INT32", ValueType.I32),
            Map.entry("UINT64", ValueType.U64), Map.entry("INT64", ValueType.I64), Map.entry("FLOAT32", ValueType.F32),
            Map.entry("FLOAT64", ValueType.F64), Map.entry("BOOL", ValueType.BOOL),
            Map.entry("STRING", ValueType.STRING), Map.entry("ARRAY", ValueType.ARRAY));

    @TestFactory
    List<DynamicNode> everyFixtureReadsAsGgufPyReadIt() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (Path file : FIXTURES.files(".gguf")) {
            JsonNode m = FIXTURES.manifest(file);
            nodes.add(DynamicContainer.dynamicContainer(file.getFileName().toString(), List.of(
                    DynamicTest.dynamicTest("header", () -> checkHeader(file, m)),
                    DynamicTest.dynamicTest("metadata", () -> checkMetadata(file, m)),
                    DynamicTest.dynamicTest("tensors", () -> checkTensors(file, m)),
                    DynamicContainer.dynamicContainer("values", floatChecks(file, m)))));
        }
        return nodes;
    }

    private static GgufFile openSingle(Path file) {
        return GgufFile.open(file, ReadLimits.DEFAULT);
    }

    private static void checkHeader(Path file, JsonNode m) {
        JsonNode d = m.get("format_details");
        try (GgufFile f = openSingle(file)) {
            GgufHeader h = f.header();
            assertEquals(d.get("version").asInt(), h.version());
            assertEquals(d.get("tensor_count").asInt(), h.tensors().size());
            assertEquals(d.get("kv_count").asInt(), h.metadata().size());
            assertEquals(d.get("alignment").asLong(), h.alignment());
            assertEquals(d.get("tensor_data_offset").asLong(), h.dataStart());
            assertEquals(d.get("endianness").asText(), h.order() == ByteOrder.BIG_ENDIAN ? "big" : "little");
        }
    }

    private static void checkMetadata(Path file, JsonNode m) {
        try (GgufFile f = openSingle(file)) {
            List<String> expectedKeys = new ArrayList<>();
            m.get("metadata").fieldNames().forEachRemaining(expectedKeys::add);
            assertEquals(expectedKeys, List.copyOf(f.metadata().keys()), "keys in file order");
            for (String key : expectedKeys) {
                JsonNode want = m.get("metadata").get(key);
                MetadataValue got = f.metadata().get(key).orElseThrow();
                assertEquals(TYPES.get(want.get("type").asText()), got.type(), key + ": type");
                if (got instanceof MetadataValue.Array a) {
                    assertEquals(TYPES.get(want.get("element_type").asText()), a.elementType(), key + ": element type");
                    assertEquals(want.get("length").asInt(), a.size(), key + ": length");
                    GgufHeaderBuffer payload = new GgufHeaderBuffer();
                    for (MetadataValue e : a.values()) payload.value(e);
                    assertEquals(want.get("payload_sha256").asText(), Fixtures.sha256(payload.toArray()),
                            key + ": payload");
                    JsonNode items = want.has("value") ? want.get("value") : want.get("head");
                    for (int i = 0; i < items.size(); i++) assertValue(items.get(i), a.values().get(i), key + "[" + i + "]");
                    if (want.has("inner_element_types")) {
                        for (int i = 0; i < a.size(); i++) {
                            assertEquals(TYPES.get(want.get("inner_element_types").get(i).asText()),
                                    ((MetadataValue.Array) a.values().get(i)).elementType(), key + "[" + i + "] type");
                        }
                    }
                } else {
                    assertValue(want.get("value"), got, key);
                }
            }
        }
    }

    /** A manifest value (JSON, non-finite floats as strings) against ours, bit for bit for floats. */
    static void assertValue(JsonNode want, MetadataValue got, String what) {
        switch (got) {
            case MetadataValue.Str s -> assertEquals(want.asText(), s.value(), what);
            case MetadataValue.Bool b -> assertEquals(want.asBoolean(), b.value(), what);
            case MetadataValue.Int i -> assertEquals(want.bigIntegerValue().longValue(), i.value(), what);
            case MetadataValue.F32 f -> assertEquals(0, Float.compare((float) number(want), f.value()), what);
            case MetadataValue.F64 d -> assertEquals(0, Double.compare(number(want), d.value()), what);
            case MetadataValue.Array a -> {
                assertEquals(want.size(), a.size(), what + ": length");
                for (int i = 0; i < want.size(); i++) assertValue(want.get(i), a.values().get(i), what + "[" + i + "]");
            }
        }
    }

    private static double number(JsonNode n) {
        return n.isTextual() ? switch (n.asText()) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> throw new AssertionError("not a number: " + n);
        } : n.doubleValue();
    }

    private static void checkTensors(Path file, JsonNode m) {
        try (GgufFile f = openSingle(file)) {
            JsonNode want = m.get("tensors");
            assertEquals(want.size(), f.tensors().size());
            for (int i = 0; i < want.size(); i++) {
                JsonNode w = want.get(i);
                Tensor t = f.tensors().get(i);
                GgufTensorInfo gi = f.header().tensors().get(i);
                String name = w.get("name").asText();
                assertEquals(name, t.name());
                assertEquals(DType.valueOf(w.get("dtype").asText()), t.dtype(), name);
                assertEquals(w.get("ggml_type_id").asInt(), gi.ggmlType(), name);
                assertEquals(longs(w.get("shape")), List.of(box(t.shape().dims())), name + ": row-major shape");
                assertEquals(longs(w.get("ggml_ne")), List.of(box(gi.ne())), name + ": ne");
                assertEquals(w.get("n_elements").asLong(), t.elementCount(), name);
                assertEquals(w.get("nbytes").asLong(), t.info().byteLength(), name);
                assertEquals(w.get("offset_in_data_section").asLong(), gi.offset(), name);
                assertEquals(w.get("data_offset").asLong(), f.header().dataStart() + gi.offset(), name);
                assertEquals(w.get("sha256").asText(), Fixtures.sha256(t.bytes()), name + ": little-endian bytes");
                if (w.has("stored_bytes_sha256")) {
                    // A big-endian file: the bytes as stored differ, and bytes() is a decode, not a view.
                    MemorySegment stored = MemorySegment.ofArray(java.nio.file.Files.readAllBytes(file))
                            .asSlice(w.get("data_offset").asLong(), t.info().byteLength());
                    assertEquals(w.get("stored_bytes_sha256").asText(), Fixtures.sha256(stored), name + ": stored");
                    assertEquals(t.dtype().blockBytes() == 1 || t.dtype().isQuantized(), t.isView(), name + ": view");
                } else {
                    assertTrue(t.isView(), name + ": a little-endian tensor is a view");
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** readFloats of every tensor against gguf-py's float32 values (dequantize for block types). */
    private static List<DynamicTest> floatChecks(Path file, JsonNode m) {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode w : m.get("tensors")) {
            String name = w.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                try (GgufFile f = openSingle(file)) {
                    Tensor t = f.tensor(name);
                    float[] values = new float[(int) t.elementCount()];
                    t.readFloats(0, values, 0, values.length);
                    ByteBuffer le = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    for (float v : values) le.putFloat(v);
                    assertEquals(w.get("f32_sha256").asText(), Fixtures.sha256(le.array()), name + ": float values");
                }
            }));
        }
        return tests;
    }

    @Test
    void firstShardOpensTheWholeSplitSet() {
        Path first = FIXTURES.file("dv-sharded-00001-of-00002.gguf");
        Path second = FIXTURES.file("dv-sharded-00002-of-00002.gguf");
        try (TensorFile set = TensorFiles.open(first)) {
            ShardedTensorFile sharded = assertInstanceOf(ShardedTensorFile.class, set);
            assertEquals("gguf", set.format());
            assertEquals(2, sharded.shards().size());
            List<String> names = new ArrayList<>();
            for (Path p : List.of(first, second)) {
                for (JsonNode w : FIXTURES.manifest(p).get("tensors")) {
                    names.add(w.get("name").asText());
                    assertEquals(w.get("sha256").asText(), Fixtures.sha256(set.tensor(w.get("name").asText()).bytes()));
                }
            }
            assertEquals(names, set.tensors().stream().map(Tensor::name).toList(), "tensors in shard order");
            // The set's metadata is the first shard's, split keys included.
            Set<String> keys = new TreeSet<>();
            FIXTURES.manifest(first).get("metadata").fieldNames().forEachRemaining(keys::add);
            assertEquals(keys, new TreeSet<>(set.metadata().keys()));
            assertEquals(0L, set.metadata().getLong("split.no").orElseThrow());
        }
    }

    @Test
    void anotherShardOpensAlone() {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("dv-sharded-00002-of-00002.gguf"))) {
            assertFalse(f instanceof ShardedTensorFile);
            assertEquals(List.of("part.2.q8", "part.3.f32"), f.tensors().stream().map(Tensor::name).toList());
            assertEquals(1L, f.metadata().getLong("split.no").orElseThrow());
        }
    }

    @Test
    void longArraysAreIndexedNotDecoded() {
        try (GgufFile f = openSingle(FIXTURES.file("dv-all-value-types.gguf"))) {
            MetadataValue.Array tokens = (MetadataValue.Array) f.metadata().get("t.arr_long_str").orElseThrow();
            assertInstanceOf(GgufArray.class, tokens.values(), "a 150-string array is read lazily");
            assertEquals(new MetadataValue.Str("tok0_"), tokens.values().get(0));
            MetadataValue.Array small = (MetadataValue.Array) f.metadata().get("t.arr_str").orElseThrow();
            assertFalse(small.values() instanceof GgufArray, "a short array is decoded at once");
        }
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> out = new ArrayList<>();
        for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) out.add(it.next().asLong());
        return out;
    }

    private static Long[] box(long[] a) {
        Long[] b = new Long[a.length];
        for (int i = 0; i < a.length; i++) b[i] = a[i];
        return b;
    }
}
