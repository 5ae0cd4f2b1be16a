package dev.tensorfile.benchmarks;

import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Open + list of a TF checkpoint of 10,000 F32 variables (issue 16: ≤ 5 ms, independent of the data size), with
 * 8 MiB and 4 GiB of data: opening reads the index table only and maps the data shard without touching it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TensorFlowOpenBenchmark {
    static final int VARIABLES = 10_000;

    @Param({"8", "4096"})
    public long mebibytes;

    private Path dir;
    private Path prefix;

    @Setup(Level.Trial)
    public void write() throws IOException {
        dir = Files.createTempDirectory("tf-bundle-");
        prefix = TensorFlowBundles.write(dir, VARIABLES, mebibytes << 20);
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Benchmark
    public void openAndList(Blackhole bh) {
        try (TensorFile f = TensorFiles.open(prefix)) {
            for (Tensor t : f.tensors()) bh.consume(t.info());
            bh.consume(f.metadata());
        }
    }
}
