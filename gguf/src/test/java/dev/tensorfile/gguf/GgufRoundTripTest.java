package dev.tensorfile.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tensorfile.core.Converter;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataStrings;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.TensorWriter;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.ValueType;
import dev.tensorfile.core.WriteOptions;
import dev.tensorfile.core.spi.ShardedTensorFile;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files our writer makes, read back by our reader and judged by an independent one (a port of the acceptance
 * checks' {@code gguf_read.py}): every value type, nested arrays, alignment, splits, the exact offsets ggml demands,
 * atomic commit, and conversions GGUF → GGUF.
 */
class GgufRoundTripTest {
    private static final Fixtures FIXTURES = Fixtures.resources("gguf");

    private static final GgufFormat GGUF = new GgufFormat();

    @TempDir
    Path dir;

    private static MetadataValue.Int i(ValueType t, long v) { return new MetadataValue.Int(t, v); }

    private static MetadataValue.Array arr(ValueType t, MetadataValue... v) { return new MetadataValue.Array(t, List.of(v)); }

    private static MetadataValue.Str s(String v) { return new MetadataValue.Str(v); }

    /** One key of every type, arrays of every type (short and long), nested arrays, an empty array. */
    static Metadata everyType() {
        Metadata.Builder b = Metadata.builder()
                .put("general.architecture", s("tftest"))
                .put("t.u8", i(ValueType.U8, 255)).put("t.i8", i(ValueType.I8, -128))
                .put("t.u16", i(ValueType.U16, 65535)).put("t.i16", i(ValueType.I16, -32768))
                .put("t.u32", i(ValueType.U32, 4294967295L)).put("t.i32", i(ValueType.I32, Integer.MIN_VALUE))
                .put("t.u64", i(ValueType.U64, -1)).put("t.i64", i(ValueType.I64, Long.MIN_VALUE))
                .put("t.f32", new MetadataValue.F32(-0.0f)).put("t.f32nan", new MetadataValue.F32(Float.NaN))
                .put("t.f64", new MetadataValue.F64(Double.MIN_VALUE)).put("t.true", new MetadataValue.Bool(true))
                .put("t.false", new MetadataValue.Bool(false)).put("t.str", s("ünïcödé \n\t\"")).put("t.empty", s(""))
                .put("t.arr_empty", arr(ValueType.F64))
                .put("t.arr_f32", arr(ValueType.F32, new MetadataValue.F32(Float.POSITIVE_INFINITY),
                        new MetadataValue.F32(Float.MIN_VALUE), new MetadataValue.F32(-0.0f)))
                .put("t.arr_bool", arr(ValueType.BOOL, new MetadataValue.Bool(true), new MetadataValue.Bool(false)))
                .put("t.nested", arr(ValueType.ARRAY, arr(ValueType.STRING, s("a"), s("bc")), arr(ValueType.STRING),
                        arr(ValueType.ARRAY, arr(ValueType.I32, i(ValueType.I32, -4)))));
        for (ValueType t : List.of(ValueType.U8, ValueType.I8, ValueType.U16, ValueType.I16, ValueType.U32,
                ValueType.I32, ValueType.U64, ValueType.I64)) {
            List<MetadataValue> values = new ArrayList<>();
            for (int k = 0; k < 300; k++) values.add(i(t, (k * 37L) % 100));
            b.put("t.long_" + t.jsonName(), new MetadataValue.Array(t, values));
        }
        List<MetadataValue> tokens = new ArrayList<>();
        List<MetadataValue> scores = new ArrayList<>();
        List<MetadataValue> doubles = new ArrayList<>();
        for (int k = 0; k < 200; k++) {
            tokens.add(s("tok" + k + "_" + "x".repeat(k % 9)));
            scores.add(new MetadataValue.F32(-k / 7f));
            doubles.add(new MetadataValue.F64(k / 3.0));
        }
        b.put("t.long_str", new MetadataValue.Array(ValueType.STRING, tokens));
        b.put("t.long_f32", new MetadataValue.Array(ValueType.F32, scores));
        b.put("t.long_f64", new MetadataValue.Array(ValueType.F64, doubles));
        return b.build();
    }

    /** Tensors of every storable scalar type and two block types, of odd sizes, plus a scalar and an empty one. */
    static List<TensorInfo> tensors() {
        return List.of(TensorInfo.of("f32.matrix", DType.F32, Shape.of(5, 9)),
                TensorInfo.of("f16.cube", DType.F16, Shape.of(2, 3, 7)),
                TensorInfo.of("bf16.v", DType.BF16, Shape.of(11)),
                TensorInfo.of("f64.v", DType.F64, Shape.of(3)),
                TensorInfo.of("i8.v", DType.I8, Shape.of(5)),
                TensorInfo.of("i16.m", DType.I16, Shape.of(3, 1)),
                TensorInfo.of("i32.v", DType.I32, Shape.of(7)),
                TensorInfo.of("i64.v", DType.I64, Shape.of(1, 1, 1, 3)),
                TensorInfo.of("q8_0.m", DType.Q8_0, Shape.of(3, 64)),
                TensorInfo.of("q4_k.m", DType.Q4_K, Shape.of(2, 256)),
                TensorInfo.of("scalar", DType.F32, Shape.scalar()),
                TensorInfo.of("empty", DType.F32, Shape.of(0, 4)));
    }

    private static Map<String, byte[]> write(Path out, Metadata md, List<TensorInfo> tensors, WriteOptions options) {
        Random random = new Random(42);
        Map<String, byte[]> data = new LinkedHashMap<>();
        try (TensorWriter w = GGUF.newWriter(out, options)) {
            for (TensorInfo t : w.declare(md, tensors)) {
                byte[] bytes = new byte[(int) t.byteLength()];
                random.nextBytes(bytes);
                data.put(t.name(), bytes);
                w.write(t.name(), MemorySegment.ofArray(bytes));
            }
        }
        return data;
    }

    private static void assertSameData(Map<String, byte[]> data, TensorFile f) {
        assertEquals(List.copyOf(data.keySet()), f.tensors().stream().map(Tensor::name).toList());
        for (Tensor t : f.tensors()) {
            assertArrayEquals(data.get(t.name()), t.bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), t.name());
        }
    }

    @Test
    void everyValueTypeAndTensorTypeRoundTrips() {
        Path out = dir.resolve("all.gguf");
        Metadata md = everyType();
        Map<String, byte[]> data = write(out, md, tensors(), WriteOptions.NONE);
        try (TensorFile f = TensorFiles.open(out)) {
            Map<String, MetadataValue> want = new LinkedHashMap<>(md.asMap());
            // The spec requires general.quantization_version when a tensor is quantized: added at the end.
            want.put("general.quantization_version", i(ValueType.U32, 2));
            assertEquals(Metadata.of(want), f.metadata());
            assertInstanceOf(GgufArray.class, ((MetadataValue.Array) f.metadata().get("t.long_str").orElseThrow()).values());
            assertSameData(data, f);
            assertEquals(Shape.scalar(), f.tensor("scalar").shape());
            assertEquals(Shape.of(0, 4), f.tensor("empty").shape());
        }
        IndependentGgufReader judge = new IndependentGgufReader(out);
        assertEquals(3, judge.version);
        assertEquals(List.of(), judge.layoutProblems());
        assertEquals(0, judge.data % 32);
        assertEquals(0, judge.bytes.length % 32, "the last tensor is padded too, as gguf.cpp does");
        assertEquals(new IndependentGgufReader.Kv("UINT16", 65535L), judge.kv.get("t.u16"));
        assertEquals(new IndependentGgufReader.Kv("UINT32", 2L), judge.kv.get("general.quantization_version"));
        assertEquals("ARRAY", judge.kv.get("t.nested").type());
        for (Map.Entry<String, byte[]> e : data.entrySet()) assertArrayEquals(e.getValue(), judge.raw(e.getKey()));
        // ne[] is stored innermost first.
        assertArrayEquals(new long[] {7, 3, 2}, judge.tensors.get(1).ne());
        assertArrayEquals(new long[] {}, judge.tensors.get(10).ne());
    }

    @Test
    void alignmentComesFromGeneralAlignment() {
        Path out = dir.resolve("a64.gguf");
        Metadata md = Metadata.builder().put("general.alignment", i(ValueType.U32, 64)).build();
        Map<String, byte[]> data = write(out, md, tensors(), WriteOptions.NONE);
        IndependentGgufReader judge = new IndependentGgufReader(out);
        assertEquals(64, judge.alignment);
        assertEquals(0, judge.data % 64);
        assertEquals(List.of(), judge.layoutProblems());
        for (IndependentGgufReader.TensorEntry t : judge.tensors) assertEquals(0, t.offset() % 64, t.name());
        try (TensorFile f = TensorFiles.open(out)) {
            assertSameData(data, f);
        }
    }

    @Test
    void quantizationVersionOnlyWhenQuantized() {
        Path out = dir.resolve("f32.gguf");
        write(out, Metadata.empty(), List.of(TensorInfo.of("w", DType.F32, Shape.of(4))), WriteOptions.NONE);
        assertFalse(new IndependentGgufReader(out).kv.containsKey("general.quantization_version"));
    }

    @Test
    void splitsByTensorCountInGgufSplitLayout() {
        Path out = dir.resolve("model.gguf");
        Metadata md = everyType();
        Map<String, byte[]> data = write(out, md, tensors(), new WriteOptions(Map.of("max-shard-tensors", "5")));
        assertFalse(Files.exists(out), "a split writes shards only");
        List<Path> shards = List.of(dir.resolve("model-00001-of-00003.gguf"), dir.resolve("model-00002-of-00003.gguf"),
                dir.resolve("model-00003-of-00003.gguf"));
        int[] counts = {5, 5, 2};
        for (int k = 0; k < 3; k++) {
            IndependentGgufReader judge = new IndependentGgufReader(shards.get(k));
            assertEquals(List.of(), judge.layoutProblems());
            assertEquals(counts[k], judge.tensors.size());
            // llama.cpp's gguf-split: split.no and split.count are UINT16, split.tensors.count INT32.
            assertEquals(new IndependentGgufReader.Kv("UINT16", (long) k), judge.kv.get("split.no"));
            assertEquals(new IndependentGgufReader.Kv("UINT16", 3L), judge.kv.get("split.count"));
            assertEquals(new IndependentGgufReader.Kv("INT32", 12L), judge.kv.get("split.tensors.count"));
            assertEquals(k == 0, judge.kv.containsKey("general.architecture"), "key/values in the first shard only");
            if (k > 0) assertEquals(3, judge.kv.size());
        }
        try (TensorFile set = TensorFiles.open(shards.get(0))) {
            assertInstanceOf(ShardedTensorFile.class, set);
            assertSameData(data, set);
            assertEquals(md.getString("t.str"), set.metadata().getString("t.str"));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(3, files.count(), "no temporary files are left");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void splitsByDataSize() {
        Path out = dir.resolve("sized.gguf");
        List<TensorInfo> ts = new ArrayList<>();
        for (int k = 0; k < 6; k++) ts.add(TensorInfo.of("t" + k, DType.F32, Shape.of(100)));
        // 400 bytes each, padded to 416: two fit in 1000 bytes, a third does not.
        Map<String, byte[]> data = write(out, Metadata.empty(), ts, new WriteOptions(Map.of("max-shard-size", "1000")));
        for (int k = 1; k <= 3; k++) {
            IndependentGgufReader judge = new IndependentGgufReader(dir.resolve("sized-0000" + k + "-of-00003.gguf"));
            assertEquals(2, judge.tensors.size());
            assertEquals(List.of(), judge.layoutProblems());
        }
        try (TensorFile set = TensorFiles.open(dir.resolve("sized-00001-of-00003.gguf"))) {
            assertSameData(data, set);
        }
    }

    @Test
    void typedMetadataFromAStringOnlyFormatIsWrittenTyped() {
        Metadata typed = everyType();
        Metadata.Builder strings = Metadata.builder();
        MetadataStrings.encode(typed).forEach(strings::put);
        Path out = dir.resolve("typed.gguf");
        write(out, strings.build(), List.of(TensorInfo.of("w", DType.F32, Shape.of(2))), WriteOptions.NONE);
        try (TensorFile f = TensorFiles.open(out)) {
            assertEquals(typed, f.metadata());
        }
    }

    @Test
    void typedKeysSurviveGgufToSafetensorsToGguf() throws IOException {
        // gguf-py's key/value zoo: every value type, arrays of every type, arrays of arrays, a 100k-element array.
        Path zoo = FIXTURES.file("dv-all-value-types.gguf");
        Path mid = dir.resolve("zoo.safetensors");
        Path back = dir.resolve("zoo-back.gguf");
        try (TensorFile in = TensorFiles.open(zoo)) {
            Converter.from(in).to(mid);
        }
        // The safetensors file holds strings only: the types travel in MetadataStrings' reserved key.
        byte[] st = Files.readAllBytes(mid);
        long headerLength = java.nio.ByteBuffer.wrap(st, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(new String(st, 8, (int) headerLength, java.nio.charset.StandardCharsets.UTF_8));
        JsonNode strings = header.get("__metadata__");
        strings.properties().forEach(e -> assertTrue(e.getValue().isTextual(), e.getKey()));
        JsonNode types = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(strings.get(MetadataStrings.TYPES_KEY).asText());
        assertEquals("u8", types.get("t.u8").asText());
        assertTrue(types.get("t.arr_nested_i32").get("array").isArray(), types.toString());
        try (TensorFile in = TensorFiles.open(mid)) {
            Converter.from(in).to(back);
        }
        IndependentGgufReader want = new IndependentGgufReader(zoo);
        IndependentGgufReader got = new IndependentGgufReader(back);
        assertEquals(List.of(), got.layoutProblems());
        for (Map.Entry<String, IndependentGgufReader.Kv> e : want.kv.entrySet()) {
            assertEquals(e.getValue(), got.kv.get(e.getKey()), e.getKey());
        }
        assertTrue(want.kv.get("t.arr_nested_i32").value() instanceof IndependentGgufReader.Array a
                && a.elementType().equals("ARRAY"));
        try (TensorFile f = TensorFiles.open(back); TensorFile in = TensorFiles.open(zoo)) {
            assertEquals(in.metadata(), f.metadata());
            for (Tensor t : in.tensors()) {
                if (!t.dtype().isQuantized()) assertEquals(-1, t.bytes().mismatch(f.tensor(t.name()).bytes()), t.name());
            }
        }
    }

    @Test
    void bigEndianFileIsRewrittenLittleEndian() {
        Path be = FIXTURES.file("dv-be.gguf");
        Path out = dir.resolve("le.gguf");
        try (TensorFile in = TensorFiles.open(be)) {
            Converter.from(in).to(out);
        }
        JsonNode m = FIXTURES.manifest(be);
        try (TensorFile f = TensorFiles.open(out); TensorFile in = TensorFiles.open(be)) {
            assertEquals(in.metadata(), f.metadata());
            for (JsonNode w : m.get("tensors")) {
                Tensor t = f.tensor(w.get("name").asText());
                assertTrue(t.isView());
                assertEquals(w.get("sha256").asText(), Fixtures.sha256(t.bytes()));
            }
        }
        assertEquals(List.of(), new IndependentGgufReader(out).layoutProblems());
    }

    @Test
    void ggufToGgufKeepsEveryKeyAndByte() {
        Path zoo = FIXTURES.file("dv-all-value-types.gguf");
        Path out = dir.resolve("zoo-copy.gguf");
        Converter.Report report;
        try (TensorFile in = TensorFiles.open(zoo)) {
            report = Converter.from(in).to(out);
        }
        assertEquals(13, report.tensorsWritten());
        try (TensorFile f = TensorFiles.open(out); TensorFile in = TensorFiles.open(zoo)) {
            Map<String, MetadataValue> want = new LinkedHashMap<>(in.metadata().asMap());
            want.put("general.quantization_version", i(ValueType.U32, 2));
            assertEquals(Metadata.of(want), f.metadata());
            for (Tensor t : in.tensors()) assertEquals(-1, t.bytes().mismatch(f.tensor(t.name()).bytes()), t.name());
        }
        IndependentGgufReader judge = new IndependentGgufReader(out);
        assertEquals(64, judge.alignment);
        assertEquals(List.of(), judge.layoutProblems());
    }

    @Test
    void aSplitSetConvertsToOneFileWithoutItsSplitKeys() {
        Path out = dir.resolve("joined.gguf");
        Converter.Report report;
        try (TensorFile in = TensorFiles.open(FIXTURES.file("dv-sharded-00001-of-00002.gguf"))) {
            report = Converter.from(in).to(out);
        }
        assertTrue(report.notes().stream().anyMatch(n -> n.contains("split.count")), report.notes().toString());
        IndependentGgufReader judge = new IndependentGgufReader(out);
        assertEquals(4, judge.tensors.size());
        assertFalse(judge.kv.containsKey("split.count"));
        assertEquals(List.of(), judge.layoutProblems());
    }

    @Test
    void quantizesThroughTheConverterLikeLlamaQuantize() {
        Path out = dir.resolve("q8.gguf");
        try (TensorFile in = TensorFiles.open(FIXTURES.file("dv-microllama-F32.gguf"))) {
            Converter.from(in).dtype(DType.Q8_0).to(out);
        }
        IndependentGgufReader ours = new IndependentGgufReader(out);
        IndependentGgufReader ref = new IndependentGgufReader(FIXTURES.file("dv-microllama-Q8_0.gguf"));
        assertEquals(List.of(), ours.layoutProblems());
        int compared = 0;
        for (IndependentGgufReader.TensorEntry t : ref.tensors) {
            if (t.type() != RawGguf.Q8_0) continue;
            assertArrayEquals(ref.raw(t.name()), ours.raw(t.name()), t.name());
            compared++;
        }
        assertTrue(compared > 0);
        assertEquals(new IndependentGgufReader.Kv("UINT32", 2L), ours.kv.get("general.quantization_version"));
    }

    @Test
    void refusesWhatGgufCannotHold() {
        TensorWriter w1 = GGUF.newWriter(dir.resolve("u8.gguf"), WriteOptions.NONE);
        assertThrows(UnsupportedFeatureException.class,
                () -> w1.declare(Metadata.empty(), List.of(TensorInfo.of("b", DType.U8, Shape.of(3)))));
        w1.abort();
        TensorWriter w2 = GGUF.newWriter(dir.resolve("rank5.gguf"), WriteOptions.NONE);
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> w2.declare(Metadata.empty(), List.of(TensorInfo.of("r", DType.F32, Shape.of(1, 1, 1, 1, 2)))));
        assertTrue(e.getMessage().contains("at most 4"), e.getMessage());
        w2.abort();
        TensorWriter w3 = GGUF.newWriter(dir.resolve("row.gguf"), WriteOptions.NONE);
        TensorFileException r = assertThrows(TensorFileException.class,
                () -> w3.declare(Metadata.empty(), List.of(TensorInfo.of("q", DType.Q8_0, Shape.of(64, 32)))
                        .stream().map(t -> new TensorInfo("q", DType.Q8_0, Shape.of(2, 48), 102)).toList()));
        assertTrue(r.getMessage().contains("row length 48 is not a multiple of the 32-element Q8_0 block"), r.getMessage());
        w3.abort();
        assertTrue(GGUF.canStore(DType.IQ2_XXS) && GGUF.canStore(DType.BF16) && !GGUF.canStore(DType.U8)
                && !GGUF.canStore(DType.BOOL));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "nothing is left behind");
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    @Test
    void anIncompleteOrAbortedWriteLeavesNothing() throws IOException {
        Path out = dir.resolve("never.gguf");
        Files.writeString(out, "old");
        TensorWriter w = GGUF.newWriter(out, new WriteOptions(Map.of("max-shard-tensors", "1")));
        w.declare(Metadata.empty(), List.of(TensorInfo.of("a", DType.F32, Shape.of(2)), TensorInfo.of("b", DType.F32, Shape.of(2))));
        w.write("a", MemorySegment.ofArray(new byte[8]));
        assertThrows(IllegalStateException.class, w::close);
        assertEquals("old", Files.readString(out));
        TensorWriter w2 = GGUF.newWriter(out, WriteOptions.NONE);
        w2.declare(Metadata.empty(), List.of(TensorInfo.of("a", DType.F32, Shape.of(2))));
        w2.write("a", MemorySegment.ofArray(new byte[8]));
        w2.abort();
        assertEquals("old", Files.readString(out));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(out), files.toList(), "no shard or temporary file is left");
        }
    }
}
