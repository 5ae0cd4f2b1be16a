package dev.tensorfile.benchmarks;

import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import io.jhdf.HdfFile;
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
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * HDF5 reads against their baselines (issue 7, item 7), on the files {@code benchmarks/scripts/hdf5_bench.py}
 * writes with h5py (and times h5py on): a 256 MiB contiguous float32 dataset to {@code float[]} (target ≥ 0.9× a
 * {@code MemorySegment.copy} of the same mapped bytes), the same data chunked with shuffle + gzip (target ≥ 1.5×
 * h5py), both against jhdf (target ≥ 3×), and opening a file of 10,000 datasets in dense groups and listing them
 * (target ≤ 50 ms). Directory: {@code -Dhdf5.bench.dir=...}, default {@code /tmp/tensorfile-hdf5-bench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class Hdf5ReadBenchmark {
    private Path contig;
    private Path gzip;
    private Path dense;
    private float[] dst;
    private TensorFile open;
    private MemorySegment mapped;
    private long dataOffset;

    /** Where the dataset's bytes start in the file (h5py writes the raw data after the metadata). */
    private long dataOffset() throws IOException {
        byte[] head = new byte[16];
        MemorySegment.copy(mapped, ValueLayout.JAVA_BYTE, 0, head, 0, 16);
        byte[] file = new byte[1 << 16];
        try (var in = Files.newInputStream(contig)) {
            int n = in.readNBytes(file, 0, file.length);
            for (int i = 0; i + 16 <= n; i++) {
                if (java.util.Arrays.equals(file, i, i + 16, head, 0, 16)) return i;
            }
        }
        throw new IllegalStateException("data offset not found in the first 64 KiB");
    }

    @Setup
    public void setup() throws IOException {
        Path dir = Path.of(System.getProperty("hdf5.bench.dir", "/tmp/tensorfile-hdf5-bench"));
        contig = dir.resolve("contig.h5");
        gzip = dir.resolve("gzip.h5");
        dense = dir.resolve("dense.h5");
        for (Path p : new Path[] {contig, gzip, dense}) {
            if (!Files.exists(p)) throw new IllegalStateException(p + " is missing: run benchmarks/scripts/hdf5_bench.py first");
        }
        dst = new float[64 << 20];
        // the baseline copies the very bytes of the dataset: the zero-copy view of the mapped file
        open = TensorFiles.open(contig);
        mapped = open.tensor("data").bytes();
        dataOffset = dataOffset();
    }

    @TearDown
    public void tearDown() { open.close(); }

    /** The floor: copying the dataset's mapped bytes into the array. */
    @Benchmark
    public float[] baselineSegmentCopy() {
        MemorySegment.copy(mapped, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, dst, 0, dst.length);
        return dst;
    }

    /** The floor with the mapping in the measurement: map the file, copy the dataset's bytes, unmap. */
    @Benchmark
    public float[] baselineMapAndCopy() throws IOException {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined();
                java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(contig)) {
            MemorySegment m = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            MemorySegment.copy(m, ValueLayout.JAVA_FLOAT_UNALIGNED, dataOffset, dst, 0, dst.length);
        }
        return dst;
    }

    /** Against {@link #baselineSegmentCopy}: the file already open. */
    @Benchmark
    public float[] contiguousToFloatsOpen() {
        open.tensor("data").readFloats(0, dst, 0, dst.length);
        return dst;
    }

    /** Against {@link #baselineMapAndCopy}: open (map, parse), read, close. */
    @Benchmark
    public float[] contiguousToFloats() {
        try (TensorFile f = TensorFiles.open(contig)) {
            f.tensor("data").readFloats(0, dst, 0, dst.length);
        }
        return dst;
    }

    @Benchmark
    public float[] gzipShuffleToFloats() {
        try (TensorFile f = TensorFiles.open(gzip)) {
            f.tensor("data").readFloats(0, dst, 0, dst.length);
        }
        return dst;
    }

    @Benchmark
    public Object jhdfContiguous() {
        try (HdfFile h = new HdfFile(contig)) {
            return h.getDatasetByPath("/data").getData();
        }
    }

    @Benchmark
    public Object jhdfGzipShuffle() {
        try (HdfFile h = new HdfFile(gzip)) {
            return h.getDatasetByPath("/data").getData();
        }
    }

    @Benchmark
    public int openAndListDense() {
        try (TensorFile f = TensorFiles.open(dense)) {
            int n = 0;
            for (Tensor t : f.tensors()) n += t.name().length() > 0 ? 1 : 0;
            if (n != 10_000) throw new IllegalStateException(n + " datasets");
            return n;
        }
    }

}
