package dev.tensorfile.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * pickle-inspect's real-tool fixtures of issue 12 (a legacy whole-module torch.save; joblib with bz2, xz and lzma;
 * joblib 0.9 with sibling .npy arrays) converted to safetensors by the command: every tensor keeps the values the
 * real tool read back (the read_back.json beside each fixture).
 */
class ConvertWildFilesTest {
    private static final Path FIXTURES = Path.of("../pickle-inspect/src/test/resources/fixtures");
    @TempDir Path dir;

    @ParameterizedTest
    @CsvSource({"legacy, legacy-module.pt", "joblib, arrays-bz2.joblib", "joblib, arrays-xz.joblib",
            "joblib, arrays-lzma.joblib", "joblib, joblib_0.9.2_pickle_py34_np19.pkl"})
    void convertsWithTheValuesTheRealToolRead(String folder, String file) throws IOException, NoSuchAlgorithmException {
        String source = folder + "/" + file;
        Path out = dir.resolve("out.safetensors");
        MainTest.Run r = MainTest.run("convert", FIXTURES.resolve(source).toString(), out.toString());
        assertEquals(0, r.status(), r.err());
        JsonNode back = new ObjectMapper().readTree(FIXTURES.resolve(folder).resolve("read_back.json").toFile());
        // legacy: {"tensors": {...}}; joblib: {"files": {FILE: {"arrays": {...}}}}
        JsonNode want = folder.equals("legacy") ? back.path("tensors") : back.path("files").path(file).path("arrays");
        int numeric = 0;
        try (TensorFile f = TensorFiles.open(out)) {
            for (Map.Entry<String, JsonNode> e : want.properties()) {
                if (e.getValue().path("dtype").asText().equals("object")) continue;
                numeric++;
                Tensor t = f.find(e.getKey()).orElse(null);
                assertNotNull(t, e.getKey() + " in " + f.tensors().stream().map(Tensor::name).toList());
                byte[] bytes = t.bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                assertEquals(e.getValue().path("sha256").asText(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), e.getKey());
            }
            assertEquals(numeric, f.tensors().size());
        }
    }
}
