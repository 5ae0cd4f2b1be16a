package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every quantized tensor of llama-quantize's fixture files, decoded through the registered codecs
 * (found as core finds them, through META-INF/services and whichever implementation this JVM chose), must equal
 * gguf-py's dequantization bit for bit: the manifest's {@code f32_sha256} for every tensor, and the .npy values
 * element by element where one was copied.
 */
class DequantInteropTest {

    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K",
            "IQ4_NL", "IQ4_XS"})
    void quantizedTensorsMatchGgufPy(String fileType) {
        int checked = 0;
        for (QuantFixtures.FixtureTensor t : QuantFixtures.tensors("dv-microllama-" + fileType + ".gguf")) {
            if (!t.dtype().isQuantized()) continue;
            float[] out = new float[t.elements()];
            QuantFixtures.codec(t.dtype()).decode(t.bytes(), 0, out, 0, t.elements() / t.dtype().blockElements());
            assertEquals(t.f32Sha256(), QuantFixtures.sha256(out), t.file() + " " + t.name() + " " + t.dtype());
            if (QuantFixtures.hasNpy(t.dequantNpy())) assertBitsEqual(QuantFixtures.npy(t.dequantNpy()), out, t);
            checked++;
        }
        assertTrue(checked >= 8, "quantized tensors in " + fileType);
    }

    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16"})
    void widenedTensorsMatchGgufPy(String fileType) {
        for (QuantFixtures.FixtureTensor t : QuantFixtures.tensors("dv-microllama-" + fileType + ".slice")) {
            float[] out = new float[t.elements()];
            if (t.dtype() == DType.F16) dev.tensorfile.core.spi.Widening.f16ToFloat(t.bytes(), 0, out, 0, out.length);
            else dev.tensorfile.core.spi.Widening.bf16ToFloat(t.bytes(), 0, out, 0, out.length);
            assertEquals(t.f32Sha256(), QuantFixtures.sha256(out), t.file() + " " + t.name());
            if (QuantFixtures.hasNpy(t.dequantNpy())) assertBitsEqual(QuantFixtures.npy(t.dequantNpy()), out, t);
        }
    }

    static void assertBitsEqual(float[] expected, float[] actual, QuantFixtures.FixtureTensor t) {
        assertEquals(expected.length, actual.length, t.name());
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(t.file() + " " + t.name() + " element " + i + ": expected " + expected[i] + " got " + actual[i]);
            }
        }
    }
}
