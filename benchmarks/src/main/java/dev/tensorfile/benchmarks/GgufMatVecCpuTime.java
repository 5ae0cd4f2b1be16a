package dev.tensorfile.benchmarks;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.spi.BlockCodec;
import dev.tensorfile.gguf.kernels.QuantizedKernels;
import dev.tensorfile.gguf.kernels.QuantizedMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;

/**
 * {@link GgufMatVecBenchmark}'s single-thread measurements (same matrices, same ceiling) in <em>thread CPU
 * time</em>: on a machine shared with other builds, wall time swings with the load while CPU time counts only what
 * the thread ran. A single 4096 x 4096 matrix stays in this machine's 32 MiB L3 between products, so each figure is
 * measured again "streamed": over 24 copies at different addresses in turn, read from memory as a model's weights
 * are. Prints, per type, microseconds per product, GFLOP/s and GB/s of weights per CPU second: the
 * median of {@code rounds} rounds of 300 ms CPU each after as many warm-up rounds, with the spread (min–max).
 *
 * <pre>java --add-modules jdk.incubator.vector [-Dtensorfile.quant=scalar] -cp ... \
 *     dev.tensorfile.benchmarks.GgufMatVecCpuTime [rounds]</pre>
 */
public final class GgufMatVecCpuTime {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final int N = GgufMatVecBenchmark.N;
    /** Copies of the matrix for the streamed case: 24 x 9.4 MB (Q4_K) or 24 x 17.8 MB (Q8_0), far beyond the L3. */
    private static final int STREAM_COPIES = 24;

    private GgufMatVecCpuTime() {}

    /** Runs the measurements. */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        String impl = QuantizedKernels.implementation();
        System.out.printf("load average at start: %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        try (Arena arena = Arena.ofShared()) {
            for (DType t : new DType[] {DType.Q4_K, DType.Q8_0}) {
                MemorySegment data = GgufMatVecBenchmark.weights(t, N, N, arena);
                QuantizedMatrix m = QuantizedMatrix.of(t, data, N, N);
                BlockCodec codec = GgufMatVecBenchmark.codec(t);
                float[] x = new float[N];
                Random rnd = new Random(7);
                for (int i = 0; i < N; i++) x[i] = (float) rnd.nextGaussian();
                float[] y = new float[N];
                float[] row = new float[N];
                MemorySegment rowSegment = MemorySegment.ofArray(row);
                MemorySegment dst = arena.allocate(data.byteSize(), 64);
                long bytes = data.byteSize();
                report(t + " copy ceiling", bytes, rounds, () -> MemorySegment.copy(data, 0, dst, 0, bytes));
                report(t + " " + impl + " fused", bytes, rounds, () -> QuantizedKernels.matVec(m, x, y));
                report(t + " " + impl + " dequantize-then-dot", bytes, rounds,
                        () -> GgufMatVecBenchmark.dequantizeThenDot(m, codec, row, rowSegment, x, y));
                // A model's weights do not fit in the last-level cache (32 MiB here, which holds one matrix): the
                // same products over copies at STREAM_COPIES addresses, one after another, read from memory.
                QuantizedMatrix[] copies = new QuantizedMatrix[STREAM_COPIES];
                MemorySegment[] sources = new MemorySegment[STREAM_COPIES];
                for (int c = 0; c < STREAM_COPIES; c++) {
                    sources[c] = arena.allocate(bytes, 64);
                    MemorySegment.copy(data, 0, sources[c], 0, bytes);
                    copies[c] = QuantizedMatrix.of(t, sources[c], N, N);
                }
                int[] next = {0};
                report(t + " streamed copy ceiling", bytes, rounds, () -> {
                    int c = next[0]++ % STREAM_COPIES;
                    MemorySegment.copy(sources[c], 0, dst, 0, bytes);
                });
                report(t + " streamed " + impl + " fused", bytes, rounds,
                        () -> QuantizedKernels.matVec(copies[next[0]++ % STREAM_COPIES], x, y));
                report(t + " streamed " + impl + " dequantize-then-dot", bytes, rounds,
                        () -> GgufMatVecBenchmark.dequantizeThenDot(copies[next[0]++ % STREAM_COPIES], codec, row,
                                rowSegment, x, y));
            }
        }
        System.out.printf("load average at end: %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static void report(String what, long bytes, int rounds, Runnable op) {
        double[] us = new double[rounds];
        for (int r = -rounds; r < rounds; r++) {
            long start = MX.getCurrentThreadCpuTime();
            long ops = 0;
            long now;
            do {
                op.run();
                ops++;
                now = MX.getCurrentThreadCpuTime();
            } while (now - start < 300_000_000L);
            if (r >= 0) us[r] = (now - start) / 1e3 / ops;
        }
        Arrays.sort(us);
        double med = us[rounds / 2];
        double flops = 2.0 * N * N;
        System.out.printf("%-36s %9.1f us/op (%.1f-%.1f)  %6.2f GFLOP/s  %6.2f GB/s%n", what, med, us[0], us[rounds - 1],
                flops / med / 1e3, bytes / med / 1e3);
    }
}
