package dev.tensorfile.onnx;

import dev.tensorfile.core.Converter;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.TensorWriter;
import dev.tensorfile.core.WriteOptions;
import dev.tensorfile.core.WriteRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.tensorfile.onnx.initializers.ExternalTensor;
import dev.tensorfile.testframework.Fixtures;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Round trips through the writer, read back with the reader, and the writer's own rules. */
class OnnxWriterTest {
    private static final Fixtures FIXTURES = Fixtures.resources("onnx");

    static final OnnxFormat ONNX = new OnnxFormat();

    @TempDir Path dir;

    /** Options of a conversion whose source is the ONNX model itself (the converter hands the writer the source). */
    static WriteOptions copyOptions(boolean external) {
        return external ? new WriteOptions(Map.of(WriteOptions.EXTERNAL_DATA, "true")) : WriteOptions.NONE;
    }

    static void convert(Path in, Path out, WriteOptions options) {
        try (TensorFile f = TensorFiles.open(in)) {
            Converter.from(f).format(ONNX).options(options).to(out);
        }
    }

    /**
     * Writes {@code in}'s tensors to {@code out} as they are, fed directly (no conversion source), so the writer
     * makes a weights-only model even of an ONNX source. STRING tensors are fed as zeros: the writer leaves them out.
     */
    static void weightsOnly(Path in, Path out, WriteOptions options) {
        try (TensorFile f = TensorFiles.open(in); TensorWriter w = ONNX.newWriter(WriteRequest.of(out, options))) {
            for (TensorInfo t : w.declare(f.metadata(), f.tensors().stream().map(Tensor::info).toList())) {
                Tensor s = f.tensor(t.name());
                w.write(t.name(), s.dtype() == DType.STRING ? MemorySegment.ofArray(new byte[(int) t.byteLength()]) : s.bytes());
            }
        }
    }

    static void assertSameTensors(Path expected, Path actual) {
        try (TensorFile a = TensorFiles.open(expected); TensorFile b = TensorFiles.open(actual)) {
            for (Tensor t : a.tensors()) {
                if (t.dtype() == DType.STRING) {
                    b.find(t.name()).ifPresent(u -> assertEquals(t.strings(), u.strings()));
                    continue;
                }
                Tensor u = b.tensor(t.name());
                assertEquals(t.info(), u.info());
                assertEquals(-1, t.bytes().mismatch(u.bytes()), t.name());
            }
        }
    }

    @Test
    void copyOfAnEmbeddedModelIsByteForByteTheSame() throws IOException {
        Path src = FIXTURES.file("dv-cnn-opset13.onnx");
        Path out = dir.resolve("copy.onnx");
        convert(src, out, copyOptions(false));
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(out));
    }

    @Test
    void copyToExternalDataAndBackRestoresTheModel() throws IOException {
        Path src = FIXTURES.file("dv-cnn-opset13.onnx");
        Path ext = dir.resolve("ext.onnx");
        convert(src, ext, copyOptions(true));
        assertTrue(Files.exists(dir.resolve("ext.onnx.data")));
        assertSameTensors(src, ext);
        try (TensorFile f = TensorFiles.open(ext)) {
            for (Tensor t : f.tensors()) {
                ExternalTensor x = (ExternalTensor) t;
                assertEquals(0, x.data().offset() % 64, t.name());
                assertEquals("ext.onnx.data", x.data().location());
            }
        }
        Path back = dir.resolve("back.onnx");
        convert(ext, back, copyOptions(false));
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(back));
    }

    @Test
    void copyKeepsTypedStringAndSubgraphTensors() {
        for (String name : List.of("dv-initializer-types.onnx", "gen/subgraphs.onnx", "gen/all-types.onnx", "gen/ext-each/model.onnx")) {
            Path src = FIXTURES.file(name);
            Path out = dir.resolve(src.getFileName().toString().replace(".onnx", "-copy.onnx"));
            convert(src, out, copyOptions(true));
            assertSameTensors(src, out);
        }
    }

    @Test
    void copyKeepsConstantNodesWhereTheyWereByteForByte() throws IOException {
        for (String name : List.of("paddle-style.onnx", "subgraphs.onnx", "torch-frozen.onnx")) {
            Path src = FIXTURES.file("gen/constants").resolve(name);
            Path out = dir.resolve(name);
            convert(src, out, copyOptions(false));
            assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(out), name);
            // external data moves initializers only, as onnx's save_model does by default (convert_attribute=False)
            Path ext = dir.resolve("ext-" + name);
            convert(src, ext, copyOptions(true));
            assertSameTensors(src, ext);
            try (TensorFile f = TensorFiles.open(ext)) {
                for (Tensor t : f.tensors()) {
                    boolean constant = ((dev.tensorfile.core.MetadataValue.Array) f.metadata().get(OnnxFile.CONSTANTS_KEY)
                            .orElseThrow()).values().contains(new dev.tensorfile.core.MetadataValue.Str(t.name()));
                    assertEquals(!constant, t instanceof ExternalTensor, t.name());
                }
            }
        }
    }

    @Test
    void copyWritesAgainTheDataOfConstantsThatPointAtTheSourcesExternalData() throws IOException {
        Path src = FIXTURES.file("gen/constants/external/model.onnx");
        Path out = dir.resolve("inline.onnx");
        convert(src, out, copyOptions(false));
        assertSameTensors(src, out);
        // onnx moved the raw_data of each Constant out (convert_attribute=True); back inline, the model is the one before
        assertArrayEquals(Files.readAllBytes(FIXTURES.file("gen/constants/paddle-style.onnx")), Files.readAllBytes(out));
        Path ext = dir.resolve("ext.onnx");
        convert(src, ext, copyOptions(true));
        assertSameTensors(src, ext);
        try (TensorFile f = TensorFiles.open(ext)) {
            ExternalTensor w = (ExternalTensor) f.tensor("conv1_w");
            assertEquals("ext.onnx.data", w.data().location());
        }
    }

    @Test
    void constantValuesBecomeInitializersOfAWeightsOnlyModel() {
        Path src = FIXTURES.file("gen/constants/paddle-style.onnx");
        Path out = dir.resolve("weights.onnx");
        weightsOnly(src, out, WriteOptions.NONE);
        assertSameTensors(src, out);
        try (TensorFile f = TensorFiles.open(out)) {
            assertEquals(11, f.tensors().size(), "10 numeric Constant values and 1 initializer; the 2 STRING ones left out");
            assertFalse(f.metadata().get(OnnxFile.CONSTANTS_KEY).isPresent(), "initializers now, every one");
        }
    }

    @Test
    void weightsOnlyModelHoldsEveryTensor() {
        Path src = FIXTURES.file("gen/all-types.onnx");
        for (boolean external : new boolean[] {false, true}) {
            Path out = dir.resolve("weights-" + external + ".onnx");
            weightsOnly(src, out, new WriteOptions(external ? Map.of("external-data", "true") : Map.of()));
            assertSameTensors(src, out);
            try (TensorFile f = TensorFiles.open(out)) {
                assertEquals(4L, f.metadata().getLong("onnx.ir_version").orElseThrow(), "BF16 needs IR 4, nothing more");
                assertEquals(9L, f.metadata().getLong("onnx.opset.ai.onnx").orElseThrow());
                assertFalse(f.find("string_typed").isPresent(), "STRING tensors are left out of weights-only models");
            }
        }
    }

    @Test
    void weightsOnlyIrVersionFollowsTheNewestType() {
        Path src = FIXTURES.file("gen/wire-types.onnx");
        Path out = dir.resolve("wire.onnx");
        weightsOnly(src, out, WriteOptions.NONE);
        assertSameTensors(src, out);
        try (TensorFile f = TensorFiles.open(out)) {
            assertEquals(13L, f.metadata().getLong("onnx.ir_version").orElseThrow(), "INT2/UINT2 need IR 13");
        }
    }

    @Test
    void largeTensorsAre4096AlignedAndSmallOnes64() {
        Path out = dir.resolve("align.onnx");
        List<TensorInfo> infos = List.of(TensorInfo.of("small", DType.U8, Shape.of(3)),
                TensorInfo.of("large", DType.U8, Shape.of((1 << 20) + 1)), TensorInfo.of("after", DType.F32, Shape.of(5)));
        try (var w = ONNX.newWriter(out, new WriteOptions(Map.of("external-data", "true")))) {
            for (TensorInfo t : w.declare(Metadata.builder().put("k", "v").build(), infos)) {
                w.write(t.name(), MemorySegment.ofArray(new byte[(int) t.byteLength()]).fill((byte) 7));
            }
        }
        try (TensorFile f = TensorFiles.open(out)) {
            assertEquals(0, ((ExternalTensor) f.tensor("small")).data().offset());
            assertEquals(4096, ((ExternalTensor) f.tensor("large")).data().offset());
            assertEquals(0, ((ExternalTensor) f.tensor("after")).data().offset() % 64);
            assertEquals("v", f.metadata().getString("k").orElseThrow());
            f.verify();
        }
    }

    @Test
    void switchesToExternalDataWhenTheProtobufWouldReachTheLimit() {
        Path out = dir.resolve("auto.onnx");
        OnnxWriter w = OnnxWriter.create(WriteRequest.of(out, WriteOptions.NONE));
        w.maxProtobuf = 1000;
        TensorInfo big = TensorInfo.of("big", DType.F32, Shape.of(400));
        w.declare(Metadata.empty(), List.of(big));
        w.write("big", MemorySegment.ofArray(new byte[1600]));
        w.close();
        assertTrue(w.notes().getFirst().contains("2 GiB"), w.notes().toString());
        try (TensorFile f = TensorFiles.open(out)) {
            assertTrue(f.tensor("big") instanceof ExternalTensor);
        }
    }

    @Test
    void copyRefusesADtype() {
        Path src = FIXTURES.file("dv-cnn-opset13.onnx");
        try (TensorFile f = TensorFiles.open(src)) {
            UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                    () -> ONNX.newWriter(WriteRequest.conversion(dir.resolve("x.onnx"), WriteOptions.NONE, f, DType.F16)));
            assertTrue(e.getMessage().contains("--dtype F16 is refused for ONNX to ONNX"), e.getMessage());
        }
    }

    @Test
    void theConverterHandsTheWriterItsDtypeSoALibraryCopyIsRefusedAsTheClis() {
        Path src = FIXTURES.file("dv-cnn-opset13.onnx");
        try (TensorFile f = TensorFiles.open(src)) {
            UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                    () -> Converter.from(f).format(ONNX).dtype(DType.F16).to(dir.resolve("x.onnx")));
            assertTrue(e.getMessage().contains("--dtype F16 is refused for ONNX to ONNX"), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("x.onnx")));
    }

    @Test
    void copyRewritesMetadataProps() {
        Path src = FIXTURES.file("dv-initializer-types.onnx");
        Path out = dir.resolve("meta.onnx");
        try (TensorFile f = TensorFiles.open(src); var w = ONNX.newWriter(WriteRequest.conversion(out, WriteOptions.NONE, f, null))) {
            Metadata changed = Metadata.builder().putAll(f.metadata()).put("author", "someone else").put("added", "yes").build();
            for (TensorInfo t : w.declare(changed, f.tensors().stream().map(Tensor::info).toList())) {
                Tensor s = f.tensor(t.name());
                w.write(t.name(), s.dtype() == DType.STRING ? MemorySegment.ofArray(new byte[(int) t.byteLength()]) : s.bytes());
            }
        }
        try (TensorFile f = TensorFiles.open(out)) {
            assertEquals("someone else", f.metadata().getString("author").orElseThrow());
            assertEquals("yes", f.metadata().getString("added").orElseThrow());
            assertEquals("made with onnx.helper for interop tests", f.metadata().getString("onnx.doc_string").orElseThrow());
        }
        assertSameTensors(src, out);
    }

    @Test
    void anAbortedWriterLeavesNothing() {
        Path out = dir.resolve("aborted.onnx");
        var w = ONNX.newWriter(out, new WriteOptions(Map.of("external-data", "true")));
        w.declare(Metadata.empty(), List.of(TensorInfo.of("t", DType.F32, Shape.of(4))));
        w.abort();
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(dir.resolve("aborted.onnx.data")));
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count(), "temporary files removed");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void typedMetadataSurvivesMetadataProps() {
        Path out = dir.resolve("typed.onnx");
        Metadata md = Metadata.builder().put("name", "m")
                .put("ctx", new dev.tensorfile.core.MetadataValue.Int(dev.tensorfile.core.ValueType.U32, 4096))
                .put("scale", new dev.tensorfile.core.MetadataValue.F32(0.5f)).build();
        try (var w = ONNX.newWriter(out, WriteOptions.NONE)) {
            for (TensorInfo t : w.declare(md, List.of(TensorInfo.of("t", DType.F32, Shape.of(2))))) {
                w.write(t.name(), MemorySegment.ofArray(new byte[8]));
            }
        }
        try (TensorFile f = TensorFiles.open(out)) {
            assertEquals(md.get("ctx"), f.metadata().get("ctx"));
            assertEquals(md.get("scale"), f.metadata().get("scale"));
            assertEquals("m", f.metadata().getString("name").orElseThrow());
            assertFalse(f.metadata().get(dev.tensorfile.core.MetadataStrings.TYPES_KEY).isPresent());
        }
    }
}
