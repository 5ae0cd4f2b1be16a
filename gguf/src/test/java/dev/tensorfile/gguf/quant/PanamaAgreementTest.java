package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.tensorfile.core.spi.LittleEndian;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
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

    /**
     * Kernels that fuse {@code d1 * q - m1} into one FMA leave blocks with a non-finite {@code d} or {@code dmin} to
     * the scalar decoder (an FMA propagates a different NaN than a multiply then a subtraction): such blocks between
     * ordinary ones, into an array and into a segment, must still match bit for bit. Infinite {@code d} with zero
     * codes gives the default NaN; two NaNs with different payloads (and signs) show which one wins.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q2_K", "Q4_K", "Q5_K"})
    void nonFiniteScalesBetweenFiniteBlocks(DType type) {
        short[][] scales = {
            {0x7C00, 0x2E66},                      // d = +inf
            {0x2E66, (short) 0x7E01},              // dmin = quiet NaN with a payload
            {(short) 0xFD55, 0x7C2A},              // d = negative NaN, dmin = signalling NaN
            {(short) 0xFC00, (short) 0xFE00},      // d = -inf, dmin = negative NaN
            {0x7C00, (short) 0xFC00},              // both infinite
        };
        int blocks = 3 + scales.length * 2;
        Random rnd = new Random(type.ordinal() * 41L + 3);
        int[] fields = RandomBlocks.scaleFields(type);
        for (int srcOffset : new int[] {0, 1}) {
            byte[] raw = new byte[srcOffset + blocks * type.blockBytes()];
            rnd.nextBytes(raw);
            RandomBlocks.saneScales(raw, srcOffset, type, blocks, rnd);
            for (int k = 0; k < scales.length; k++) {
                int block = 1 + 2 * k;
                for (int f = 0; f < 2; f++) {
                    int p = srcOffset + block * type.blockBytes() + fields[f];
                    raw[p] = (byte) scales[k][f];
                    raw[p + 1] = (byte) (scales[k][f] >>> 8);
                }
                // zero codes in the first half of the block, so that inf * 0 occurs (Q5_K: all of qh too)
                int start = srcOffset + block * type.blockBytes();
                Arrays.fill(raw, start + 16, start + 16 + (type.blockBytes() - 16) / 2, (byte) 0);
            }
            MemorySegment src = MemorySegment.ofArray(raw);
            int n = blocks * type.blockElements();
            float[] expected = new float[n + 1];
            ReferenceDequantizers.INSTANCE.decoder(type).decode(src, srcOffset, expected, 1, blocks);
            float[] actual = new float[n + 1];
            panama.decoder(type).decode(src, srcOffset, actual, 1, blocks);
            assertSameBits(expected, actual, type + " array srcOffset=" + srcOffset);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment dst = arena.allocate(4L * (n + 1));
                panama.segmentDecoder(type).decode(src, srcOffset, dst, 1, blocks);
                MemorySegment.copy(dst, LittleEndian.FLOAT, 0, actual, 0, actual.length);
                assertSameBits(expected, actual, type + " segment srcOffset=" + srcOffset);
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
