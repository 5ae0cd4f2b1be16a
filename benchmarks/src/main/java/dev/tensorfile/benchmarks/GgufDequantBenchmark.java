package dev.tensorfile.benchmarks;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.spi.BlockCodec;
import dev.tensorfile.gguf.quant.GgmlBlockCodecProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Dequantization throughput of Q8_0, Q4_0, Q4_K, Q5_K and Q6_K (issue 3, item 6), single thread, in GB/s of float
 * output: every benchmark declares its output bytes as its operations and reports operations per nanosecond, so the
 * JMH score <em>is</em> GB/s. The scalar and the Vector API implementations run in separate forks
 * ({@link Scalar}, {@link Panama}: the implementation is chosen once per JVM, through {@code -Dtensorfile.quant}),
 * through the codecs ggml's provider registers, which {@code Tensor.readFloats} uses.
 *
 * <p>(a) {@code resident}: 1 MiB of float output from a native input segment, both cache resident.
 * (b) {@code mapped}: a 1 GiB file of quantized blocks, memory-mapped (pages touched in the setup), decoded 1 MiB of
 * output at a time into one reused array; each operation moves on by 64 MiB of output and wraps at the end of the
 * file, so the input streams from memory, not from cache.
 * The ceiling of each is {@link Ceiling}: a {@link MemorySegment#copy} of the same output size, (a) from a 1 MiB
 * native segment, (b) from a 1 GiB mapped file, into the same kind of array. The inputs are valid blocks: normal
 * random values quantized by our (llama-quantize-identical) encoders, tiled.
 *
 * <p>Run briefly on a shared machine: {@code benchmarks/run 'GgufDequant.*' -f 1 -wi 2 -i 3 -w 1s -r 1s}; the
 * {@code mapped} ones write a 1 GiB temporary file per type in their setup and delete it afterwards.
 */
public class GgufDequantBenchmark {
    /** Output of the cache-resident case: 1 MiB of floats. */
    static final int RESIDENT_BYTES = 1 << 20;
    /** Output of one operation of the mapped case. */
    static final int MAPPED_OP_BYTES = 64 << 20;
    /** Size of the mapped input. */
    static final long MAPPED_INPUT = 1L << 30;
    static final int FLOATS = RESIDENT_BYTES / Float.BYTES;

    private GgufDequantBenchmark() {}

    /**
     * Valid blocks for 1 MiB of output: normal random values through our reference quantizer; for the types we
     * have none for, random bytes with moderate fp16 scales (a table decoder's speed does not depend on the codes).
     */
    static byte[] blocks(DType type) {
        float[] x = new float[FLOATS];
        Random rnd = new Random(42);
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        int n = FLOATS / type.blockElements();
        byte[] q = new byte[n * type.blockBytes()];
        BlockCodec codec = codec(type);
        if (codec.canEncode()) {
            codec.encode(x, 0, MemorySegment.ofArray(q), 0, n);
            return q;
        }
        rnd.nextBytes(q);
        int[] scales = switch (type) {
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case TQ1_0 -> new int[] {52};
            case TQ2_0 -> new int[] {64};
            case MXFP4, NVFP4, IQ1_M -> new int[0];
            default -> new int[] {0};
        };
        for (int i = 0; i < n; i++) {
            for (int f : scales) {
                short h = (short) (0x2000 + rnd.nextInt(0x1000));
                q[i * type.blockBytes() + f] = (byte) h;
                q[i * type.blockBytes() + f + 1] = (byte) (h >>> 8);
            }
        }
        return q;
    }

    /** Writes {@code pattern} repeatedly to a new temporary file of at least {@code size} bytes, whole patterns. */
    static Path tiledFile(byte[] pattern, long size) throws IOException {
        Path file = Files.createTempFile("tensorfile-dequant-", ".bin");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(pattern);
            for (long written = 0; written < size; written += pattern.length) {
                b.clear();
                while (b.hasRemaining()) ch.write(b);
            }
        }
        return file;
    }

    /**
     * Maps {@code file} and touches every page ({@link MemorySegment#load}), so that the measurement is the memory
     * traffic of a mapped input and not the first-touch page faults (about 260,000 per GiB, the same for every
     * reader of a mapped file, and with a 1 GiB file and one-second iterations otherwise the whole measurement).
     */
    static MemorySegment map(Path file, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            m.load();
            return m;
        }
    }

    /** (a): one type's blocks for 1 MiB of output, in native memory. */
    @State(Scope.Thread)
    public static class Resident {
        @Param({"Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
        public String type;

        BlockCodec codec;
        MemorySegment input;
        /** The segment destination: 1 MiB of native memory aligned to 64 bytes, as ggml's harness allocates. */
        MemorySegment outSegment;
        int blockCount;
        final float[] out = new float[FLOATS];
        private Arena arena;

        @Setup(Level.Trial)
        public void setUp() {
            DType t = DType.valueOf(type);
            codec = codec(t);
            byte[] q = blocks(t);
            arena = Arena.ofShared();
            outSegment = arena.allocate(RESIDENT_BYTES, 64);
            input = arena.allocate(q.length, 64);
            MemorySegment.copy(MemorySegment.ofArray(q), 0, input, 0, q.length);
            blockCount = FLOATS / t.blockElements();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** (b): a 1 GiB temporary file of one type's blocks, mapped; deleted after the trial. */
    @State(Scope.Thread)
    public static class Mapped {
        @Param({"Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
        public String type;

        BlockCodec codec;
        MemorySegment input;
        long chunkBytes;
        int chunkBlocks;
        long position;
        final float[] out = new float[FLOATS];
        private Arena arena;
        private Path file;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            DType t = DType.valueOf(type);
            codec = codec(t);
            byte[] q = blocks(t);
            chunkBytes = q.length;
            chunkBlocks = FLOATS / t.blockElements();
            file = tiledFile(q, MAPPED_INPUT);
            arena = Arena.ofShared();
            input = map(file, arena);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            arena.close();
            Files.deleteIfExists(file);
        }
    }

    /** The dequantizers under test, in one JVM whose implementation was fixed at start-up. */
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public abstract static class Dequant {
        /** (a) 1 MiB of output, cache resident. */
        @Benchmark
        @OperationsPerInvocation(RESIDENT_BYTES)
        public float[] resident(Resident s) {
            s.codec.decode(s.input, 0, s.out, 0, s.blockCount);
            return s.out;
        }

        /**
         * (a) into a 64-byte-aligned native segment instead of the array: the segment path without a float[] in
         * between, and the destination ggml's harness writes ({@code aligned_alloc(64, ...)}); a Java array's
         * elements start 16 bytes into an 8-byte-aligned object, so a 64-byte vector store into it usually
         * straddles two cache lines.
         */
        @Benchmark
        @OperationsPerInvocation(RESIDENT_BYTES)
        public MemorySegment residentSegment(Resident s) {
            s.codec.decode(s.input, 0, s.outSegment, 0, s.blockCount);
            return s.outSegment;
        }

        /** (b) 64 MiB of output from the 1 GiB mapped input, 1 MiB at a time. */
        @Benchmark
        @OperationsPerInvocation(MAPPED_OP_BYTES)
        public float[] mapped(Mapped s) {
            long pos = s.position;
            long size = s.input.byteSize();
            for (int c = 0; c < MAPPED_OP_BYTES / RESIDENT_BYTES; c++) {
                if (pos + s.chunkBytes > size) pos = 0;
                s.codec.decode(s.input, pos, s.out, 0, s.chunkBlocks);
                pos += s.chunkBytes;
            }
            s.position = pos;
            return s.out;
        }
    }

    /** The plain-Java dequantizers, in a JVM started without {@code jdk.incubator.vector}: what every user gets. */
    @State(Scope.Benchmark)
    @Fork(jvmArgs = {"-Xmx4g", "-Dtensorfile.quant=scalar"})   // replaces the launcher's --add-modules: the default path as users run it
    public static class Scalar extends Dequant {
        @Setup(Level.Trial)
        public void check() {
            require("scalar");
        }
    }

    /** Vector API dequantizers (benchmarks/run starts the JVMs with {@code --add-modules jdk.incubator.vector}). */
    @State(Scope.Benchmark)
    @Fork(jvmArgsAppend = "-Dtensorfile.quant=panama")
    public static class Panama extends Dequant {
        @Setup(Level.Trial)
        public void check() {
            require("panama");
        }
    }

    static void require(String impl) {
        if (!GgmlBlockCodecProvider.implementation().equals(impl)) {
            throw new IllegalStateException("expected the " + impl + " dequantizers, got "
                    + GgmlBlockCodecProvider.implementation());
        }
    }

    /** The ceiling's (a) input: 1 MiB of native memory. */
    @State(Scope.Thread)
    public static class CopyResident {
        final float[] out = new float[FLOATS];
        MemorySegment input;
        private Arena arena;

        @Setup(Level.Trial)
        public void setUp() {
            arena = Arena.ofShared();
            input = arena.allocate(RESIDENT_BYTES, 64);
            byte[] pattern = new byte[RESIDENT_BYTES];
            new Random(42).nextBytes(pattern);
            MemorySegment.copy(MemorySegment.ofArray(pattern), 0, input, 0, RESIDENT_BYTES);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** The ceiling's (b) input: a 1 GiB temporary file, mapped; deleted after the trial. */
    @State(Scope.Thread)
    public static class CopyMapped {
        final float[] out = new float[FLOATS];
        MemorySegment input;
        long position;
        private Arena arena;
        private Path file;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            byte[] pattern = new byte[RESIDENT_BYTES];
            new Random(42).nextBytes(pattern);
            file = tiledFile(pattern, MAPPED_INPUT);
            arena = Arena.ofShared();
            input = map(file, arena);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            arena.close();
            Files.deleteIfExists(file);
        }
    }

    /** The ceiling: a {@link MemorySegment} copy of the same number of output bytes into a float array. */
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public static class Ceiling {
        /** (a) 1 MiB, cache resident. */
        @Benchmark
        @OperationsPerInvocation(RESIDENT_BYTES)
        public float[] resident(CopyResident s) {
            MemorySegment.copy(s.input, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, s.out, 0, FLOATS);
            return s.out;
        }

        /** (b) 64 MiB from the 1 GiB mapped file, 1 MiB at a time. */
        @Benchmark
        @OperationsPerInvocation(MAPPED_OP_BYTES)
        public float[] mapped(CopyMapped s) {
            long pos = s.position;
            long size = s.input.byteSize();
            for (int c = 0; c < MAPPED_OP_BYTES / RESIDENT_BYTES; c++) {
                if (pos + RESIDENT_BYTES > size) pos = 0;
                MemorySegment.copy(s.input, ValueLayout.JAVA_FLOAT_UNALIGNED, pos, s.out, 0, FLOATS);
                pos += RESIDENT_BYTES;
            }
            s.position = pos;
            return s.out;
        }
    }

    /** ggml's codec for {@code type}: the one core finds through ServiceLoader for {@code Tensor.readFloats}. */
    private static BlockCodec codec(DType type) {
        return new GgmlBlockCodecProvider().codecs().stream().filter(c -> c.dtype() == type).findFirst().orElseThrow();
    }
}
