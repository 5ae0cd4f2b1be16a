package dev.tensorfile.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tensorfile scan}'s exit codes with every format on the path: files of the data-only formats are safe
 * (no loader unpickles any of them), a file the scanner cannot identify is unknown (exit 1) with the reason.
 */
class ScanCommandTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"dv-dtypes.safetensors", "dv-sharded-00001-of-00002.gguf", "dv-cnn-opset13.onnx",
            "dv-keras-weights.h5", "dv-state.pt"})
    void dataOnlyFormatsAndAPlainStateDictAreSafe(String name) throws IOException {
        Path p = ConvertAgreementTest.SOURCES.resolve(name);
        MainTest.Run r = MainTest.run("scan", "--json", p.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("safe", new ObjectMapper().readTree(r.out()).get("verdict").asText(), r.out());
    }

    /** ONNX recognised by its name alone (its bytes are no pickle): nothing in it is unpickled. */
    @Test
    void anOnnxFileIsSafeEvenWhenOnlyItsNameSaysSo() throws IOException {
        Path p = dir.resolve("model.onnx");
        Files.write(p, new byte[] {0x12, 0x03, 'a', 'b', 'c'});
        MainTest.Run r = MainTest.run("scan", p.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().startsWith(p + ": safe"), r.out());
    }

    @Test
    void aFileOfNoKnownKindIsUnknownWithItsReason() throws IOException {
        Path p = dir.resolve("picture.pt");
        Files.write(p, new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0});
        MainTest.Run r = MainTest.run("scan", "--json", p.toString());
        assertEquals(1, r.status(), r.out() + r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals("unknown", doc.get("verdict").asText());
        assertTrue(doc.get("findings").get(0).get("detail").asText().contains("no pickle opcode"), r.out());
    }

    /** A Keras 2 model whose model_config holds a Lambda layer (marshaled bytecode load_model runs): dangerous, exit 1. */
    @Test
    void aKerasModelWithALambdaLayerIsDangerous() throws IOException {
        Path p = dir.resolve("model.h5");
        String config = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": [{\"class_name\": \"Lambda\", "
                + "\"config\": {\"name\": \"double\", \"function\": [\"4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARQAUwApAk7pAgAAAKkAKQHa\\n\", null, null], "
                + "\"function_type\": \"lambda\", \"arguments\": {}}}]}, \"keras_version\": \"2.13.1\"}";
        var w = dev.tensorfile.core.TensorFiles.format("hdf5").orElseThrow().newWriter(p, dev.tensorfile.core.WriteOptions.NONE);
        try (w) {
            var t = dev.tensorfile.core.TensorInfo.of("w", dev.tensorfile.core.DType.F32, dev.tensorfile.core.Shape.of(1));
            w.declare(dev.tensorfile.core.Metadata.builder().put("model_config", config).build(), java.util.List.of(t));
            w.write("w", java.lang.foreign.MemorySegment.ofArray(new byte[4]));
        }
        MainTest.Run r = MainTest.run("scan", "--json", p.toString());
        assertEquals(1, r.status(), r.out() + r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals("dangerous", doc.get("verdict").asText(), r.out());
        assertTrue(doc.toString().contains("double") && doc.toString().contains("@model_config"), r.out());
    }
}
