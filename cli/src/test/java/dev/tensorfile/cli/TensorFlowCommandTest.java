package dev.tensorfile.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tensorfile.core.Converter;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.TensorFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commands on a TensorFlow SavedModel directory and on a checkpoint prefix: what the library says, the CLI says
 * (TensorFlow's half_plus_two, written by TF 1.14: a = 0.5, b = 2.0, c = 3.0).
 */
class TensorFlowCommandTest {
    static final Path MODEL = ConvertAgreementTest.SOURCES.resolve("tf-half-plus-two");

    @TempDir Path dir;

    @Test
    void inspectJsonListsTheVariablesAndSignatures() throws IOException {
        MainTest.Run r = MainTest.run("inspect", "--json", MODEL.toString());
        assertEquals(0, r.status(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals("tensorflow", doc.get("format").asText());
        List<String> names = new ArrayList<>();
        for (JsonNode t : doc.get("tensors")) {
            names.add(t.get("name").asText());
            assertEquals("F32", t.get("dtype").asText());
            assertEquals(4, t.get("nbytes").asLong());
        }
        assertEquals(List.of("a", "a2", "b", "c", "c2"), names);
        JsonNode inputs = doc.get("metadata").get("tensorflow.signature.serving_default.inputs");
        assertEquals("array", inputs.get("type").asText());
        assertEquals("x: DT_FLOAT [-1, 1] (x:0)", inputs.get("value").get(0).asText());
    }

    @Test
    void inspectShowsTheSignatures() {
        MainTest.Run r = MainTest.run("inspect", MODEL.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("signature serving_default (tensorflow/serving/predict)"), r.out());
        assertTrue(r.out().contains("input x: DT_FLOAT [-1, 1] (x:0)"), r.out());
    }

    @Test
    void verifyAndScanPass() {
        assertEquals(0, MainTest.run("verify", MODEL.toString()).status());
        MainTest.Run scan = MainTest.run("scan", MODEL.toString(), MODEL.resolve("variables/variables").toString());
        assertEquals(0, scan.status(), scan.out() + scan.err());
        assertTrue(scan.out().contains(": safe"), scan.out());
    }

    /** Into every writable format, the library and the CLI write the same bytes, and the values come back. */
    @Test
    void convertsToEveryWritableFormatAsTheLibraryDoes() throws IOException {
        int converted = 0;
        for (TensorFormat format : TensorFiles.formats()) {
            if (!format.canWrite()) continue;
            String out = "out" + format.extensions().getFirst();
            Path lib = Files.createDirectories(dir.resolve("lib-" + format.name()));
            Path cli = Files.createDirectories(dir.resolve("cli-" + format.name()));
            try (TensorFile in = TensorFiles.open(MODEL)) {
                Converter.from(in).format(format).to(lib.resolve(out));
            }
            MainTest.Run r = MainTest.run("convert", MODEL.toString(), cli.resolve(out).toString(), "--to", format.name());
            assertEquals(0, r.status(), format.name() + ": " + r.err());
            Map<String, byte[]> a = ConvertAgreementTest.files(lib), b = ConvertAgreementTest.files(cli);
            assertEquals(a.keySet(), b.keySet(), format.name());
            assertFalse(a.isEmpty());
            for (String f : a.keySet()) assertArrayEquals(a.get(f), b.get(f), format.name() + ": " + f);
            try (TensorFile back = TensorFiles.open(lib.resolve(out))) {
                assertEquals(0.5f, value(back, "a"), format.name());
                assertEquals(2.0f, value(back, "b"), format.name());
                assertEquals(3.0f, value(back, "c"), format.name());
            }
            converted++;
        }
        assertTrue(converted >= 4, "safetensors, gguf, onnx, hdf5: " + converted);
    }

    @Test
    void aCheckpointPrefixConverts() throws IOException {
        Path out = dir.resolve("w.safetensors");
        MainTest.Run r = MainTest.run("convert", MODEL.resolve("variables/variables").toString(), out.toString());
        assertEquals(0, r.status(), r.err());
        try (TensorFile back = TensorFiles.open(out)) {
            assertEquals(0.5f, value(back, "a"));
            assertEquals(5, back.tensors().size());
        }
    }

    /** The variable {@code name}, wherever the format put it (HDF5 Keras layouts nest names). */
    private static float value(TensorFile f, String name) {
        Tensor t = f.find(name).orElseGet(() -> f.tensors().stream().filter(x -> x.name().endsWith("/" + name)).findFirst().orElseThrow(
                () -> new AssertionError("no " + name + " in " + f.tensors().stream().map(Tensor::name).toList())));
        float[] v = new float[1];
        t.readFloats(0, v, 0, 1);
        return v[0];
    }
}
