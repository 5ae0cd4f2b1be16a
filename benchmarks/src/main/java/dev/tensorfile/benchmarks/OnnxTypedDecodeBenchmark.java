package dev.tensorfile.benchmarks;

import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Decoding typed storage (issue 6, item 8d: ≥ 1 GB/s): a tensor of {@value #N} values in packed {@code float_data}
 * and one in packed {@code int64_data}, each decoded into its raw little-endian form (32 and 64 MiB out). GB/s =
 * output bytes / time per op. Each op opens the small model again, since a tensor decodes once and keeps the result.
 *
 * <p>{@code int64Data} decodes through {@code bytes()}, into memory the tensor allocates; {@code int64DataInto}
 * through {@code readBytes} into one buffer the caller owns (what a runtime loading weights into its own memory,
 * or a converter writing chunks, does). Their difference is the price of fresh memory, which {@code freshPages}
 * shows alone: a new 64 MiB array, written once, costs one page fault per 4 KiB.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class OnnxTypedDecodeBenchmark {
    static final int N = 8 << 20;

    private Path file;
    private Arena arena;
    private MemorySegment buffer;

    @Setup(Level.Trial)
    public void write() throws IOException {
        file = OnnxModels.typed(N);
        arena = Arena.ofShared();
        buffer = arena.allocate(8L * N, 8);
        buffer.fill((byte) 1);
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        Files.deleteIfExists(file);
        arena.close();
    }

    @Benchmark
    public long floatData() {
        try (TensorFile f = TensorFiles.open(file)) {
            return f.tensor("float_data").bytes().byteSize();
        }
    }

    @Benchmark
    public long int64Data() {
        try (TensorFile f = TensorFiles.open(file)) {
            return f.tensor("int64_data").bytes().byteSize();
        }
    }

    @Benchmark
    public long int64DataInto() {
        try (TensorFile f = TensorFiles.open(file)) {
            f.tensor("int64_data").readBytes(0, buffer);
            return buffer.get(ValueLayout.JAVA_LONG, 8L * N - 8);
        }
    }

    @Benchmark
    public long freshPages() {
        byte[] fresh = new byte[8 * N];
        Arrays.fill(fresh, (byte) 1);
        return fresh[fresh.length - 1];
    }
}
