package dev.tensorfile.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ONNX models whose weights are Constant nodes (the onnx module's gen/constants fixtures, written by python3-onnx and
 * torch.onnx.export) convert to safetensors with every numeric value as onnx read it back: its manifest's SHA-256.
 */
class OnnxConstantsConvertTest {
    static final Path CONSTANTS = Path.of("../onnx/src/test/resources/onnx/gen/constants");

    @TempDir Path dir;

    private static String sha256(java.nio.ByteBuffer b) throws NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(b);
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void constantValuesConvertToSafetensorsWithOnnxsValues() throws IOException, NoSuchAlgorithmException {
        for (String name : List.of("paddle-style.onnx", "subgraphs.onnx", "torch-frozen.onnx", "external/model.onnx")) {
            Path source = CONSTANTS.resolve(name);
            Path out = dir.resolve(name.replace('/', '-').replace(".onnx", ".safetensors"));
            MainTest.Run r = MainTest.run("convert", source.toString(), out.toString());
            assertEquals(0, r.status(), r.err());
            JsonNode manifest = new ObjectMapper().readTree(source.resolveSibling(source.getFileName() + ".json").toFile());
            int numeric = 0;
            try (TensorFile f = TensorFiles.open(out)) {
                for (JsonNode t : manifest.get("tensors")) {
                    String tensor = t.get("name").asText();
                    if (t.get("dtype").asText().equals("STRING")) {
                        assertTrue(r.err().contains("skipped " + tensor + ":"), r.err());
                        continue;
                    }
                    numeric++;
                    Tensor got = f.tensor(tensor);
                    assertEquals(t.get("dtype").asText(), got.dtype().name(), tensor);
                    assertEquals(t.get("sha256").asText(), sha256(got.bytes().asByteBuffer()), name + ": " + tensor);
                }
                assertEquals(numeric, f.tensors().size(), name);
            }
        }
    }
}
