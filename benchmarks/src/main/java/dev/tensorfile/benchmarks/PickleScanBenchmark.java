package dev.tensorfile.benchmarks;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.ScanReport;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.Verdict;
import dev.tensorfile.pickle.PickleScanner;
import dev.tensorfile.testframework.TorchCheckpoints;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Scanning a PyTorch zip checkpoint reads only its pickles (the target: ≤ 50 ms for 2 GB, independent of
 * the storage size): the same 64-tensor state dict with 1 MiB and with 2 GiB of storages (written in
 * {@code @Setup} without torch, storages left as sparse holes). Compare the two {@code storageMiB} rows: equal
 * times mean no storage byte was read. {@code openAndList} is the inspect path (open, list tensors, close).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PickleScanBenchmark {
    static final int TENSORS = 64;

    @Param({"1", "2048"})
    public int storageMiB;

    private Path file;
    private final PickleScanner scanner = new PickleScanner();

    @Setup(Level.Trial)
    public void write() throws IOException {
        file = Files.createTempFile("checkpoint-" + storageMiB + "m-", ".pt");
        long elements = (long) storageMiB * (1 << 20) / 4 / TENSORS;
        TorchCheckpoints.write(file, TENSORS, elements, true);
        ScanReport r = scanner.scan(file, ReadLimits.DEFAULT);
        if (r.verdict() != Verdict.SAFE) throw new IllegalStateException("setup: " + r.findings());
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    public ScanReport scan() {
        return scanner.scan(file, ReadLimits.DEFAULT);
    }

    @Benchmark
    public int openAndList() {
        try (TensorFile f = TensorFiles.open(file)) {
            return f.tensors().size();
        }
    }
}
