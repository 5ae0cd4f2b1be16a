package dev.tensorfile.benchmarks;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.spi.Widening;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Issue 2, benchmark (b): F16 → F32 and BF16 → F32 widening of 4 Mi elements from off-heap memory (as a mapped
 * tensor is) into a {@code float[]}, against the ceiling: a plain {@code MemorySegment.copy} of the same 16 MiB
 * of output. Target: each conversion ≥ 0.5× the copy. Time per call; throughput = 16 MiB / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FloatConversionBenchmark {
    static final int ELEMENTS = 4 << 20;

    private Arena arena;
    private MemorySegment halves;
    private MemorySegment floats;
    private final float[] out = new float[ELEMENTS];

    @Setup(Level.Trial)
    public void fill() {
        arena = Arena.ofShared();
        halves = arena.allocate(2L * ELEMENTS, 64);
        floats = arena.allocate(4L * ELEMENTS, 64);
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < ELEMENTS; i++) {
            float v = (float) random.nextGaussian();
            halves.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(v));
            floats.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
        }
    }

    @Benchmark
    public float[] f16ToF32() {
        Widening.f16ToFloat(halves, 0, out, 0, ELEMENTS);
        return out;
    }

    @Benchmark
    public float[] bf16ToF32() {
        Widening.bf16ToFloat(halves, 0, out, 0, ELEMENTS);
        return out;
    }

    /** The ceiling: the same output bytes, copied. */
    @Benchmark
    public float[] copyCeiling() {
        MemorySegment.copy(floats, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, out, 0, ELEMENTS);
        return out;
    }

    @TearDown(Level.Trial)
    public void free() {
        arena.close();
    }
}
