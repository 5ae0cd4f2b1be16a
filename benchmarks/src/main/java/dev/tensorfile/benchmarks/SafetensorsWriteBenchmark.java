package dev.tensorfile.benchmarks;

import dev.tensorfile.core.Converter;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.TensorWriter;
import dev.tensorfile.core.WriteOptions;
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
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Issue 2, benchmark (c): writing a 1 GiB safetensors file (64 F32 tensors of 16 MiB) through our streaming writer,
 * against the baseline {@code FileChannel.transferTo} of the same bytes from a file into a new file. Two ways in:
 * {@code ourWriter} feeds the writer from memory (the bytes a producer has computed), {@code convert} converts a
 * safetensors file holding those bytes (views of a mapping, which the converter hands to the writer as kernel
 * copies). All include the {@code force} that makes the data durable (our writer forces before its atomic rename,
 * so the baseline does too). Target: ≥ 0.8× the baseline's throughput.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SafetensorsWriteBenchmark {
    static final int TENSORS = 64;
    static final long TENSOR_BYTES = 16L << 20;

    private Path dir;
    private Path source;
    private Path sourceModel;
    private Arena arena;
    private MemorySegment sourceData;
    private List<TensorInfo> infos;

    @Setup(Level.Trial)
    public void prepare() throws IOException {
        dir = Files.createTempDirectory("write-bench");
        source = dir.resolve("source.bin");
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        for (int i = 0; i < chunk.capacity(); i++) chunk.put(i, (byte) (i * 31 + 7));
        try (FileChannel ch = FileChannel.open(source, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (long done = 0; done < TENSORS * TENSOR_BYTES; done += chunk.capacity()) ch.write(chunk.clear());
        }
        arena = Arena.ofShared();
        sourceData = arena.allocate(TENSORS * TENSOR_BYTES, 64);
        try (FileChannel ch = FileChannel.open(source)) {
            MemorySegment.copy(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena), 0, sourceData, 0, ch.size());
        }
        infos = new ArrayList<>();
        for (int i = 0; i < TENSORS; i++) {
            infos.add(TensorInfo.of("layer." + i + ".weight", DType.F32, Shape.of(TENSOR_BYTES / 4 / 1024, 1024)));
        }
        sourceModel = dir.resolve("model.safetensors");
        Files.move(ourWriter(), sourceModel);
    }

    @Benchmark
    public Path convert() throws IOException {
        Path out = dir.resolve("converted.safetensors");
        try (TensorFile in = TensorFiles.open(sourceModel)) {
            Converter.from(in).to(out);
        }
        return out;
    }

    @Benchmark
    public Path ourWriter() throws IOException {
        Path out = dir.resolve("out.safetensors");
        try (TensorWriter w = TensorFiles.format("safetensors").orElseThrow().newWriter(out, new WriteOptions(Map.of()))) {
            List<TensorInfo> order = w.declare(Metadata.empty(), infos);
            for (TensorInfo t : order) {
                int index = Integer.parseInt(t.name().split("\\.")[1]);
                w.write(t.name(), sourceData.asSlice(index * TENSOR_BYTES, TENSOR_BYTES));
            }
        }
        return out;
    }

    @Benchmark
    public Path transferToBaseline() throws IOException {
        Path out = dir.resolve("copy.bin");
        try (FileChannel in = FileChannel.open(source);
             FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            long size = in.size();
            for (long done = 0; done < size; ) done += in.transferTo(done, size - done, ch);
            ch.force(true);
        }
        return out;
    }

    @TearDown(Level.Iteration)
    public void deleteOutputs() throws IOException {
        Outputs.deleteAndSync(dir.resolve("out.safetensors"), dir.resolve("copy.bin"), dir.resolve("converted.safetensors"));
    }

    @TearDown(Level.Trial)
    public void deleteAll() throws IOException {
        arena.close();
        Files.deleteIfExists(source);
        Files.deleteIfExists(sourceModel);
        Files.deleteIfExists(dir);
    }
}
