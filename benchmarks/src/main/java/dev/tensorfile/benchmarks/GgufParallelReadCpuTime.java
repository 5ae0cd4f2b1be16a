package dev.tensorfile.benchmarks;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.gguf.quant.GgmlBlockCodecProvider;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link GgufParallelReadBenchmark}'s two reads of a 16 MiB-output tensor (one thread; split across the common pool
 * with the caller taking chunks too), timed both in wall clock and in <em>thread CPU time</em>. On a machine shared
 * with other builds the wall-clock speedup only shows how much of a second core the other processes left us; the CPU
 * time does not depend on that. The split read hands out chunks to whichever thread is running, so on idle cores its
 * wall clock approaches {@code all threads' CPU / workers} (plus at most one chunk at the end): {@code workers *
 * single CPU / all threads' CPU} is the speedup the split allows on as many idle cores as it has workers, and {@code
 * all threads' CPU / single CPU} the work it adds (claiming chunks, the caller's spin at the end, cache traffic). The
 * busiest thread's CPU is printed too: under load the caller does most chunks itself. Prints medians of {@code
 * rounds} rounds of 8 reads.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp ... dev.tensorfile.benchmarks.GgufParallelReadCpuTime [rounds]</pre>
 */
public final class GgufParallelReadCpuTime {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final int OPS = 8;

    private GgufParallelReadCpuTime() {}

    /** Runs the measurement for Q8_0 and Q4_K; the argument is the number of rounds (default 9). */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        System.out.printf("dequantizers %s, %d processors, common pool parallelism %d, load average %.2f%n",
                GgmlBlockCodecProvider.implementation(), Runtime.getRuntime().availableProcessors(),
                ForkJoinPool.getCommonPoolParallelism(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        for (DType t : new DType[] {DType.Q8_0, DType.Q4_K}) {
            try (Arena arena = Arena.ofShared()) {
                measure(t, GgufParallelReadBenchmark.tensor(t, arena), rounds);
            }
        }
    }

    private static void measure(DType t, Tensor tensor, int rounds) {
        float[] out = new float[GgufParallelReadBenchmark.ELEMENTS];
        AtomicLong poolCpu = new AtomicLong();
        AtomicLong poolMax = new AtomicLong();
        // The common pool, with each task's thread CPU time recorded on its own thread. Not a ForkJoinPool itself,
        // so the read sizes its split by the processor count: the common pool's parallelism + 1 on this machine.
        Executor pool = r -> ForkJoinPool.commonPool().execute(() -> {
            long c0 = MX.getCurrentThreadCpuTime();
            r.run();
            long c = MX.getCurrentThreadCpuTime() - c0;
            poolCpu.addAndGet(c);
            poolMax.accumulateAndGet(c, Math::max);
        });
        double[] singleCpu = new double[rounds], singleWall = new double[rounds];
        double[] splitWall = new double[rounds], critical = new double[rounds], total = new double[rounds];
        for (int r = -rounds; r < rounds; r++) {   // the first half warms up
            long w0 = System.nanoTime();
            long c0 = MX.getCurrentThreadCpuTime();
            for (int k = 0; k < OPS; k++) tensor.readFloats(0, out, 0, out.length);
            long sc = MX.getCurrentThreadCpuTime() - c0;
            long sw = System.nanoTime() - w0;
            long callerMax = 0;
            long callerSum = 0;
            long poolMaxSum = 0;
            poolCpu.set(0);
            long w1 = System.nanoTime();
            for (int k = 0; k < OPS; k++) {
                poolMax.set(0);
                long c1 = MX.getCurrentThreadCpuTime();
                tensor.readFloats(0, out, 0, out.length, pool);
                long cc = MX.getCurrentThreadCpuTime() - c1;   // the caller's chunks and its wait for the last ones
                callerSum += cc;
                callerMax = Math.max(callerMax, cc);
                poolMaxSum += Math.max(cc, poolMax.get());
            }
            long pw = System.nanoTime() - w1;
            if (r >= 0) {
                singleCpu[r] = sc / (double) OPS;
                singleWall[r] = sw / (double) OPS;
                splitWall[r] = pw / (double) OPS;
                critical[r] = poolMaxSum / (double) OPS;
                total[r] = (callerSum + poolCpu.get()) / (double) OPS;
            }
        }
        double s = median(singleCpu);
        int workers = ForkJoinPool.getCommonPoolParallelism() + 1;
        System.out.printf("%s, %d MiB out: one thread %.2f ms CPU (%.2f ms wall); split: busiest thread %.2f ms CPU, "
                        + "all threads %.2f ms CPU, %.2f ms wall%n", t, 4 * out.length >> 20, s / 1e6, median(singleWall) / 1e6,
                median(critical) / 1e6, median(total) / 1e6, median(splitWall) / 1e6);
        System.out.printf("%s: speedup allowed by the split on %d idle cores (CPU) %.2fx, added work %.1f%%, wall-clock "
                + "speedup under this load %.2fx%n", t, workers, workers * s / median(total), 100 * (median(total) / s - 1),
                median(singleWall) / median(splitWall));
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
