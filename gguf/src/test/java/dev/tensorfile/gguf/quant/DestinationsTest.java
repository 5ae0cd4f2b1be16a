package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.spi.BlockCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The other ways out of a codec: into a {@link MemorySegment} (native and heap, aligned and not), and a whole
 * tensor's {@code readFloats} split across an executor; each must give the bits of the array decode of the same
 * blocks. Runs in both surefire executions (Vector API kernels write segments directly, the plain-Java path a tile
 * at a time).
 */
class DestinationsTest {

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL", "Q2_K", "Q3_K",
            "Q4_K", "Q5_K", "Q6_K", "IQ4_XS", "TQ1_0", "TQ2_0", "IQ2_XXS", "MXFP4"})
    void segmentDestinationsGiveTheArrayBits(DType type) {
        BlockCodec codec = codec(type);
        Random rnd = new Random(type.ordinal());
        for (int blocks : new int[] {1, 65, 300}) {
            byte[] raw = new byte[3 + blocks * type.blockBytes()];
            rnd.nextBytes(raw);
            RandomBlocks.saneScales(raw, 3, type, blocks, rnd);
            MemorySegment src = MemorySegment.ofArray(raw);
            int n = blocks * type.blockElements();
            float[] expected = new float[n];
            codec.decode(src, 3, expected, 0, blocks);
            try (Arena arena = Arena.ofConfined()) {
                for (long dstOffset : new long[] {0, 4, 6}) {
                    MemorySegment nativeDst = arena.allocate(dstOffset + 4L * n + 8);
                    codec.decode(src, 3, nativeDst, dstOffset, blocks);
                    assertSegment(expected, nativeDst, dstOffset, type + " native dst+" + dstOffset);
                    MemorySegment heapDst = MemorySegment.ofArray(new byte[(int) dstOffset + 4 * n + 8]);
                    codec.decode(src, 3, heapDst, dstOffset, blocks);
                    assertSegment(expected, heapDst, dstOffset, type + " heap dst+" + dstOffset);
                }
            }
        }
    }

    /**
     * A heap source goes through the codec's native staging buffer ({@link QuantCodec#STAGE_BYTES} at a time): over
     * several buffers' worth, from an odd offset, into every destination, it must give the bits of the same blocks
     * decoded from native memory, which the kernels read in place.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS", "TQ2_0", "IQ2_XXS"})
    void aHeapSourceGivesTheBitsOfTheSameBlocksInNativeMemory(DType type) {
        BlockCodec codec = codec(type);
        Random rnd = new Random(31 + type.ordinal());
        int blocks = 2 * dev.tensorfile.core.spi.NativeStaging.CHUNK_BYTES / type.blockBytes() + 7;   // two full buffers and a partial one
        byte[] raw = new byte[5 + blocks * type.blockBytes()];
        rnd.nextBytes(raw);
        RandomBlocks.saneScales(raw, 5, type, blocks, rnd);
        int n = blocks * type.blockElements();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nativeSrc = arena.allocate(raw.length);
            MemorySegment.copy(MemorySegment.ofArray(raw), 0, nativeSrc, 0, raw.length);
            float[] expected = new float[n];
            codec.decode(nativeSrc, 5, expected, 0, blocks);
            MemorySegment heapSrc = MemorySegment.ofArray(raw);
            float[] got = new float[n + 3];
            codec.decode(heapSrc, 5, got, 3, blocks);
            PanamaAgreementTest.assertSameBits(expected, java.util.Arrays.copyOfRange(got, 3, 3 + n), type + " into an array");
            for (long dstOffset : new long[] {0, 6}) {
                MemorySegment dst = arena.allocate(dstOffset + 4L * n);
                codec.decode(heapSrc, 5, dst, dstOffset, blocks);
                assertSegment(expected, dst, dstOffset, type + " into a segment at +" + dstOffset);
            }
        }
    }

    @Test
    void segmentDestinationIsBoundsChecked() {
        BlockCodec codec = codec(DType.Q8_0);
        MemorySegment src = MemorySegment.ofArray(new byte[34]);
        MemorySegment small = MemorySegment.ofArray(new byte[127]);
        assertThrows(IndexOutOfBoundsException.class, () -> codec.decode(src, 0, small, 0, 1));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_K", "Q6_K", "IQ2_XS"})
    void parallelReadFloatsEqualsOneThread(DType type) throws Exception {
        int blocks = (3 << 18) / type.blockElements() + 3;   // several ranges and a short last one
        byte[] raw = new byte[blocks * type.blockBytes()];
        Random rnd = new Random(11);
        rnd.nextBytes(raw);
        RandomBlocks.saneScales(raw, 0, type, blocks, rnd);
        Tensor t = new ArrayTensor(TensorInfo.of("w", type, Shape.of(blocks, type.blockElements())),
                MemorySegment.ofArray(raw));
        int n = blocks * type.blockElements();
        float[] expected = new float[n];
        t.readFloats(0, expected, 0, n);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (java.util.concurrent.Executor ex : new java.util.concurrent.Executor[] {null, pool}) {
                float[] got = new float[n + 7];
                t.readFloats(0, got, 7, n, ex);
                PanamaAgreementTest.assertSameBits(expected, java.util.Arrays.copyOfRange(got, 7, 7 + n), type + " array");
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment seg = arena.allocate(4L * n);
                    t.readFloats(0, seg, 0, n, ex);
                    assertSegment(expected, seg, 0, type + " segment");
                }
            }
            // a range that starts inside the tensor
            int first = 5 * type.blockElements();
            float[] part = new float[n - first];
            t.readFloats(first, part, 0, part.length, pool);
            PanamaAgreementTest.assertSameBits(java.util.Arrays.copyOfRange(expected, first, n), part, type + " part");
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aFailingRangeFailsTheRead() {
        DType type = DType.Q8_0;
        int blocks = (1 << 20) / 32;
        Tensor t = new ArrayTensor(TensorInfo.of("w", type, Shape.of(blocks, 32)),
                MemorySegment.ofArray(new byte[blocks * 34])) {
            @Override
            public MemorySegment bytes() {
                throw new IllegalStateException("closed");
            }
        };
        CompletionException e = assertThrows(CompletionException.class,
                () -> t.readFloats(0, new float[blocks * 32], 0, blocks * 32, null));
        org.junit.jupiter.api.Assertions.assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    private static BlockCodec codec(DType type) {
        return new GgmlBlockCodecProvider().codecs().stream().filter(c -> c.dtype() == type).findFirst().orElseThrow();
    }

    private static void assertSegment(float[] expected, MemorySegment dst, long offset, String what) {
        float[] got = new float[expected.length];
        MemorySegment.copy(dst, LittleEndian.FLOAT, offset, got, 0, got.length);
        PanamaAgreementTest.assertSameBits(expected, got, what);
    }

    /** A tensor over bytes in memory: the shape of a mapped GGUF tensor without a file. */
    static class ArrayTensor implements Tensor {
        private final TensorInfo info;
        private final MemorySegment data;

        ArrayTensor(TensorInfo info, MemorySegment data) {
            this.info = info;
            this.data = data;
        }

        @Override public TensorInfo info() { return info; }

        @Override public boolean isView() { return true; }

        @Override public MemorySegment bytes() { return data; }

        @Override
        public void readBytes(long byteOffset, MemorySegment dst) {
            MemorySegment.copy(bytes(), byteOffset, dst, 0, dst.byteSize());
        }
    }
}
