package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.spi.BlockCodec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our quantizers against llama-quantize (llama.cpp 3f545be, no importance matrix) on the same F32 tensors: every
 * tensor whose type in the quantized file's manifest is the file's nominal type is re-quantized from
 * {@code dv-microllama-F32.gguf} and compared byte for byte.
 */
class QuantizerInteropTest {

    @ParameterizedTest
    @CsvSource({"Q8_0, Q8_0", "Q4_0, Q4_0", "Q4_1, Q4_1", "Q5_0, Q5_0", "Q5_1, Q5_1",
            "Q4_K_M, Q4_K", "Q5_K_M, Q5_K", "Q6_K, Q6_K", "Q4_K_M, Q6_K", "Q5_K_M, Q6_K", "Q3_K_M, Q4_K",
            "Q3_K_M, Q5_K", "IQ4_NL, Q5_K"})
    void quantizedBytesEqualLlamaQuantize(String fileType, DType type) {
        BlockCodec codec = QuantFixtures.codec(type);
        assertTrue(codec.canEncode(), type + " encodes");
        int compared = 0;
        for (QuantFixtures.FixtureTensor t : QuantFixtures.tensors("dv-microllama-" + fileType + ".gguf")) {
            if (t.dtype() != type) continue;
            float[] source = QuantFixtures.f32Source(t.name());
            int blocks = source.length / type.blockElements();
            MemorySegment out = MemorySegment.ofArray(new byte[(int) t.nbytes()]);
            codec.encode(source, 0, out, 0, blocks);
            byte[] expected = t.bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            byte[] actual = out.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            int firstDiff = firstDifference(expected, actual);
            assertEquals(-1, firstDiff, () -> t.name() + " " + type + " first differing byte " + firstDiff
                    + " (block " + firstDiff / type.blockBytes() + ", byte " + firstDiff % type.blockBytes() + "): "
                    + HexFormat.of().formatHex(expected, blockStart(firstDiff, type), blockStart(firstDiff, type) + type.blockBytes())
                    + " vs " + HexFormat.of().formatHex(actual, blockStart(firstDiff, type), blockStart(firstDiff, type) + type.blockBytes()));
            compared++;
        }
        assertTrue(compared >= 1, "tensors of type " + type + " in " + fileType);
    }

    private static int blockStart(int diff, DType type) {
        return diff / type.blockBytes() * type.blockBytes();
    }

    static int firstDifference(byte[] a, byte[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) if (a[i] != b[i]) return i;
        return a.length == b.length ? -1 : Math.min(a.length, b.length);
    }
}
