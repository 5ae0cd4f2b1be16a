package dev.tensorfile.benchmarks;

import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The same measurement as {@link TensorFlowOpenBenchmark} (open + list of a 10,000-variable checkpoint, at 8 MiB
 * and 4 GiB of data), timed in <em>thread CPU time</em> (user and system, page faults and syscalls included), as
 * {@link GgufDequantCpuTime} does: on a machine shared with other builds JMH's wall-clock scores swing with the load,
 * CPU time counts only the time the thread ran. Prints the median and the range of {@code rounds} rounds of 200 opens
 * each, after as many warm-up rounds.
 *
 * <pre>java -cp ... dev.tensorfile.benchmarks.TensorFlowOpenCpuTime [rounds]</pre>
 */
public final class TensorFlowOpenCpuTime {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final int OPENS = 200;

    private TensorFlowOpenCpuTime() {}

    /** Runs the measurement; see the class comment for the argument. */
    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        for (long mebibytes : new long[] {8, 4096}) {
            Path dir = Files.createTempDirectory("tf-bundle-");
            try {
                Path prefix = TensorFlowBundles.write(dir, TensorFlowOpenBenchmark.VARIABLES, mebibytes << 20);
                for (int i = 0; i < rounds; i++) round(prefix);
                double[] ms = new double[rounds];
                for (int i = 0; i < rounds; i++) ms[i] = round(prefix);
                Arrays.sort(ms);
                System.out.printf("open + list, %d variables, %d MiB: %.3f ms CPU per open (median of %d; %.3f to %.3f)%n",
                        TensorFlowOpenBenchmark.VARIABLES, mebibytes, ms[rounds / 2], rounds, ms[0], ms[rounds - 1]);
            } finally {
                try (Stream<Path> s = Files.walk(dir)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        }
    }

    private static double round(Path prefix) {
        long sink = 0;
        long start = MX.getCurrentThreadCpuTime();
        for (int i = 0; i < OPENS; i++) {
            try (TensorFile f = TensorFiles.open(prefix)) {
                for (Tensor t : f.tensors()) sink += t.info().byteLength();
            }
        }
        long end = MX.getCurrentThreadCpuTime();
        if (sink == 42) System.out.print("");
        return (end - start) / 1e6 / OPENS;
    }
}
