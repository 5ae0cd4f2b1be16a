package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.spi.BlockCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which types the provider covers, and properties every codec must have whatever its type. */
class CodecCoverageTest {
    private static final Set<DType> DECODED = EnumSet.complementOf(EnumSet.of(DType.Q8_1, DType.Q8_K));

    @Test
    void everyGgmlTypeWithAToFloatHasACodecRegistered() {
        Set<DType> provided = new GgmlBlockCodecProvider().codecs().stream().map(BlockCodec::dtype)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(DType.class)));
        Set<DType> expected = EnumSet.noneOf(DType.class);
        for (DType t : DType.values()) if (t.isQuantized() && DECODED.contains(t)) expected.add(t);
        assertEquals(expected, provided);
        for (DType t : expected) assertNotNull(QuantFixtures.registered(t), "registered through ServiceLoader: " + t);
        assertNull(QuantFixtures.registered(DType.Q8_1), "ggml has no to_float for Q8_1");
        assertNull(QuantFixtures.registered(DType.Q8_K), "ggml has no to_float for Q8_K");
    }

    @Test
    void encodersAreTheReferenceQuantizerSet() {
        Set<DType> encoders = new GgmlBlockCodecProvider().codecs().stream().filter(BlockCodec::canEncode)
                .map(BlockCodec::dtype).collect(Collectors.toCollection(() -> EnumSet.noneOf(DType.class)));
        assertEquals(EnumSet.of(DType.Q8_0, DType.Q4_0, DType.Q4_1, DType.Q5_0, DType.Q5_1, DType.Q4_K, DType.Q5_K,
                DType.Q6_K), encoders);
        assertThrows(UnsupportedOperationException.class, () -> QuantFixtures.codec(DType.IQ2_XXS)
                .encode(new float[256], 0, MemorySegment.ofArray(new byte[66]), 0, 1));
    }

    /** Many blocks at once equal the same blocks one at a time, at an unaligned offset; out-of-range is refused. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = "^(?!Q8_1$|Q8_K$)(Q\\d|IQ|TQ|MXFP4|NVFP4).*", mode = EnumSource.Mode.MATCH_ALL)
    void decodingIsPerBlockAndBoundsChecked(DType type) {
        BlockCodec codec = QuantFixtures.codec(type);
        int blocks = 5;
        byte[] raw = new byte[3 + blocks * type.blockBytes()];
        new Random(type.ordinal()).nextBytes(raw);
        MemorySegment src = MemorySegment.ofArray(raw);
        float[] all = new float[blocks * type.blockElements()];
        codec.decode(src, 3, all, 0, blocks);
        float[] one = new float[all.length];
        for (int b = 0; b < blocks; b++) {
            codec.decode(src, 3 + (long) b * type.blockBytes(), one, b * type.blockElements(), 1);
        }
        assertArrayEquals(all, one, type.toString());
        assertThrows(IndexOutOfBoundsException.class, () -> codec.decode(src, 4, all, 0, blocks));
        assertThrows(IndexOutOfBoundsException.class, () -> codec.decode(src, 3, new float[all.length - 1], 0, blocks));
    }

    /** Quantize then dequantize stays close to the input (the loss each format is designed for). */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void roundTripErrorIsWithinTheFormatsStep(DType type) {
        BlockCodec codec = QuantFixtures.codec(type);
        Random rnd = new Random(3);
        int blocks = 4;
        float[] x = new float[blocks * type.blockElements()];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        MemorySegment q = MemorySegment.ofArray(new byte[blocks * type.blockBytes()]);
        codec.encode(x, 0, q, 0, blocks);
        float[] y = new float[x.length];
        codec.decode(q, 0, y, 0, blocks);
        double err = 0;
        double norm = 0;
        for (int i = 0; i < x.length; i++) {
            err += (x[i] - y[i]) * (x[i] - y[i]);
            norm += x[i] * x[i];
        }
        double bits = 8.0 * type.blockBytes() / type.blockElements();
        // relative RMS error of a b-bit uniform quantizer of a Gaussian is well under 2^-(b-2)
        assertTrue(Math.sqrt(err / norm) < Math.pow(2, -(bits - 3)), type + " relative error " + Math.sqrt(err / norm));
    }
}
