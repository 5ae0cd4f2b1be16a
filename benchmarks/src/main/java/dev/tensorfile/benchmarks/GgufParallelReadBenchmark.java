package dev.tensorfile.benchmarks;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorInfo;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * A whole tensor's {@code readFloats}: one thread against the same read split across the common pool (the caller
 * takes a share too), for a tensor of 16 MiB of float output (issue 13: at least 1.8x on two cores for tensors of
 * 8 MiB and more). GB/s of float output, wall clock: scaling is about elapsed time. Run on a quiet machine:
 * {@code benchmarks/run 'GgufParallelRead.*' -f 1 -wi 3 -i 5 -w 1s -r 1s}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GgufParallelReadBenchmark {
    static final int ELEMENTS = 4 << 20;

    @Param({"Q8_0", "Q4_K"})
    public String type;

    private Arena arena;
    private Tensor tensor;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        tensor = tensor(DType.valueOf(type), arena);
        out = new float[ELEMENTS];
    }

    /** A tensor of {@link #ELEMENTS} values of {@code t} in native memory of {@code arena} (valid blocks, tiled). */
    static Tensor tensor(DType t, Arena arena) {
        byte[] pattern = GgufDequantBenchmark.blocks(t);
        int rows = ELEMENTS / GgufDequantBenchmark.FLOATS;
        MemorySegment data = arena.allocate((long) pattern.length * rows, 64);
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(MemorySegment.ofArray(pattern), 0, data, (long) r * pattern.length, pattern.length);
        }
        return new SegmentView(TensorInfo.of("w", t, Shape.of(rows, GgufDequantBenchmark.FLOATS)), data);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** One thread. */
    @Benchmark
    @OperationsPerInvocation(4 * ELEMENTS)
    public float[] oneThread() {
        tensor.readFloats(0, out, 0, ELEMENTS);
        return out;
    }

    /** Split across the common pool and the caller. */
    @Benchmark
    @OperationsPerInvocation(4 * ELEMENTS)
    public float[] commonPool() {
        tensor.readFloats(0, out, 0, ELEMENTS, null);
        return out;
    }

    /** A tensor viewing native memory, as a mapped GGUF tensor views its file. */
    private record SegmentView(TensorInfo info, MemorySegment bytes) implements Tensor {
        @Override public boolean isView() { return true; }

        @Override
        public void readBytes(long byteOffset, MemorySegment dst) {
            MemorySegment.copy(bytes, byteOffset, dst, 0, dst.byteSize());
        }
    }
}
