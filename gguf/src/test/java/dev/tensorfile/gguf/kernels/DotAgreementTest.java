package dev.tensorfile.gguf.kernels;

import dev.tensorfile.core.DType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every kernel of every implementation present in this JVM (the plain-Java one always; the Vector API one when
 * surefire started the JVM with {@code --add-modules jdk.incubator.vector}; the {@code scalar-fallback} execution
 * runs this class again without it) against dequantize-then-dot in double, within the documented bound: awkward
 * lengths (one block, odd block counts, tails of every size for the scalar types), rows at unaligned byte offsets
 * 1 and 3, activations at offset 5.
 */
class DotAgreementTest {
    private static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    static List<Dots> implementations() {
        List<Dots> l = new ArrayList<>();
        l.add(DotChoice.choose("scalar"));
        if (VECTOR) l.add(DotChoice.choose("panama"));
        return l;
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Dots impl : implementations()) {
            for (DType t : QuantizedKernels.TYPES) out.add(Arguments.of(impl, t));
        }
        return out.stream();
    }

    static Stream<DType> types() {
        return QuantizedKernels.TYPES.stream();
    }

    /** Element counts: whole blocks, chosen to cover one block, odd counts, and every tail of a 4L / 256 tile. */
    static int[] lengths(DType type) {
        return switch (type.blockElements()) {
            case 1 -> new int[] {1, 2, 5, 15, 16, 17, 31, 33, 63, 64, 65, 255, 256, 257, 1000, 4097};
            case 32 -> new int[] {32, 64, 96, 224, 256, 288, 544, 1056, 4096};
            default -> new int[] {256, 512, 768, 1280, 4352};
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void dotIsDequantizeThenDotWithinTheBound(Dots impl, DType type) {
        Random rnd = new Random(type.ordinal() * 131L + impl.name().hashCode());
        DotKernel kernel = impl.kernel(type);
        for (int n : lengths(type)) {
            long bytes = type.byteSize(n);
            for (int srcOffset : new int[] {0, 1, 3}) {
                byte[] raw = new byte[(int) (srcOffset + bytes + 3)];
                rnd.nextBytes(raw);
                Weights.fill(raw, srcOffset, type, n, rnd);
                MemorySegment src = MemorySegment.ofArray(raw);
                for (int xo : new int[] {0, 5}) {
                    float[] x = new float[xo + n + 2];
                    for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                    float[] w = Weights.dequantize(type, src, srcOffset, n);
                    float got = kernel.dot(src, srcOffset, n / type.blockElements(), x, xo, new Scratch());
                    Weights.assertWithinBound(w, x, xo, got, impl, type + " n=" + n + " srcOffset=" + srcOffset + " xo=" + xo);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void aScratchIsCleanForTheNextRow(Dots impl, DType type) {
        // the kernels reuse one Scratch for every row of a matrix: a second dot must not see the first's sums
        Random rnd = new Random(7);
        int n = lengths(type)[2];
        byte[] raw = new byte[(int) type.byteSize(n)];
        Weights.fill(raw, 0, type, n, rnd);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        MemorySegment src = MemorySegment.ofArray(raw);
        Scratch s = new Scratch();
        float first = impl.kernel(type).dot(src, 0, n / type.blockElements(), x, 0, s);
        float second = impl.kernel(type).dot(src, 0, n / type.blockElements(), x, 0, s);
        assertEquals(Float.floatToRawIntBits(first), Float.floatToRawIntBits(second));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("cases")
    void matVecOverRowRangesAndThreads(Dots impl, DType type) {
        if (impl != DotChoice.get()) return;   // the public API runs the JVM's chosen implementation
        Random rnd = new Random(type.ordinal());
        int columns = lengths(type)[3];
        int rows = 13;
        long stride = type.byteSize(columns);
        byte[] raw = new byte[(int) (3 + rows * stride)];
        Weights.fill(raw, 3, type, (long) rows * columns, rnd);
        MemorySegment data = MemorySegment.ofArray(raw).asSlice(3, rows * stride);   // rows at odd addresses
        QuantizedMatrix m = QuantizedMatrix.of(type, data, rows, columns);
        float[] x = new float[columns];
        for (int i = 0; i < columns; i++) x[i] = (float) rnd.nextGaussian();

        float[] y = new float[rows];
        QuantizedKernels.matVec(m, x, y);
        for (int r = 0; r < rows; r++) {
            float[] w = Weights.dequantize(type, data, r * stride, columns);
            Weights.assertWithinBound(w, x, 0, y[r], impl, type + " row " + r);
            assertEquals(Float.floatToRawIntBits(y[r]), Float.floatToRawIntBits(QuantizedKernels.dot(m, r, x, 0)));
            assertEquals(Float.floatToRawIntBits(y[r]), Float.floatToRawIntBits(QuantizedKernels.dot(type, m.row(r), x, 0)));
        }

        float[] part = new float[rows];
        java.util.Arrays.fill(part, Float.NaN);
        QuantizedKernels.matVec(m, x, part, 4, 9);
        for (int r = 0; r < rows; r++) {
            if (r >= 4 && r < 9) assertEquals(y[r], part[r], 0f, "row " + r);
            else assertEquals(Float.NaN, part[r], "row " + r + " outside the range is untouched");
        }

        // each row is one dot on one thread: splitting rows changes no bit
        ForkJoinPool pool = new ForkJoinPool(3);
        try {
            for (java.util.concurrent.Executor ex : new java.util.concurrent.Executor[] {null, pool, Runnable::run}) {
                float[] yp = new float[rows];
                QuantizedKernels.matVec(m, x, yp, ex);
                for (int r = 0; r < rows; r++) assertEquals(Float.floatToRawIntBits(y[r]), Float.floatToRawIntBits(yp[r]));
            }
        } finally {
            pool.shutdown();
        }
    }

    @org.junit.jupiter.api.Test
    void aParallelMatVecSplitsRowsAndChangesNoBit() {
        // 97 rows of 4096: about 400,000 weights, split into chunks of rows across an executor and the caller
        int rows = 97;
        int columns = 4096;
        DType type = DType.Q8_0;
        Random rnd = new Random(3);
        byte[] raw = new byte[(int) (rows * type.byteSize(columns))];
        Weights.fill(raw, 0, type, (long) rows * columns, rnd);
        QuantizedMatrix m = QuantizedMatrix.of(type, MemorySegment.ofArray(raw), rows, columns);
        float[] x = new float[columns];
        for (int i = 0; i < columns; i++) x[i] = (float) rnd.nextGaussian();
        float[] y = new float[rows];
        QuantizedKernels.matVec(m, x, y);
        java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        // an executor whose task runs to the end on a thread of its own before the caller goes on: every chunk is
        // then computed off the calling thread (with a real pool, who takes which chunk depends on timing)
        java.util.concurrent.Executor elsewhere = r -> {
            Thread t = new Thread(() -> { threads.add(Thread.currentThread()); r.run(); });
            t.start();
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        };
        float[] yp = new float[rows];
        QuantizedKernels.matVec(m, x, yp, elsewhere);
        for (int r = 0; r < rows; r++) assertEquals(Float.floatToRawIntBits(y[r]), Float.floatToRawIntBits(yp[r]), "row " + r);
        ForkJoinPool pool = new ForkJoinPool(3);
        try {
            float[] ypool = new float[rows];
            QuantizedKernels.matVec(m, x, ypool, pool);
            for (int r = 0; r < rows; r++) assertEquals(Float.floatToRawIntBits(y[r]), Float.floatToRawIntBits(ypool[r]), "row " + r);
        } finally {
            pool.shutdown();
        }
        org.junit.jupiter.api.Assertions.assertFalse(threads.isEmpty(), "no chunk ran on the executor");
    }

    /**
     * Heap rows reach the kernels through a native staging buffer (dev.tensorfile.core.spi.NativeStaging.CHUNK_BYTES of rows at a time):
     * the same bits as the same rows in native memory, which the kernels read in place, for a matrix of several
     * buffers' worth from an odd offset, a row range, and single dots (one of them over a row larger than the buffer).
     */
    @ParameterizedTest
    @MethodSource("types")
    void heapRowsGiveTheBitsOfTheSameRowsInNativeMemory(DType type) {
        int columns = 4096;
        int rows = (int) (2 * dev.tensorfile.core.spi.NativeStaging.CHUNK_BYTES / type.byteSize(columns)) + 5;
        Random rnd = new Random(17 + type.ordinal());
        long bytes = rows * type.byteSize(columns);
        byte[] raw = new byte[(int) bytes + 3];
        Weights.fill(raw, 3, type, (long) rows * columns, rnd);
        float[] x = new float[columns];
        for (int i = 0; i < columns; i++) x[i] = (float) rnd.nextGaussian();
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment nativeRows = arena.allocate(bytes);
            MemorySegment.copy(MemorySegment.ofArray(raw), 3, nativeRows, 0, bytes);
            QuantizedMatrix onHeap = QuantizedMatrix.of(type, MemorySegment.ofArray(raw).asSlice(3), rows, columns);
            QuantizedMatrix inNative = QuantizedMatrix.of(type, nativeRows, rows, columns);
            float[] expected = new float[rows];
            float[] got = new float[rows];
            QuantizedKernels.matVec(inNative, x, expected);
            QuantizedKernels.matVec(onHeap, x, got);
            for (int r = 0; r < rows; r++) assertEquals(Float.floatToRawIntBits(expected[r]), Float.floatToRawIntBits(got[r]), "row " + r);
            float[] part = new float[rows];
            QuantizedKernels.matVec(onHeap, x, part, 3, rows - 2);
            for (int r = 3; r < rows - 2; r++) assertEquals(Float.floatToRawIntBits(expected[r]), Float.floatToRawIntBits(part[r]), "range row " + r);
            assertEquals(Float.floatToRawIntBits(expected[rows - 1]),
                    Float.floatToRawIntBits(QuantizedKernels.dot(onHeap, rows - 1, x, 0)), "dot of the last row");
            // one row of more columns than the staging buffer holds
            long wide = dev.tensorfile.core.spi.NativeStaging.CHUNK_BYTES / type.blockBytes() * type.blockElements() + 3L * type.blockElements();
            byte[] wideRaw = new byte[(int) type.byteSize(wide)];
            Weights.fill(wideRaw, 0, type, wide, rnd);
            float[] wx = new float[(int) wide];
            for (int i = 0; i < wx.length; i++) wx[i] = (float) rnd.nextGaussian();
            MemorySegment wideNative = arena.allocate(wideRaw.length);
            MemorySegment.copy(MemorySegment.ofArray(wideRaw), 0, wideNative, 0, wideRaw.length);
            assertEquals(Float.floatToRawIntBits(QuantizedKernels.dot(type, wideNative, wx, 0)),
                    Float.floatToRawIntBits(QuantizedKernels.dot(type, MemorySegment.ofArray(wideRaw), wx, 0)), "wide row");
        }
    }
}
