package dev.tensorfile.benchmarks;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.TensorWriter;
import dev.tensorfile.core.WriteOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;

/**
 * HDF5 writes against their floors: 64 MiB of float32 noise written as one contiguous dataset, against writing the
 * same bytes to a file with a {@code FileChannel} and forcing it (the writer forces too, before its atomic move);
 * and written chunked with shuffle + gzip level 4, against deflating the same bytes in 1 MiB pieces on one thread
 * with no file at all (what the compressor's threads buy). Run briefly: {@code benchmarks/run 'Hdf5Write.*' -f 1
 * -wi 2 -i 3 -w 1s -r 1s}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class Hdf5WriteBenchmark {
    private static final int ROWS = 4096, COLUMNS = 4096;
    private MemorySegment data;
    private Path dir;
    private TensorInfo info;

    @Setup
    public void setup() throws IOException {
        float[] values = new float[ROWS * COLUMNS];
        Random r = new Random(0);
        for (int i = 0; i < values.length; i++) values[i] = (float) r.nextGaussian();
        byte[] bytes = new byte[values.length * 4]; // a byte[] segment, which has a ByteBuffer view for the baseline
        ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
        data = MemorySegment.ofArray(bytes);
        dir = Files.createTempDirectory("tensorfile-hdf5-write-bench");
        info = TensorInfo.of("w", DType.F32, Shape.of(ROWS, COLUMNS));
    }

    @TearDown
    public void tearDown() throws IOException {
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.delete(dir);
    }

    private long write(String name, WriteOptions options) throws IOException {
        Path out = dir.resolve(name);
        try (TensorWriter w = TensorFiles.format("hdf5").orElseThrow().newWriter(out, options)) {
            w.declare(Metadata.empty(), List.of(info));
            w.write("w", data);
        }
        return Files.size(out);
    }

    /** The floor of a contiguous write: the bytes to a file, forced. */
    @Benchmark
    public long baselineChannelWrite() throws IOException {
        Path out = dir.resolve("raw.bin");
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = data.asByteBuffer();
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        return Files.size(out);
    }

    /** One contiguous dataset through the HDF5 writer. */
    @Benchmark
    public long contiguous() throws IOException {
        return write("contig.h5", WriteOptions.NONE);
    }

    /** The floor of a compressed write on one thread: deflate level 4 over 1 MiB pieces, nothing written. */
    @Benchmark
    public long baselineDeflateOneThread() {
        byte[] piece = new byte[1 << 20];
        byte[] out = new byte[(1 << 20) + 1024];
        long total = 0;
        Deflater d = new Deflater(4);
        try {
            for (long at = 0; at < data.byteSize(); at += piece.length) {
                MemorySegment.copy(data, java.lang.foreign.ValueLayout.JAVA_BYTE, at, piece, 0, piece.length);
                d.reset();
                d.setInput(piece);
                d.finish();
                while (!d.finished()) total += d.deflate(out);
            }
        } finally {
            d.end();
        }
        return total;
    }

    /** The dataset chunked, shuffled and deflated (level 4) through the HDF5 writer. */
    @Benchmark
    public long gzip() throws IOException {
        return write("gzip.h5", new WriteOptions(Map.of("compress", "gzip")));
    }
}
