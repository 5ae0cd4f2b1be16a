package dev.tensorfile.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tensorfile.core.Converter;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.TensorSink;
import dev.tensorfile.core.TensorWriter;
import dev.tensorfile.core.ValueType;
import dev.tensorfile.core.WriteOptions;
import dev.tensorfile.core.spi.ShardedTensorFile;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files our writer makes: byte for byte what the reference crate makes, readable back, atomic, sharded. */
class SafetensorsRoundTripTest {
    private static final Fixtures FIXTURES = Fixtures.resources("interop");
    private static final Fixtures EXPECTED = Fixtures.resources("interop-expected");

    private static final SafetensorsFormat FORMAT = new SafetensorsFormat();

    @TempDir Path dir;

    private static MemorySegment bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (seed * 31 + i * 7);
        return MemorySegment.ofArray(b);
    }

    private static MemorySegment floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return MemorySegment.ofArray(b.array());
    }

    private void write(Path out, Metadata metadata, List<TensorInfo> tensors, WriteOptions options) {
        try (TensorWriter w = FORMAT.newWriter(out, options)) {
            for (TensorInfo t : w.declare(metadata, tensors)) {
                w.write(t.name(), bytes((int) t.byteLength(), t.name().hashCode()));
            }
        }
    }

    // ---- byte-exact against the crate's own unit tests (safetensors/src/tensor.rs) ----

    private static byte[] ints(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    @Test
    void writesTheCratesTestSerializationBytes() throws IOException {
        // tensor.rs test_serialization: "attn.0", F32 [1, 2, 3], values 0..5.
        Path out = dir.resolve("a.safetensors");
        try (TensorWriter w = FORMAT.newWriter(out, WriteOptions.NONE)) {
            w.declare(Metadata.empty(), List.of(TensorInfo.of("attn.0", DType.F32, Shape.of(1, 2, 3))));
            w.write("attn.0", floats(0, 1, 2, 3, 4, 5));
        }
        assertArrayEquals(ints(64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
                116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
                58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
                101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
                0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64), Files.readAllBytes(out));
    }

    @Test
    void padsTheHeaderWithSpacesAsTheCrateDoes() throws IOException {
        // tensor.rs test_serialization_forced_alignement: "attn0", F32 [1, 1, 2, 3]: seven spaces of padding.
        Path out = dir.resolve("b.safetensors");
        try (TensorWriter w = FORMAT.newWriter(out, WriteOptions.NONE)) {
            w.declare(Metadata.empty(), List.of(TensorInfo.of("attn0", DType.F32, Shape.of(1, 1, 2, 3))));
            w.write("attn0", floats(0, 1, 2, 3, 4, 5));
        }
        assertArrayEquals(ints(72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
                121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
                91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
                115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
                32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
                160, 64), Files.readAllBytes(out));
    }

    @Test
    void writesTheCratesEmptyFiles() throws IOException {
        // tensor.rs test_empty: no tensors, without and with metadata {"framework": "pt"}.
        Path empty = dir.resolve("e.safetensors");
        write(empty, Metadata.empty(), List.of(), WriteOptions.NONE);
        assertArrayEquals(ints(8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32), Files.readAllBytes(empty));
        Path meta = dir.resolve("m.safetensors");
        write(meta, Metadata.builder().put("framework", "pt").build(), List.of(), WriteOptions.NONE);
        assertArrayEquals(ints(40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
                95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
                116, 34, 125, 125, 32, 32, 32, 32, 32), Files.readAllBytes(meta));
        try (TensorFile f = TensorFiles.open(meta)) {
            assertEquals("pt", f.metadata().getString("framework").orElseThrow());
            assertTrue(f.tensors().isEmpty());
        }
    }

    // ---- order, alignment, determinism ----

    @Test
    void ordersDataByDescendingAlignmentThenNameSoEveryTensorIsAligned() throws IOException {
        List<TensorInfo> tensors = new ArrayList<>();
        int i = 0;
        for (DType t : SafetensorsDType.ORDER) {
            long n = t.blockElements() * 3L;
            tensors.add(TensorInfo.of("t" + (char) ('z' - i++), t, Shape.of(n)));
        }
        tensors.add(TensorInfo.of("a", DType.U8, Shape.of(3)));  // odd sizes must not break later alignment
        tensors.add(TensorInfo.of("b", DType.F64, Shape.of(1)));
        List<TensorInfo> order;
        Path out = dir.resolve("o.safetensors");
        try (TensorWriter w = FORMAT.newWriter(out, WriteOptions.NONE)) {
            order = w.declare(Metadata.empty(), tensors);
            for (TensorInfo t : order) w.write(t.name(), bytes((int) t.byteLength(), 1));
        }
        List<String> names = order.stream().map(TensorInfo::name).toList();
        assertEquals(List.of("te", "tf", "b", "tg", "th"), names.subList(0, 5)); // U64, I64, F64 (b before tg), C64
        try (TensorFile f = TensorFiles.open(out)) {
            SafetensorsHeader h = ((SafetensorsFile) f).header();
            assertEquals(0, h.dataStart() % 8);
            List<String> byOffset = h.entries().stream().sorted(java.util.Comparator.comparingLong(SafetensorsHeader.Entry::begin))
                    .map(e -> e.info().name()).toList();
            assertEquals(names, byOffset, "data order is the feed order");
            for (SafetensorsHeader.Entry e : h.entries()) {
                int size = Math.max(1, e.info().dtype().blockBytes() / e.info().dtype().blockElements());
                if (e.info().dtype() == DType.C64) size = 4;
                assertEquals(0, (h.dataStart() + e.begin()) % size, e.info().name() + " aligned to its element");
            }
        }
    }

    @Test
    void sortsNamesAsUtf8Bytes() {
        // Rust compares str byte-wise: U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80), unlike UTF-16 order.
        List<TensorInfo> t = List.of(TensorInfo.of("\uD83D\uDE00", DType.U8, Shape.of(1)),
                TensorInfo.of("\uFF21", DType.U8, Shape.of(1)), TensorInfo.of("a", DType.U8, Shape.of(1)));
        try (TensorWriter w = FORMAT.newWriter(dir.resolve("u.safetensors"), WriteOptions.NONE)) {
            List<TensorInfo> order = w.declare(Metadata.empty(), t);
            assertEquals(List.of("a", "\uFF21", "\uD83D\uDE00"), order.stream().map(TensorInfo::name).toList());
            w.abort();
        }
    }

    @Test
    void writesByteForByteTheSameTwice() throws IOException {
        Metadata m = Metadata.builder().put("b", "2").put("a", "1").put("n", new MetadataValue.Int(ValueType.U32, 7)).build();
        List<TensorInfo> t = List.of(TensorInfo.of("x", DType.F16, Shape.of(3, 5)), TensorInfo.of("y", DType.I64, Shape.of(2)),
                TensorInfo.of("quote\"\n\u0001é", DType.BOOL, Shape.of(0)));
        write(dir.resolve("1.safetensors"), m, t, WriteOptions.NONE);
        write(dir.resolve("2.safetensors"), m, t, WriteOptions.NONE);
        assertArrayEquals(Files.readAllBytes(dir.resolve("1.safetensors")), Files.readAllBytes(dir.resolve("2.safetensors")));
        String header = new String(Files.readAllBytes(dir.resolve("1.safetensors")), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.contains("\"quote\\\"\\n\\u0001é\""), header);  // serde_json's escapes
    }

    // ---- round trips ----

    @TestFactory
    List<DynamicTest> everyFixtureRoundTripsThroughTheWriter() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path manifest : EXPECTED.manifests("")) {
            JsonNode m = Fixtures.readJson(manifest);
            if (!m.path("format").asText().equals("safetensors")) continue;
            Path src = FIXTURES.file(EXPECTED.relative(manifest).replaceFirst("\\.json$", ""));
            tests.add(DynamicTest.dynamicTest(src.getFileName().toString(), () -> {
                Path out = dir.resolve("rt-" + src.getFileName());
                try (TensorFile in = TensorFiles.open(src)) {
                    Converter.from(in).to(out);
                }
                try (TensorFile back = TensorFiles.open(out)) {
                    assertEquals(SafetensorsInteropTest.metadataOf(m.path("metadata")), back.metadata());
                    assertEquals(m.path("tensors").size(), back.tensors().size());
                    for (JsonNode t : m.path("tensors")) SafetensorsInteropTest.checkTensor(back.tensor(t.path("name").asText()), t, null);
                    assertEquals(0, ((SafetensorsFile) back).header().dataStart() % 8, "our header is padded");
                }
            }));
        }
        return tests;
    }

    @Test
    void typedMetadataRoundTrips() {
        Metadata m = Metadata.builder()
                .put("general.name", "tiny")
                .put("n_layer", new MetadataValue.Int(ValueType.U32, 12))
                .put("big", new MetadataValue.Int(ValueType.U64, -1L))
                .put("eps", new MetadataValue.F32(1e-5f))
                .put("nan", new MetadataValue.F64(Double.NaN))
                .put("flag", new MetadataValue.Bool(true))
                .put("ids", new MetadataValue.Array(ValueType.I32, List.of(new MetadataValue.Int(ValueType.I32, -1),
                        new MetadataValue.Int(ValueType.I32, 2))))
                .build();
        Path out = dir.resolve("typed.safetensors");
        write(out, m, List.of(TensorInfo.of("w", DType.F32, Shape.of(2))), WriteOptions.NONE);
        try (TensorFile f = TensorFiles.open(out)) {
            assertEquals(m, f.metadata());
        }
    }

    @Test
    void streamsATensorInChunksFromAnySource() {
        Path out = dir.resolve("chunks.safetensors");
        MemorySegment data = bytes(1000, 5);
        try (TensorWriter w = FORMAT.newWriter(out, WriteOptions.NONE)) {
            w.declare(Metadata.empty(), List.of(TensorInfo.of("big", DType.U8, Shape.of(1000))));
            try (TensorSink s = w.open("big")) {
                for (int at = 0; at < 1000; at += 333) s.write(data.asSlice(at, Math.min(333, 1000 - at)));
            }
        }
        try (TensorFile f = TensorFiles.open(out)) {
            assertEquals(-1, data.mismatch(f.tensor("big").bytes()));
        }
    }

    // ---- atomicity ----

    private List<Path> filesIn() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void abortLeavesNothing() throws IOException {
        TensorWriter w = FORMAT.newWriter(dir.resolve("x.safetensors"), WriteOptions.NONE);
        w.declare(Metadata.empty(), List.of(TensorInfo.of("a", DType.U8, Shape.of(4)), TensorInfo.of("b", DType.U8, Shape.of(4))));
        w.write("a", bytes(4, 1));
        w.abort();
        assertEquals(List.of(), filesIn());
    }

    @Test
    void closingAnIncompleteFileThrowsAndLeavesNothing() throws IOException {
        Path out = dir.resolve("y.safetensors");
        Files.writeString(out, "old");
        TensorWriter w = FORMAT.newWriter(out, WriteOptions.NONE);
        w.declare(Metadata.empty(), List.of(TensorInfo.of("a", DType.U8, Shape.of(4)), TensorInfo.of("b", DType.U8, Shape.of(4))));
        w.write("a", bytes(4, 1));
        assertThrows(IllegalStateException.class, w::close);
        assertEquals(List.of(out), filesIn());
        assertEquals("old", Files.readString(out), "the destination is untouched");
    }

    @Test
    void shardedAbortLeavesNothing() throws IOException {
        TensorWriter w = FORMAT.newWriter(dir.resolve("model.safetensors"), new WriteOptions(java.util.Map.of("max-shard-size", "4")));
        List<TensorInfo> order = w.declare(Metadata.empty(), List.of(TensorInfo.of("a", DType.U8, Shape.of(4)),
                TensorInfo.of("b", DType.U8, Shape.of(4)), TensorInfo.of("c", DType.U8, Shape.of(4))));
        w.write(order.get(0).name(), bytes(4, 1));
        w.write(order.get(1).name(), bytes(4, 2));
        w.abort();
        assertEquals(List.of(), filesIn());
    }

    // ---- what the writer refuses ----

    @Test
    void storesEveryDtypeOfTheCrateAndNothingElse() {
        for (DType t : DType.values()) {
            assertEquals(SafetensorsDType.ORDER.contains(t), FORMAT.canStore(t), t.name());
        }
        assertEquals(22, SafetensorsDType.ORDER.size());
        for (DType t : List.of(DType.STRING, DType.Q4_0, DType.C128, DType.I4, DType.U4, DType.I2, DType.U2)) {
            assertFalse(FORMAT.canStore(t), t.name());
        }
        TensorWriter w = FORMAT.newWriter(dir.resolve("q.safetensors"), WriteOptions.NONE);
        TensorFileException e = assertThrows(TensorFileException.class,
                () -> w.declare(Metadata.empty(), List.of(TensorInfo.of("q", DType.Q4_0, Shape.of(32)))));
        assertTrue(e.getMessage().contains("Q4_0"), e.getMessage());
        w.abort();
    }

    @Test
    void refusesATensorNamedLikeTheMetadataKey() {
        TensorWriter w = FORMAT.newWriter(dir.resolve("r.safetensors"), WriteOptions.NONE);
        assertThrows(TensorFileException.class,
                () -> w.declare(Metadata.empty(), List.of(TensorInfo.of("__metadata__", DType.U8, Shape.of(1)))));
        w.abort();
    }

    @Test
    void refusesAHeaderOver100MB() throws IOException {
        TensorWriter w = FORMAT.newWriter(dir.resolve("h.safetensors"), WriteOptions.NONE);
        String name = "n".repeat(100_000_000);
        TensorFileException e = assertThrows(TensorFileException.class,
                () -> w.declare(Metadata.empty(), List.of(TensorInfo.of(name, DType.U8, Shape.of(1)))));
        assertTrue(e.getMessage().contains("HeaderTooLarge"), e.getMessage());
        w.abort();
        assertEquals(List.of(), filesIn());
    }

    // ---- sharding ----

    @Test
    void shardsByMaximumSizeWithTransformersNamesAndIndex() throws IOException {
        Metadata m = Metadata.builder().put("format", "pt").build();
        List<TensorInfo> t = new ArrayList<>();
        for (int i = 0; i < 5; i++) t.add(TensorInfo.of("layers." + i + ".weight", DType.F32, Shape.of(25))); // 100 bytes each
        Path out = dir.resolve("model.safetensors");
        write(out, m, t, new WriteOptions(java.util.Map.of("max-shard-size", "250")));
        assertEquals(List.of("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors", "model.safetensors.index.json"),
                filesIn().stream().map(p -> p.getFileName().toString()).sorted().toList());
        JsonNode index = new ObjectMapper().readTree(dir.resolve("model.safetensors.index.json").toFile());
        assertEquals(500, index.path("metadata").path("total_size").asLong());
        assertEquals("model-00001-of-00003.safetensors", index.path("weight_map").path("layers.0.weight").asText());
        assertEquals("model-00001-of-00003.safetensors", index.path("weight_map").path("layers.1.weight").asText());
        assertEquals("model-00002-of-00003.safetensors", index.path("weight_map").path("layers.2.weight").asText());
        assertEquals("model-00003-of-00003.safetensors", index.path("weight_map").path("layers.4.weight").asText());
        try (TensorFile f = TensorFiles.open(dir.resolve("model.safetensors.index.json"))) {
            ShardedTensorFile set = assertInstanceOf(ShardedTensorFile.class, f);
            assertEquals(3, set.shards().size());
            assertEquals(m, f.metadata());
            for (TensorInfo i : t) {
                assertEquals(-1, bytes(100, i.name().hashCode()).mismatch(f.tensor(i.name()).bytes()), i.name());
            }
            for (TensorFile s : set.shards()) assertEquals(m, s.metadata(), "every shard carries the metadata");
        }
    }

    @Test
    void aTensorLargerThanTheShardSizeGetsAShardOfItsOwn() throws IOException {
        List<TensorInfo> t = List.of(TensorInfo.of("a", DType.U8, Shape.of(10)), TensorInfo.of("b", DType.U8, Shape.of(100)),
                TensorInfo.of("c", DType.U8, Shape.of(10)));
        write(dir.resolve("x.safetensors"), Metadata.empty(), t, new WriteOptions(java.util.Map.of("max-shard-size", "50")));
        try (TensorFile f = TensorFiles.open(dir.resolve("x.safetensors.index.json"))) {
            assertEquals(3, ((ShardedTensorFile) f).shards().size());
            assertEquals(List.of("a"), ((ShardedTensorFile) f).shards().get(0).tensors().stream().map(Tensor::name).toList());
            assertEquals(List.of("b"), ((ShardedTensorFile) f).shards().get(1).tensors().stream().map(Tensor::name).toList());
        }
    }

    @Test
    void oneShardIsWrittenAsAPlainFile() throws IOException {
        write(dir.resolve("small.safetensors"), Metadata.empty(), List.of(TensorInfo.of("a", DType.U8, Shape.of(10))),
                new WriteOptions(java.util.Map.of("max-shard-size", "5GB")));
        assertEquals(List.of(dir.resolve("small.safetensors")), filesIn());
    }

    @Test
    void anIndexDestinationAlwaysGetsShardsAndAnIndex() throws IOException {
        Path index = dir.resolve("w.safetensors.index.json");
        write(index, Metadata.empty(), List.of(TensorInfo.of("a", DType.U8, Shape.of(10))), WriteOptions.NONE);
        assertTrue(Files.exists(dir.resolve("w-00001-of-00001.safetensors")));
        try (TensorFile f = FORMAT.open(index, ReadLimits.DEFAULT)) {
            assertEquals(1, f.tensors().size());
        }
    }

    @Test
    void convertsIntoShardsThroughTheConverter() {
        Path src = FIXTURES.file("dv-model-bf16.safetensors");
        Path out = dir.resolve("conv.safetensors");
        try (TensorFile in = TensorFiles.open(src)) {
            Converter.from(in).dtype(DType.F32).options(new WriteOptions(java.util.Map.of("max-shard-size", "100"))).to(out);
        }
        try (TensorFile in = TensorFiles.open(src); TensorFile set = TensorFiles.open(dir.resolve("conv.safetensors.index.json"))) {
            assertTrue(((ShardedTensorFile) set).shards().size() > 1);
            assertEquals(in.tensors().size(), set.tensors().size());
            for (Tensor t : in.tensors()) {
                float[] a = new float[(int) t.elementCount()], b = new float[a.length];
                t.readFloats(0, a, 0, a.length);
                Tensor c = set.tensor(t.name());
                assertEquals(DType.F32, c.dtype());
                c.readFloats(0, b, 0, b.length);
                assertArrayEquals(a, b, t.name());
                assertEquals(ValueLayout.JAVA_BYTE.byteSize(), 1);
            }
        }
    }
}
