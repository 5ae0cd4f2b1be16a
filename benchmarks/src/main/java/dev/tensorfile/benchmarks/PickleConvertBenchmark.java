package dev.tensorfile.benchmarks;

import dev.tensorfile.core.Converter;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.testframework.TorchCheckpoints;
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
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * {@code .pt} → safetensors conversion against a plain copy of the same bytes (the target: ≥ 0.8× the
 * copy's speed): a 256 MiB state dict of 16 random F32 tensors, written in {@code @Setup} without torch.
 * {@code convert} opens the checkpoint and writes safetensors through the atomic writer (temp file, force,
 * move); {@code plainCopy} copies the checkpoint file with {@code FileChannel.transferTo} and forces it to disk
 * the same way. The ratio is plainCopy's time over convert's. {@code mappedCopy} writes the same storages from the
 * file's mapping to a file and forces it, without any format: the floor for any reader that maps (page faults on
 * the mapping cost what {@code transferTo} avoids in the kernel).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PickleConvertBenchmark {
    static final int TENSORS = 16;
    static final long BYTES = 256L << 20;

    private Path dir;
    private Path checkpoint;

    @Setup(Level.Trial)
    public void write() throws IOException {
        dir = Files.createTempDirectory("pickle-convert-");
        checkpoint = dir.resolve("model.pt");
        TorchCheckpoints.write(checkpoint, TENSORS, BYTES / 4 / TENSORS, false);
    }

    /** Each invocation starts without outputs (see {@link Outputs#deleteAndSync}): none pays for freeing the last one's. */
    @Setup(Level.Invocation)
    public void deleteOutputs() throws IOException {
        Outputs.deleteAndSync(dir.resolve("model.safetensors"), dir.resolve("mapped.bin"), dir.resolve("copy.pt"));
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public long convert() {
        try (TensorFile in = TensorFiles.open(checkpoint)) {
            return Converter.from(in).to(dir.resolve("model.safetensors")).bytesWritten();
        }
    }

    @Benchmark
    public long mappedCopy() throws IOException {
        try (TensorFile in = TensorFiles.open(checkpoint);
             FileChannel dst = FileChannel.open(dir.resolve("mapped.bin"), StandardOpenOption.CREATE,
                     StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long n = 0;
            for (var t : in.tensors()) {
                var b = t.bytes().asByteBuffer();
                while (b.hasRemaining()) n += dst.write(b);
            }
            dst.force(true);
            return n;
        }
    }

    @Benchmark
    public long plainCopy() throws IOException {
        Path out = dir.resolve("copy.pt");
        try (FileChannel src = FileChannel.open(checkpoint, StandardOpenOption.READ);
             FileChannel dst = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            long size = src.size();
            for (long at = 0; at < size; ) at += src.transferTo(at, size - at, dst);
            dst.force(true);
            return size;
        }
    }
}
