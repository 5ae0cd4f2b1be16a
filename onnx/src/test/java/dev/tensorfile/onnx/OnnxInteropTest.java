package dev.tensorfile.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import dev.tensorfile.onnx.initializers.DataType;
import dev.tensorfile.onnx.initializers.TensorProto;
import dev.tensorfile.onnx.initializers.TypedData;
import dev.tensorfile.testframework.Fixtures;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every fixture against what onnx itself read back (the manifests): dtype, shape and the SHA-256 of the stored
 * values of each initializer; the model fields as metadata; for types 17-26, the element values that the type
 * definitions give.
 */
class OnnxInteropTest {
    private static final Fixtures FIXTURES = Fixtures.resources("onnx");


    @TestFactory
    List<DynamicTest> everyInitializerHasOnnxsValues() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path model : FIXTURES.excluding("gen/nesting").files(".onnx")) {
            tests.add(DynamicTest.dynamicTest(FIXTURES.root().relativize(model).toString(), () -> check(model)));
        }
        return tests;
    }

    private static void check(Path model) {
        JsonNode m = FIXTURES.manifest(model);
        try (TensorFile f = TensorFiles.open(model)) {
            assertEquals("onnx", f.format());
            JsonNode fields = m.has("model") ? m.get("model") : m;
            assertEquals(fields.get("ir_version").asLong(), f.metadata().getLong("onnx.ir_version").orElseThrow());
            if (fields.get("opset_import").isArray()) {
                for (JsonNode o : fields.get("opset_import")) {
                    String d = o.get("domain").asText().isEmpty() ? "ai.onnx" : o.get("domain").asText();
                    assertEquals(o.get("version").asLong(), f.metadata().getLong("onnx.opset." + d).orElseThrow());
                }
            } else {
                fields.get("opset_import").properties().forEach(e ->
                        assertEquals(e.getValue().asLong(), f.metadata().getLong("onnx.opset." + e.getKey()).orElseThrow()));
            }
            if (fields.has("metadata_props")) {
                fields.get("metadata_props").properties().forEach(e ->
                        assertEquals(e.getValue().asText(), f.metadata().getString(e.getKey()).orElseThrow()));
            }
            for (JsonNode t : m.get("tensors")) {
                String name = t.get("name").asText();
                Tensor tensor = f.tensor(name);
                String dtype = t.has("dtype_canonical") ? t.get("dtype_canonical").asText() : t.get("dtype").asText();
                assertEquals(dtype, tensor.dtype().name(), name);
                List<Long> shape = new ArrayList<>();
                t.get("shape").forEach(d -> shape.add(d.asLong()));
                assertEquals(shape, java.util.Arrays.stream(tensor.shape().dims()).boxed().toList(), name);
                if (tensor.dtype() == DType.STRING) {
                    if (t.has("strings")) {
                        List<String> want = new ArrayList<>();
                        t.get("strings").forEach(s -> want.add(s.asText()));
                        assertEquals(want, tensor.strings(), name);
                    }
                    byte[] joined = String.join("", tensor.strings()).getBytes(StandardCharsets.UTF_8);
                    if (t.has("sha256") && !model.toString().contains("dv-")) assertEquals(t.get("sha256").asText(), Fixtures.sha256(joined), name);
                    continue;
                }
                if (t.has("sha256")) assertEquals(t.get("sha256").asText(), Fixtures.sha256(tensor.bytes()), name);
                if (t.has("floats")) checkFloats(tensor, t.get("floats"));
                if (t.has("ints")) checkInts(tensor, t.get("ints"));
            }
            if (m.has("complete")) {
                // the manifest lists every tensor onnx holds (initializers and Constant values): nothing more, nothing less
                List<String> all = new ArrayList<>(), constants = new ArrayList<>();
                for (JsonNode t : m.get("tensors")) {
                    all.add(t.get("name").asText());
                    if (t.path("origin").asText().equals("constant")) constants.add(t.get("name").asText());
                }
                assertEquals(all, f.tensors().stream().map(Tensor::name).toList());
                List<String> listed = new ArrayList<>();
                f.metadata().get(OnnxFile.CONSTANTS_KEY).ifPresent(v -> ((MetadataValue.Array) v).values()
                        .forEach(x -> listed.add(((MetadataValue.Str) x).value())));
                assertEquals(constants, listed);
            }
            if (m.has("sparse")) {
                JsonNode s = m.get("sparse");
                Tensor t = f.tensor(s.get("name").asText());
                assertEquals(s.get("sha256").asText(), Fixtures.sha256(t.bytes()));
                assertFalse(t.isView());
            }
            f.verify();
        }
    }

    private static void checkFloats(Tensor t, JsonNode want) {
        float[] got = new float[(int) t.elementCount()];
        t.readFloats(0, got, 0, got.length);
        for (int i = 0; i < got.length; i++) {
            JsonNode w = want.get(i);
            float expected = w.isTextual() ? switch (w.asText()) {
                case "NaN" -> Float.NaN;
                case "Infinity" -> Float.POSITIVE_INFINITY;
                default -> Float.NEGATIVE_INFINITY;
            } : (float) w.asDouble();
            assertEquals(expected, got[i], t.name() + "[" + i + "]");
        }
    }

    private static void checkInts(Tensor t, JsonNode want) {
        long[] got = Elements.longs(t);
        for (int i = 0; i < got.length; i++) assertEquals(want.get(i).asLong(), got[i], t.name() + "[" + i + "]");
        assertEquals(want.size(), got.length);
    }

    /**
     * Typed fields read in chunks that cut values apart, forwards and backwards, each pass on a fresh open so that
     * nothing decoded whole is reused: the bytes are onnx's all the same.
     */
    @TestFactory
    List<DynamicTest> typedDataReadsInAnyRangeWithoutDecodingTheWholeTensor() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path model : FIXTURES.excluding("gen/nesting").files(".onnx")) {
            tests.add(DynamicTest.dynamicTest(FIXTURES.root().relativize(model).toString(), () -> {
                int checked = 0;
                for (JsonNode t : FIXTURES.manifest(model).get("tensors")) {
                    if (!t.has("sha256")) continue;
                    String name = t.get("name").asText();
                    for (int chunk : new int[] {1, 3, 7, 13}) {
                        for (boolean backwards : new boolean[] {false, true}) {
                            try (TensorFile f = TensorFiles.open(model)) {
                                Tensor tensor = f.tensor(name);
                                if (tensor.isView() || tensor.dtype() == DType.STRING) continue;
                                byte[] all = new byte[Math.toIntExact(tensor.info().byteLength())];
                                MemorySegment out = MemorySegment.ofArray(all);
                                int parts = (all.length + chunk - 1) / chunk;
                                for (int k = 0; k < parts; k++) {
                                    int at = (backwards ? parts - 1 - k : k) * chunk;
                                    tensor.readBytes(at, out.asSlice(at, Math.min(chunk, all.length - at)));
                                }
                                assertEquals(t.get("sha256").asText(), Fixtures.sha256(all),
                                        name + " in chunks of " + chunk + (backwards ? " backwards" : ""));
                                assertThrows(IndexOutOfBoundsException.class,
                                        () -> tensor.readBytes(all.length - 1, MemorySegment.ofArray(new byte[2])));
                                checked++;
                            }
                        }
                    }
                }
                String file = model.getFileName().toString();
                if (file.equals("all-types.onnx") || file.equals("wire-types.onnx")) {
                    assertTrue(checked > 0, "decoded typed tensors were read");
                }
            }));
        }
        return tests;
    }

    /** Consecutive reads that cut values decode each value once: no read starts over from the field's start. */
    @Test
    void consecutiveReadsOfTypedDataResumeEvenInsideAValue() {
        Path model = FIXTURES.file("gen/all-types.onnx");
        int checked = 0;
        try (dev.tensorfile.core.spi.MappedFile mapped = dev.tensorfile.core.spi.MappedFile.open(model, "onnx")) {
            ModelProto m = ModelProto.parse(dev.tensorfile.core.spi.ByteCursor.of(mapped, "onnx"), model,
                    dev.tensorfile.core.ReadLimits.DEFAULT);
            for (TensorProto t : m.graph().initializers()) {
                if (t.typedFields == 0 || t.typedRun != null && (t.typedFields & (1 << 4 | 1 << 10)) != 0) continue;
                DataType type = DataType.of(t.dataType);
                if (type == DataType.STRING) continue;
                long length = type.rawBytes(java.util.Arrays.stream(t.dims).reduce(1, Math::multiplyExact));
                byte[] whole = new byte[(int) length];
                new TypedData(t, type, model, dev.tensorfile.core.ReadLimits.DEFAULT).read(0, MemorySegment.ofArray(whole));
                TypedData reader = new TypedData(t, type, model, dev.tensorfile.core.ReadLimits.DEFAULT);
                byte[] chunked = new byte[(int) length];
                for (int at = 0; at < length; at += 3) {
                    reader.read(at, MemorySegment.ofArray(chunked).asSlice(at, Math.min(3, length - at)));
                }
                assertArrayEquals(whole, chunked, t.name);
                assertEquals(1, reader.restarts(), t.name + ": decoded from the start once");
                checked++;
            }
        }
        assertTrue(checked > 5, "typed tensors checked: " + checked);
    }

    @Test
    void rawDataAndPackedFloatDataAreViewsAndOtherTypedFieldsAreDecoded() {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("dv-initializer-types.onnx"))) {
            assertTrue(f.tensor("float_raw").isView());
            // float_data as onnx.helper writes it, one packed run, is raw_data's encoding: a view as well
            assertTrue(f.tensor("float_typed").isView());
            assertEquals(new MetadataValue.Str("tensorfile corpus"), f.metadata().get("author").orElseThrow());
        }
    }

    @Test
    void externalDataIsMappedInPlace() {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("gen/ext-each/model.onnx"))) {
            assertTrue(f.tensor("ext_f32").isView());
            assertFalse(f.tensor("ext_typed_i64").isView(), "typed tensors stay inline when onnx saves external data");
        }
    }

    @Test
    void subgraphInitializersAreListedWithUniqueNames() {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("gen/subgraphs.onnx"))) {
            assertEquals(List.of("cond", "sparse_w", "branch_w", "branch_w#2"), f.tensors().stream().map(Tensor::name).toList());
            assertTrue(f.details().stream().anyMatch(l -> l.contains("If: 1")), f.details().toString());
        }
    }

    /** Issue 6, item 4: external data past 2 GiB is mapped and read (a sparse file: no 3 GiB written to disk). */
    @Test
    void externalDataBeyondTwoGibibytesOpens(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        long offset = (5L << 29) + 64; // 2.5 GiB + 64
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve("w.bin"),
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(Wire.f32(1.5f, -2f, 3.25f)), offset);
            ch.write(java.nio.ByteBuffer.wrap(new byte[1]), 3L << 30);
        }
        byte[] entries = Wire.cat(Wire.ld(13, Wire.str(1, "location"), Wire.str(2, "w.bin")),
                Wire.ld(13, Wire.str(1, "offset"), Wire.str(2, Long.toString(offset))),
                Wire.ld(13, Wire.str(1, "length"), Wire.str(2, "12")), Wire.vi(14, 1));
        java.nio.file.Path model = dir.resolve("big.onnx");
        java.nio.file.Files.write(model, Wire.model(Wire.initializer(Wire.tensor("w", 1, new long[] {3}, entries))));
        try (TensorFile f = TensorFiles.open(model)) {
            Tensor w = f.tensor("w");
            assertTrue(w.isView());
            float[] got = new float[3];
            w.readFloats(0, got, 0, 3);
            assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, got);
            f.verify();
        }
    }
}
