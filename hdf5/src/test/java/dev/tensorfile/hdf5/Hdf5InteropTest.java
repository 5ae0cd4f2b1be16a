package dev.tensorfile.hdf5;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataStrings;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.UnsupportedEntry;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every fixture against what h5py read back from it (the manifests): each dataset's dtype, shape and the SHA-256
 * of its values as little-endian bytes, strings as h5py decodes them, every attribute as metadata with h5py's
 * value, and the datasets h5py reads but that have no tensor type (compound, references, ...) listed, not read.
 */
class Hdf5InteropTest {
    private static final Fixtures FIXTURES = Fixtures.resources("hdf5");


    @TestFactory
    List<DynamicTest> everyDatasetAndAttributeHasH5pysValue() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : FIXTURES.excluding("gen/hostile").filesWithManifest()) {
            tests.add(DynamicTest.dynamicTest(FIXTURES.root().relativize(file).toString(), () -> check(file)));
        }
        return tests;
    }

    private static void check(Path file) {
        JsonNode m = FIXTURES.manifest(file);
        boolean shared = m.has("groups");
        try (TensorFile f = TensorFiles.open(file)) {
            String name = file.getFileName().toString();
            assertEquals(name.endsWith(".keras") || name.endsWith(".weights.json") ? "keras" : "hdf5", f.format());
            int expectedTensors = 0;
            for (JsonNode t : m.get("tensors")) {
                String tensorName = t.get("name").asText().replaceFirst("^/", "");
                String dtype = shared ? canonical(t) : t.get("dtype").asText();
                if (dtype == null) continue;
                expectedTensors++;
                Optional<Tensor> found = f.find(tensorName);
                assertTrue(found.isPresent(), tensorName + " is not a tensor; unsupported: " + f.unsupported());
                Tensor tensor = found.get();
                assertEquals(dtype, tensor.dtype().name(), tensorName);
                List<Long> shape = new ArrayList<>();
                t.get("shape").forEach(d -> shape.add(d.asLong()));
                assertEquals(shape, Arrays.stream(tensor.shape().dims()).boxed().toList(), tensorName);
                if (dtype.equals("STRING")) {
                    assertEquals(shape.stream().reduce(1L, (a, b) -> a * b), (long) tensor.strings().size(), tensorName);
                    if (t.has("strings")) {
                        List<String> want = new ArrayList<>();
                        t.get("strings").forEach(s -> want.add(s.asText()));
                        assertEquals(want, tensor.strings(), tensorName);
                    }
                } else {
                    assertEquals(t.get("sha256").asText(), Fixtures.sha256(tensor.bytes()), tensorName + " values");
                }
            }
            if (!shared) {
                assertEquals(expectedTensors, f.tensors().size(), "tensors: " + f.tensors());
                for (JsonNode n : m.get("not_tensors")) {
                    String path = n.asText();
                    assertTrue(f.find(path).isEmpty(), path + " should not be a tensor");
                    assertTrue(f.unsupported().stream().map(UnsupportedEntry::name).anyMatch(path::equals),
                            path + " should be listed as unsupported: " + f.unsupported());
                }
                m.get("metadata").properties().forEach(e -> {
                    MetadataValue v = f.metadata().get(e.getKey()).orElse(null);
                    if (v == null) fail(e.getKey() + " missing from metadata " + f.metadata().keys());
                    same(e.getKey(), e.getValue(), bare(v));
                });
            } else {
                for (JsonNode g : m.get("groups")) {
                    for (JsonNode a : g.get("attributes")) {
                        String key = g.get("name").asText().equals("/") ? a.get("name").asText()
                                : g.get("name").asText().substring(1) + "@" + a.get("name").asText();
                        MetadataValue v = f.metadata().get(key).orElse(null);
                        if (v == null) fail(key + " missing from metadata " + f.metadata().keys());
                        if (a.has("value")) same(key, a.get("value"), bare(v));
                    }
                }
            }
            f.verify();
        }
    }

    private static String canonical(JsonNode t) {
        if (t.hasNonNull("dtype_canonical")) return t.get("dtype_canonical").asText();
        return t.has("string") ? "STRING" : null;
    }

    /** Our value as JSON: the text core stores for it in string-only metadata (numbers compare approximately). */
    private static JsonNode bare(MetadataValue v) {
        if (v instanceof MetadataValue.Str s) return com.fasterxml.jackson.databind.node.TextNode.valueOf(s.value());
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(MetadataStrings.encode(Metadata.builder().put("v", v).build()).get("v"));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    /** h5py's value against ours: numbers to float precision (float16 attributes widen), lists element-wise. */
    private static void same(String key, JsonNode want, JsonNode got) {
        if (want.isObject() && want.has("count")) {
            assertEquals(want.get("count").asInt(), got.size(), key + " count");
            double sum = 0;
            for (JsonNode x : got) sum += x.asDouble();
            assertEquals(want.get("sum").asDouble(), sum, Math.abs(sum) * 1e-9, key + " sum");
            for (int i = 0; i < want.get("head").size(); i++) same(key + "[" + i + "]", want.get("head").get(i), got.get(i));
        } else if (want.isArray()) {
            assertTrue(got.isArray(), key + ": " + got + " is not a list");
            assertEquals(want.size(), got.size(), key + " size");
            for (int i = 0; i < want.size(); i++) same(key + "[" + i + "]", want.get(i), got.get(i));
        } else if (want.isNumber()) {
            assertTrue(got.isNumber(), key + ": " + got + " is not a number");
            if (want.isIntegralNumber()) assertEquals(want.bigIntegerValue(), got.bigIntegerValue(), key);
            else assertEquals(want.asDouble(), got.asDouble(), Math.abs(want.asDouble()) * 1e-6, key);
        } else if (want.isBoolean()) {
            assertEquals(want.asBoolean(), got.isBoolean() ? got.asBoolean() : got.asLong() != 0, key);
        } else {
            assertEquals(want.asText(), got.asText(), key);
        }
    }
}
