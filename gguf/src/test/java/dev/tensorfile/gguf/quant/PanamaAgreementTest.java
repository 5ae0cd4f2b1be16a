package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.tensorfile.core.spi.LittleEndian;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Vector API kernels, into arrays and into segments, against their scalar specification, in one JVM, bit for
 * bit ({@link Float#floatToRawIntBits}): random blocks (all bit patterns, NaN and infinite scales included), 1, 7
 * and 33 blocks, unaligned source offsets 1 and 3, an odd destination offset. Skipped in the run without
 * {@code --add-modules jdk.incubator.vector}, where {@link DequantizerChoiceTest} proves the fallback instead.
 */
class PanamaAgreementTest {
    private static Dequantizers panama;

    @BeforeAll
    static void panama() {
        assumeTrue(ModuleLayer.boot().findModule(DequantizerChoice.VECTOR_MODULE).isPresent(), "no Vector API in this run");
        panama = DequantizerChoice.choose("panama");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void blockKernelsMatchScalarBitForBit(DType type) {
        BlockDecoder vector = panama.decoder(type);
        assertNotNull(vector, "panama kernel for " + type);
        BlockDecoder scalar = ReferenceDequantizers.INSTANCE.decoder(type);
        Random rnd = new Random(type.ordinal() * 31L + 7);
        for (int blocks : new int[] {1, 7, 33}) {
            for (int srcOffset : new int[] {0, 1, 3}) {
                for (int dstOffset : new int[] {0, 5}) {
                    byte[] raw = new byte[srcOffset + blocks * type.blockBytes() + 3];
                    rnd.nextBytes(raw);
                    if (srcOffset == 3) RandomBlocks.saneScales(raw, srcOffset, type, blocks, rnd);
                    MemorySegment src = MemorySegment.ofArray(raw);
                    float[] a = new float[dstOffset + blocks * type.blockElements() + 2];
                    float[] b = a.clone();
                    scalar.decode(src, srcOffset, a, dstOffset, blocks);
                    vector.decode(src, srcOffset, b, dstOffset, blocks);
                    assertSameBits(a, b, type + " blocks=" + blocks + " srcOffset=" + srcOffset);
                }
            }
        }
    }

    /**
     * The segment kernels (no array in between) against the scalar specification: native and heap destinations,
     * float offsets 0 and 5 (byte offsets 0 and 20: not vector-aligned), unaligned sources.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void segmentKernelsMatchScalarBitForBit(DType type) {
        SegmentDecoder vector = panama.segmentDecoder(type);
        assertNotNull(vector, "panama segment kernel for " + type);
        BlockDecoder scalar = ReferenceDequantizers.INSTANCE.decoder(type);
        Random rnd = new Random(type.ordinal() * 37L + 11);
        try (Arena arena = Arena.ofConfined()) {
            for (int blocks : new int[] {1, 7, 33}) {
                for (int srcOffset : new int[] {0, 1, 3}) {
                    for (int dstIndex : new int[] {0, 5}) {
                        byte[] raw = new byte[srcOffset + blocks * type.blockBytes() + 3];
                        rnd.nextBytes(raw);
                        if (srcOffset == 3) RandomBlocks.saneScales(raw, srcOffset, type, blocks, rnd);
                        MemorySegment src = MemorySegment.ofArray(raw);
                        int n = blocks * type.blockElements();
                        float[] expected = new float[dstIndex + n + 2];
                        scalar.decode(src, srcOffset, expected, dstIndex, blocks);
                        for (MemorySegment dst : new MemorySegment[] {arena.allocate(4L * expected.length),
                                MemorySegment.ofArray(new byte[4 * expected.length])}) {
                            vector.decode(src, srcOffset, dst, dstIndex, blocks);
                            float[] actual = new float[expected.length];
                            MemorySegment.copy(dst, LittleEndian.FLOAT, 0, actual, 0, actual.length);
                            assertSameBits(expected, actual, type + " segment blocks=" + blocks + " srcOffset="
                                    + srcOffset + " dstIndex=" + dstIndex + (dst.isNative() ? " native" : " heap"));
                        }
                    }
                }
            }
        }
    }

    static void assertSameBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            int e = Float.floatToRawIntBits(expected[i]);
            int a = Float.floatToRawIntBits(actual[i]);
            if (e != a) {
                throw new AssertionError(what + ": element " + i + " scalar " + expected[i] + " (0x"
                        + Integer.toHexString(e) + ") vector " + actual[i] + " (0x" + Integer.toHexString(a) + ")");
            }
        }
    }
}
