package dev.tensorfile.safetensors;

import dev.tensorfile.core.spi.LittleEndian;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.spi.ShardedTensorFile;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every fixture the real tools wrote (and the Hugging Face samples and candle's file from their repositories) reads
 * back exactly as the manifests say: dtypes, shapes, byte counts, metadata, the bytes themselves (sha256) and their
 * float32 widening (f32_sha256).
 */
class SafetensorsInteropTest {
    private static final Fixtures FIXTURES = Fixtures.resources("interop");
    private static final Fixtures EXPECTED = Fixtures.resources("interop-expected");


    @TestFactory
    List<DynamicTest> everyFixtureMatchesItsManifest() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path manifest : EXPECTED.manifests("")) {
            JsonNode m = Fixtures.readJson(manifest);
            if (!m.path("format").asText().equals("safetensors")) continue;
            tests.add(DynamicTest.dynamicTest(m.path("file").asText(), () -> check(FIXTURES.file(EXPECTED.relative(manifest).replaceFirst("\\.json$", "")), m)));
        }
        assertEquals(16, tests.size(), "every safetensors manifest is checked");
        return tests;
    }

    private static void check(Path file, JsonNode m) {
        try (TensorFile f = TensorFiles.open(file)) {
            assertEquals("safetensors", f.format());
            assertEquals(metadataOf(m.path("metadata")), f.metadata(), "metadata");
            assertEquals(m.path("tensors").size(), f.tensors().size(), "tensor count");
            // tensors() lists them in header order: the manifest's header_key_order without __metadata__.
            List<String> headerOrder = new ArrayList<>();
            for (JsonNode k : m.path("format_details").path("header_key_order")) {
                if (!k.asText().equals("__metadata__")) headerOrder.add(k.asText());
            }
            assertEquals(headerOrder, f.tensors().stream().map(Tensor::name).toList(), "header order");
            SafetensorsHeader header = ((SafetensorsFile) f).header();
            assertEquals(m.path("format_details").path("header_size").asLong(), header.headerLength());
            for (JsonNode t : m.path("tensors")) checkTensor(f.tensor(t.path("name").asText()), t, header);
        }
    }

    static void checkTensor(Tensor tensor, JsonNode t, SafetensorsHeader header) {
        String name = t.path("name").asText();
        assertEquals(t.path("dtype").asText(), tensor.dtype().name(), name);
        List<Long> shape = new ArrayList<>();
        t.path("shape").forEach(d -> shape.add(d.asLong()));
        assertEquals(shape, java.util.Arrays.stream(tensor.shape().dims()).boxed().toList(), name + " shape");
        assertEquals(t.path("nbytes").asLong(), tensor.info().byteLength(), name + " nbytes");
        assertTrue(tensor.isView(), name + " is a view of the mapping");
        assertEquals(t.path("sha256").asText(), Fixtures.sha256(tensor.bytes()), name + " bytes");
        if (header != null) {
            SafetensorsHeader.Entry e = header.entries().stream().filter(x -> x.info().name().equals(name)).findFirst().orElseThrow();
            assertEquals(t.path("absolute_offset").asLong(), header.dataStart() + e.begin(), name + " offset");
        }
        if (t.has("f32_sha256") && widens(tensor.dtype())) {
            int n = (int) tensor.elementCount();
            float[] floats = new float[n];
            tensor.readFloats(0, floats, 0, n);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(4L * n + 1).asSlice(0, 4L * n);
                MemorySegment.copy(floats, 0, out, LittleEndian.FLOAT, 0, n);
                assertEquals(t.path("f32_sha256").asText(), Fixtures.sha256(out), name + " as float (array)");
                MemorySegment direct = arena.allocate(4L * n + 1).asSlice(1, 4L * n); // unaligned destination
                tensor.readFloats(0, direct, 0, n);
                assertEquals(t.path("f32_sha256").asText(), Fixtures.sha256(direct), name + " as float (segment)");
            }
        }
    }

    static Metadata metadataOf(JsonNode m) {
        if (m == null || m.isNull() || m.isMissingNode()) return Metadata.empty();
        Map<String, MetadataValue> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = m.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            map.put(e.getKey(), new MetadataValue.Str(e.getValue().asText()));
        }
        return Metadata.of(map);
    }

    @Test
    void indexOpensTheWholeShardedSet() {
        Path index = FIXTURES.file("dv-shards/model.safetensors.index.json");
        JsonNode m = Fixtures.readJson(EXPECTED.file("dv-shards/model.safetensors.index.json.json"));
        try (TensorFile f = TensorFiles.open(index)) {
            assertEquals("safetensors", f.format());
            ShardedTensorFile set = assertInstanceOf(ShardedTensorFile.class, f);
            assertEquals(2, set.shards().size());
            List<String> want = new ArrayList<>();
            m.path("weight_map").fieldNames().forEachRemaining(want::add);
            assertEquals(want.stream().sorted().toList(), f.tensors().stream().map(Tensor::name).sorted().toList());
            long total = 0;
            for (Tensor t : f.tensors()) total += t.info().byteLength();
            assertEquals(m.path("metadata").path("total_size").asLong(), total);
            // every tensor is the shard's own, checked against the shard manifests
            for (String shard : List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")) {
                JsonNode sm = Fixtures.readJson(EXPECTED.file("dv-shards/" + shard + ".json"));
                for (JsonNode t : sm.path("tensors")) {
                    Tensor tensor = f.tensor(t.path("name").asText());
                    assertNotNull(tensor);
                    checkTensor(tensor, t, null);
                }
                assertEquals(metadataOf(sm.path("metadata")).isEmpty() ? Metadata.empty() : metadataOf(
                        Fixtures.readJson(EXPECTED.file("dv-shards/model-00001-of-00002.safetensors.json"))
                                .path("metadata")), f.metadata());
            }
        }
    }

    @Test
    void oneShardOpensAlone() {
        Path shard = FIXTURES.file("dv-shards/model-00002-of-00002.safetensors");
        JsonNode m = Fixtures.readJson(EXPECTED.file("dv-shards/model-00002-of-00002.safetensors.json"));
        try (TensorFile f = TensorFiles.open(shard)) {
            assertInstanceOf(SafetensorsFile.class, f);
            assertEquals(m.path("tensors").size(), f.tensors().size());
        }
    }

    @Test
    void unalignedSampleSlicesAlongTheFirstDimension() {
        // hf-sample files have unpadded headers: the byte buffer starts at an odd offset.
        Path file = FIXTURES.file("real/hf-sample-float64-typecode-d.safetensors");
        try (TensorFile f = TensorFiles.open(file)) {
            Tensor t = f.tensors().getFirst();
            assertEquals(DType.F64, t.dtype());
            Tensor rows = t.slice(2, 5);
            assertTrue(rows.isView());
            float[] v = new float[3];
            rows.readFloats(0, v, 0, 3);
            assertEquals(List.of(-1f, 0f, 1f), List.of(v[0], v[1], v[2])); // np.arange(-3, 3)[2:5], the manifest's values
        }
    }

    /** The types {@link Tensor#readFloats} takes: every real scalar, integer and bool type. */
    private static boolean widens(DType type) {
        return switch (type.kind()) {
            case FLOAT, SIGNED, UNSIGNED, BOOL -> true;
            case COMPLEX, STRING, QUANTIZED -> false;
        };
    }
}
