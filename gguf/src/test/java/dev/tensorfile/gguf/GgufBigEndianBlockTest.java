package dev.tensorfile.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tensorfile.core.Converter;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Big-endian files with block-quantized tensors, made from the llama-quantize fixtures by gguf-py's own
 * {@code gguf_convert_endian.py} ({@code src/test/resources/gguf-be/make_be.py}), which swaps each block's f16
 * fields: read back, they must give the little-endian originals' bytes and gguf-py's float values (the originals'
 * manifests), and convert to a little-endian GGUF with the same tensor data.
 */
class GgufBigEndianBlockTest {
    private static final Fixtures FIXTURES = Fixtures.resources("gguf");

    @TempDir
    Path dir;

    private static Path beFile(String quant) {
        try {
            return Path.of(GgufBigEndianBlockTest.class.getResource("/gguf-be/be-microllama-" + quant + ".gguf").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_0", "Q4_K_M"})
    void blocksOfABigEndianFileReadAsTheLittleEndianOriginal(String quant) {
        Path be = beFile(quant);
        Path original = FIXTURES.file("dv-microllama-" + quant + ".gguf");
        JsonNode m = FIXTURES.manifest(original);
        int blockTensors = 0;
        try (TensorFile f = TensorFiles.open(be); TensorFile le = TensorFiles.open(original)) {
            assertTrue(f.details().getFirst().contains("big-endian"), f.details().toString());
            assertEquals(le.metadata(), f.metadata());
            for (JsonNode w : m.get("tensors")) {
                Tensor t = f.tensor(w.get("name").asText());
                assertEquals(DType.valueOf(w.get("dtype").asText()), t.dtype(), t.name());
                assertFalse(t.isView(), t.name());
                assertEquals(w.get("sha256").asText(), Fixtures.sha256(t.bytes()), t.name() + ": bytes");
                float[] values = new float[(int) t.elementCount()];
                t.readFloats(0, values, 0, values.length);
                ByteBuffer out = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) out.putFloat(v);
                assertEquals(w.get("f32_sha256").asText(), Fixtures.sha256(out.array()), t.name() + ": floats");
                // A range that cuts blocks decodes only what it touches, with the same bytes.
                long from = t.dtype().blockBytes() + 3;
                byte[] part = new byte[(int) Math.min(2L * t.dtype().blockBytes(), t.info().byteLength() - from)];
                t.readBytes(from, java.lang.foreign.MemorySegment.ofArray(part));
                byte[] whole = t.bytes().asSlice(from, part.length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                assertEquals(Fixtures.sha256(whole), Fixtures.sha256(part), t.name() + ": range");
                if (t.dtype().isQuantized()) blockTensors++;
            }
        }
        assertTrue(blockTensors > 0);
        Path out = dir.resolve("le.gguf");
        try (TensorFile in = TensorFiles.open(be)) {
            Converter.from(in).to(out);
        }
        try (TensorFile f = TensorFiles.open(out)) {
            for (JsonNode w : m.get("tensors")) {
                assertEquals(w.get("sha256").asText(), Fixtures.sha256(f.tensor(w.get("name").asText()).bytes()));
            }
        }
    }
}
