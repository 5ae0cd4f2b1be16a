package dev.tensorfile.benchmarks;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.spi.BlockCodec;
import dev.tensorfile.gguf.quant.GgmlBlockCodecProvider;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The same measurements as {@link GgufDequantBenchmark} (same inputs, same 1 MiB output array, same ceiling), timed
 * in <em>thread CPU time</em> instead of wall time. On a machine shared with other builds JMH's wall-clock scores
 * swing by an order of magnitude with the load (the thread is simply not running); CPU time counts only the time the
 * thread ran, so the ratios to the ceiling stay meaningful. {@code segment} lines decode the mapped types' blocks into
 * a native {@link MemorySegment} instead of the array. Prints GB/s of float output per CPU second, the median
 * of {@code rounds} rounds of 300 ms CPU each after as many warm-up rounds.
 *
 * <p>Types given after the rounds are measured alone (default: all of them, one after the other, and the copy
 * ceilings; with a list, the ceilings only if it names {@code copy}; segment and mapped only the five). Run each type
 * of interest in its own JVM, as JMH forks do: decoding other types first can leave the shared Vector API code
 * compiled for them, which cost Q4_K about 10% in some runs.
 *
 * <pre>java --add-modules jdk.incubator.vector [-Dtensorfile.quant=scalar] -cp ... \
 *     dev.tensorfile.benchmarks.GgufDequantCpuTime [resident|mapped|both] [rounds] [TYPE...]</pre>
 */
public final class GgufDequantCpuTime {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final DType[] TYPES = {DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q5_K, DType.Q6_K, DType.Q4_1,
        DType.Q5_0, DType.Q5_1, DType.Q2_K, DType.Q3_K, DType.IQ4_NL, DType.IQ4_XS, DType.TQ1_0, DType.TQ2_0,
        DType.MXFP4, DType.IQ2_XXS, DType.IQ2_XS, DType.IQ2_S, DType.IQ3_XXS, DType.IQ3_S, DType.IQ1_S, DType.IQ1_M};

    /** The mapped case (a 1 GiB file per type) only for the five types of the JMH benchmark. */
    private static final DType[] MAPPED_TYPES = {DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q5_K, DType.Q6_K};

    private GgufDequantCpuTime() {}

    /** Runs the measurements; see the class comment for the arguments. */
    public static void main(String[] args) throws IOException {
        String which = args.length > 0 ? args[0] : "both";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        List<String> names = Arrays.asList(args).subList(Math.min(2, args.length), args.length);
        boolean copy = names.isEmpty() || names.contains("copy");
        DType[] types = names.isEmpty() ? TYPES
                : names.stream().filter(n -> !n.equals("copy")).map(DType::valueOf).toArray(DType[]::new);
        DType[] mappedTypes = Arrays.stream(types).filter(Arrays.asList(MAPPED_TYPES)::contains).toArray(DType[]::new);
        String impl = GgmlBlockCodecProvider.implementation();
        float[] out = new float[GgufDequantBenchmark.FLOATS];
        if (!which.equals("mapped")) {
            // shared, as a mapped file's arena is (a confined arena's per-access owner check costs some kernels 3x)
            try (Arena arena = Arena.ofShared()) {
                MemorySegment copySrc = arena.allocate(GgufDequantBenchmark.RESIDENT_BYTES, 64);
                if (copy) {
                    report("resident", "copy", rounds, () -> MemorySegment.copy(copySrc, ValueLayout.JAVA_FLOAT_UNALIGNED, 0,
                            out, 0, GgufDequantBenchmark.FLOATS));
                }
                for (DType t : types) {
                    byte[] q = GgufDequantBenchmark.blocks(t);
                    MemorySegment in = arena.allocate(q.length, 64);
                    MemorySegment.copy(MemorySegment.ofArray(q), 0, in, 0, q.length);
                    BlockCodec codec = codec(t);
                    int blocks = GgufDequantBenchmark.FLOATS / t.blockElements();
                    report("resident", impl + " " + t, rounds, () -> codec.decode(in, 0, out, 0, blocks));
                }
                // the same into a native segment (BlockCodec's MemorySegment destination), for the mapped types
                MemorySegment dst = arena.allocate(GgufDequantBenchmark.RESIDENT_BYTES, 64);
                for (DType t : mappedTypes) {
                    byte[] q = GgufDequantBenchmark.blocks(t);
                    MemorySegment in = arena.allocate(q.length, 64);
                    MemorySegment.copy(MemorySegment.ofArray(q), 0, in, 0, q.length);
                    BlockCodec codec = codec(t);
                    int blocks = GgufDequantBenchmark.FLOATS / t.blockElements();
                    report("segment", impl + " " + t, rounds, () -> codec.decode(in, 0, dst, 0, blocks));
                }
            }
        }
        if (!which.equals("resident")) {
            byte[] pattern = new byte[GgufDequantBenchmark.RESIDENT_BYTES];
            new Random(42).nextBytes(pattern);
            if (copy) mapped("copy", pattern, rounds, (in, pos) -> MemorySegment.copy(in, ValueLayout.JAVA_FLOAT_UNALIGNED, pos,
                    out, 0, GgufDequantBenchmark.FLOATS));
            for (DType t : mappedTypes) {
                BlockCodec codec = codec(t);
                int blocks = GgufDequantBenchmark.FLOATS / t.blockElements();
                mapped(impl + " " + t, GgufDequantBenchmark.blocks(t), rounds,
                        (in, pos) -> codec.decode(in, pos, out, 0, blocks));
            }
        }
    }

    private interface Chunk {
        void run(MemorySegment in, long pos);
    }

    /** Each call of the operation decodes the next 1 MiB of output from a 1 GiB mapped file of {@code pattern}s. */
    private static void mapped(String name, byte[] pattern, int rounds, Chunk chunk) throws IOException {
        Path file = GgufDequantBenchmark.tiledFile(pattern, GgufDequantBenchmark.MAPPED_INPUT);
        try (Arena arena = Arena.ofShared()) {   // as a TensorFile maps its file
            MemorySegment in = GgufDequantBenchmark.map(file, arena);
            long[] pos = {0};
            report("mapped", name, rounds, () -> {
                if (pos[0] + pattern.length > in.byteSize()) pos[0] = 0;
                chunk.run(in, pos[0]);
                pos[0] += pattern.length;
            });
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Median GB/s of 1 MiB outputs per CPU second over {@code rounds} rounds, after {@code rounds} warm-up rounds. */
    private static void report(String kind, String name, int rounds, Runnable op) {
        double[] gbs = new double[rounds];
        for (int r = -rounds; r < rounds; r++) {
            long t0 = MX.getCurrentThreadCpuTime();
            long ops = 0;
            long t;
            do {
                for (int k = 0; k < 8; k++) op.run();
                ops += 8;
                t = MX.getCurrentThreadCpuTime() - t0;
            } while (t < 300_000_000L);
            if (r >= 0) gbs[r] = ops * (double) GgufDequantBenchmark.RESIDENT_BYTES / t;
        }
        double[] sorted = gbs.clone();
        Arrays.sort(sorted);
        System.out.printf("%-8s %-14s median %6.2f GB/s  (min %6.2f, max %6.2f)%n", kind, name, sorted[rounds / 2],
                sorted[0], sorted[rounds - 1]);
    }

    /** ggml's codec for {@code type}: the one core finds through ServiceLoader for {@code Tensor.readFloats}. */
    private static BlockCodec codec(DType type) {
        return new GgmlBlockCodecProvider().codecs().stream().filter(c -> c.dtype() == type).findFirst().orElseThrow();
    }
}
