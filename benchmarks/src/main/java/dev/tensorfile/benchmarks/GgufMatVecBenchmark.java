package dev.tensorfile.benchmarks;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.spi.BlockCodec;
import dev.tensorfile.gguf.kernels.QuantizedKernels;
import dev.tensorfile.gguf.kernels.QuantizedMatrix;
import dev.tensorfile.gguf.quant.GgmlBlockCodecProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A runtime's hot loop (issue 13, "kernels for runtimes"): {@code y = W·x} for a 4096 × 4096 weight matrix of Q4_K
 * or Q8_0 (9.4 MB and 17.8 MB: larger than this machine's L2, so the weights stream from L3/memory as in a model),
 * in microseconds per product; {@code 2·4096·4096} flops and the weight bytes per operation give GFLOP/s and GB/s
 * ({@code benchmarks/scripts/matvec_table.py} turns the JSON into both, with JMH's error).
 * <ul>
 *   <li>{@code fused}: {@link QuantizedKernels#matVec(QuantizedMatrix, float[], float[])}, one thread;</li>
 *   <li>{@code fusedParallel}: the same over the common pool and the caller;</li>
 *   <li>{@code dequantizeThenDot}: our own unfused way, per row: the codec's dequantizer into a float row, then
 *       the F32 dot kernel over it;</li>
 *   <li>{@link Ceiling#copy}: a {@link MemorySegment#copy} of the same weight bytes, the most any reader of them
 *       can move.</li>
 * </ul>
 * The weights are normal random values quantized by our (llama-quantize-identical) encoders, in native memory.
 * {@link Scalar} forks run the plain-Java kernels as every user gets them, {@link Panama} the Vector API ones.
 *
 * <p>{@code benchmarks/run 'GgufMatVec.*' -f 1 -wi 3 -i 5 -w 1s -r 1s}
 */
public class GgufMatVecBenchmark {
    static final int N = 4096;

    private GgufMatVecBenchmark() {}

    static BlockCodec codec(DType type) {
        return new GgmlBlockCodecProvider().codecs().stream().filter(c -> c.dtype() == type).findFirst().orElseThrow();
    }

    /** {@code rows × columns} normal random values quantized to {@code type}, in native memory of {@code arena}. */
    static MemorySegment weights(DType type, int rows, int columns, Arena arena) {
        BlockCodec codec = codec(type);
        Random rnd = new Random(42);
        int blocksPerRow = columns / type.blockElements();
        MemorySegment m = arena.allocate((long) rows * blocksPerRow * type.blockBytes(), 64);
        float[] row = new float[columns];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < columns; i++) row[i] = (float) rnd.nextGaussian();
            codec.encode(row, 0, m, (long) r * blocksPerRow * type.blockBytes(), blocksPerRow);
        }
        return m;
    }

    /** One matrix, its activations and outputs. */
    @State(Scope.Thread)
    public static class Matrix {
        @Param({"Q4_K", "Q8_0"})
        public String type;

        QuantizedMatrix matrix;
        BlockCodec codec;
        MemorySegment data;
        final float[] x = new float[N];
        final float[] y = new float[N];
        final float[] row = new float[N];
        MemorySegment rowSegment;
        private Arena arena;

        @Setup(Level.Trial)
        public void setUp() {
            DType t = DType.valueOf(type);
            arena = Arena.ofShared();
            data = weights(t, N, N, arena);
            matrix = QuantizedMatrix.of(t, data, N, N);
            codec = codec(t);
            Random rnd = new Random(7);
            for (int i = 0; i < N; i++) x[i] = (float) rnd.nextGaussian();
            rowSegment = MemorySegment.ofArray(row);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** The products under test, in one JVM whose implementation was fixed at start-up. */
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public abstract static class MatVec {
        @Benchmark
        public float[] fused(Matrix s) {
            QuantizedKernels.matVec(s.matrix, s.x, s.y);
            return s.y;
        }

        @Benchmark
        public float[] fusedParallel(Matrix s) {
            QuantizedKernels.matVec(s.matrix, s.x, s.y, null);
            return s.y;
        }

        @Benchmark
        public float[] dequantizeThenDot(Matrix s) {
            GgufMatVecBenchmark.dequantizeThenDot(s.matrix, s.codec, s.row, s.rowSegment, s.x, s.y);
            return s.y;
        }
    }

    /** Dequantize a row into floats, then dot: the unfused way, in our own code. */
    static void dequantizeThenDot(QuantizedMatrix m, BlockCodec codec, float[] row, MemorySegment rowSegment,
                                  float[] x, float[] y) {
        for (int r = 0; r < m.rows(); r++) {
            codec.decode(m.row(r), 0, row, 0, m.blocksPerRow());
            y[r] = QuantizedKernels.dot(DType.F32, rowSegment, x, 0);
        }
    }

    /** Plain-Java kernels, in a JVM without {@code jdk.incubator.vector}: what every user gets. */
    @State(Scope.Benchmark)
    @Fork(jvmArgs = {"-Xmx4g", "-Dtensorfile.quant=scalar"})   // replaces the launcher's --add-modules
    public static class Scalar extends MatVec {
        @Setup(Level.Trial)
        public void check() {
            require("scalar");
        }
    }

    /** Vector API kernels (benchmarks/run starts the JVMs with {@code --add-modules jdk.incubator.vector}). */
    @State(Scope.Benchmark)
    @Fork(jvmArgsAppend = "-Dtensorfile.quant=panama")
    public static class Panama extends MatVec {
        @Setup(Level.Trial)
        public void check() {
            require("panama");
        }
    }

    static void require(String impl) {
        if (!QuantizedKernels.implementation().equals(impl)) {
            throw new IllegalStateException("expected the " + impl + " kernels, got " + QuantizedKernels.implementation());
        }
    }

    /** The copy ceiling: the same weight bytes copied into native memory. */
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public static class Ceiling {
        /** Source and destination of the copy. */
        @State(Scope.Thread)
        public static class Bytes {
            @Param({"Q4_K", "Q8_0"})
            public String type;
            MemorySegment src;
            MemorySegment dst;
            private Arena arena;

            @Setup(Level.Trial)
            public void setUp() {
                arena = Arena.ofShared();
                src = weights(DType.valueOf(type), N, N, arena);
                dst = arena.allocate(src.byteSize(), 64);
            }

            @TearDown(Level.Trial)
            public void tearDown() {
                arena.close();
            }
        }

        @Benchmark
        public MemorySegment copy(Bytes s) {
            MemorySegment.copy(s.src, 0, s.dst, 0, s.src.byteSize());
            return s.dst;
        }
    }
}
