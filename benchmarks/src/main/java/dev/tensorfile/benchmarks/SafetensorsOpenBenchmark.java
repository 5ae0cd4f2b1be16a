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
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Issue 2, benchmark (a): open a safetensors file with 10,000 tensors, list every tensor's name, dtype and shape,
 * close it. Two data sizes with the same header — 40 MB and 4 GB (a sparse file: only the header is on disk) —
 * show that opening costs the header, not the data. Target: ≤ 5 ms per open, no dependence on data size.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SafetensorsOpenBenchmark {
    static final int TENSORS = 10_000;

    /** Total data bytes of the file. */
    @Param({"40000000", "4000000000"})
    public long dataBytes;

    private Path file;

    @Setup(Level.Trial)
    public void write() throws IOException {
        long perTensor = dataBytes / TENSORS / 4 * 4;
        StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (int i = 0; i < TENSORS; i++) {
            long elements = perTensor / 4;
            json.append(",\"model.layers.").append(i / 10).append(".mlp.proj_").append(i % 10)
                    .append(".weight\":{\"dtype\":\"F32\",\"shape\":[").append(elements)
                    .append("],\"data_offsets\":[").append(offset).append(',').append(offset + perTensor).append("]}");
            offset += perTensor;
        }
        json.append('}');
        while (json.length() % 8 != 0) json.append(' ');
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        file = Files.createTempFile("open-", ".safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            raf.write(header);
            raf.setLength(8 + header.length + offset); // sparse: the data is never written
        }
    }

    @Benchmark
    public void openAndList(Blackhole bh) throws IOException {
        try (TensorFile f = TensorFiles.open(file)) {
            for (Tensor t : f.tensors()) {
                bh.consume(t.name());
                bh.consume(t.dtype());
                bh.consume(t.shape());
            }
        }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        Files.deleteIfExists(file);
    }
}
