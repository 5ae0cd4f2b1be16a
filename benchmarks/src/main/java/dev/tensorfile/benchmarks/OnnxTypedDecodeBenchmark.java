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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Decoding typed storage (issue 6, item 8d: ≥ 1 GB/s): a tensor of {@value #N} values in packed {@code float_data}
 * and one in packed {@code int64_data}, each decoded into its raw little-endian form (64 MiB out). GB/s = output
 * bytes / time per op. Each op opens the small model again, since a tensor decodes once and keeps the result.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class OnnxTypedDecodeBenchmark {
    static final int N = 8 << 20;

    private Path file;

    @Setup(Level.Trial)
    public void write() throws IOException {
        file = OnnxModels.typed(N);
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        Files.deleteIfExists(file);
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
}
