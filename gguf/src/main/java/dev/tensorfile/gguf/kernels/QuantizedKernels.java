package dev.tensorfile.gguf.kernels;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.spi.NativeStaging;
import dev.tensorfile.core.spi.ParallelChunks;

import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Fused dot products of weight rows with float activations, and matrix–vector products over a
 * {@link QuantizedMatrix}: the weights are decoded in registers and small staging arrays as they are multiplied,
 * never into a float copy of the matrix.
 *
 * <h2>Accuracy</h2>
 * Let {@code w} be the weights ggml's {@code dequantize_row_*} gives (what {@code Tensor.readFloats} returns, bit
 * for bit) and {@code S = Σ w[i]·x[i]} over {@code n} products, computed exactly. Every kernel forms each
 * {@code w[i]} exactly as ggml does (the products of a binary16 scale, small integer scales and a code are exact in
 * float32; a K-quant's min is subtracted in one rounding, as in ggml), and then sums {@code w[i]·x[i]} with fused
 * multiply-adds into several accumulators that are added at the end. Each product goes through at most {@code h}
 * roundings of unit roundoff {@code u = 2^-24}, so (Higham, <i>Accuracy and Stability of Numerical Algorithms</i>,
 * §3.1, with finite values and no overflow)
 * <pre>
 *   |dot − S| ≤ γ_h · Σ |w[i]·x[i]|,   γ_h = h·u / (1 − h·u)
 * </pre>
 * where
 * <ul>
 *   <li>plain Java ({@code scalar}): 256 accumulators, each receiving every 256th product, added pairwise:
 *       {@code h = ceil(n/256) + 8};</li>
 *   <li>Vector API ({@code panama}, {@code L} float lanes, 8 or 16): four vector accumulators, element {@code i}
 *       into lane {@code i mod 4L}, then added as {@code (a0+a1)+(a2+a3)} and across lanes in an order the Vector
 *       API does not fix: {@code h = ceil(n/4L) + 2 + (L − 1)}.</li>
 * </ul>
 * For a row of 4096 that is {@code h = 24} (γ ≈ 1.4·10⁻⁶) and, with 16 lanes, {@code h = 81} (γ ≈ 4.8·10⁻⁶).
 * Both paths are well within {@code h = ceil(n/32) + 17} for every {@code n}, the bound the tests hold them to
 * against a sum in double of the dequantizer's output. The two paths add in different orders, so their results may
 * differ from each other in the last bits; neither is bit-identical to ggml's own {@code vec_dot}, which quantizes
 * the activations to 8 bits first.
 *
 * <h2>Threads</h2>
 * All methods are thread-safe; {@link #matVec(QuantizedMatrix, float[], float[], Executor)} splits the rows
 * across an executor.
 */
public final class QuantizedKernels {
    /** The element types with kernels: Q8_0, Q4_0, Q4_K, Q5_K, Q6_K, F16, BF16, F32. */
    public static final Set<DType> TYPES = java.util.Collections.unmodifiableSet(EnumSet.of(
            DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q5_K, DType.Q6_K, DType.F16, DType.BF16, DType.F32));

    /** Below this many weights a {@link #matVec(QuantizedMatrix, float[], float[], Executor)} share is not split further. */
    static final long PARALLEL_MIN_ELEMENTS = 1 << 16;

    private QuantizedKernels() {}

    /** True if {@code type} has kernels here. */
    public static boolean supports(DType type) {
        return TYPES.contains(type);
    }

    /**
     * The implementation chosen for this JVM: {@code "panama"} (Vector API) or {@code "scalar"} (plain Java).
     *
     * @throws IllegalStateException if {@code -Dtensorfile.quant=panama} was asked for and cannot be honoured
     */
    public static String implementation() {
        return DotChoice.get().name();
    }

    /**
     * {@code Σ w[i]·x[offset + i]} for the weights {@code w} of one row of {@code type}: {@code row.byteSize()} must
     * be a whole number of blocks, and {@code x} must hold that many elements from {@code offset}.
     *
     * @throws IllegalArgumentException if {@code type} has no kernel or the row is not whole blocks
     * @throws IndexOutOfBoundsException if {@code x} is too short
     */
    public static float dot(DType type, MemorySegment row, float[] x, int offset) {
        if (!supports(type)) throw new IllegalArgumentException("no kernel for " + type + " (have " + TYPES + ")");
        long size = row.byteSize();
        if (size % type.blockBytes() != 0 || size / type.blockBytes() > Integer.MAX_VALUE / type.blockElements()) {
            throw new IllegalArgumentException(size + " bytes are not a row of whole " + type + " blocks");
        }
        int blocks = (int) (size / type.blockBytes());
        Objects.checkFromIndexSize(offset, blocks * type.blockElements(), x.length);
        return DotChoice.get().kernel(type).dot(NativeStaging.nativeBytes(row, 0, size), 0, blocks, x, offset, new Scratch());
    }

    /**
     * {@code Σ w[i]·x[offset + i]} over row {@code row} of {@code matrix}.
     *
     * @throws IndexOutOfBoundsException if {@code row} is not a row or {@code x} is too short
     */
    public static float dot(QuantizedMatrix matrix, long row, float[] x, int offset) {
        Objects.checkFromIndexSize(offset, matrix.columns(), x.length);
        return DotChoice.get().kernel(matrix.type()).dot(NativeStaging.nativeBytes(matrix.row(row), 0, matrix.bytesPerRow()), 0,
                matrix.blocksPerRow(), x, offset, new Scratch());
    }

    /**
     * {@code y[r] = Σ w[r][i]·x[i]} for every row {@code r}, on the calling thread.
     *
     * @throws IndexOutOfBoundsException if {@code x} is shorter than a row or {@code y} than the rows
     */
    public static void matVec(QuantizedMatrix matrix, float[] x, float[] y) {
        matVec(matrix, x, y, 0, matrix.rows());
    }

    /**
     * {@code y[r] = Σ w[r][i]·x[i]} for rows {@code fromRow <= r < toRow}, on the calling thread; the rest of
     * {@code y} is not touched (so threads of a runtime may share one {@code y}, each with its own rows).
     *
     * @throws IndexOutOfBoundsException if the range is not within the rows, {@code x} is shorter than a row or
     *     {@code y} shorter than {@code toRow}
     */
    public static void matVec(QuantizedMatrix matrix, float[] x, float[] y, long fromRow, long toRow) {
        Objects.checkFromToIndex(fromRow, toRow, matrix.rows());
        Objects.checkFromIndexSize(0, matrix.columns(), x.length);
        Objects.checkFromToIndex(fromRow, toRow, y.length);
        if (fromRow == toRow) return;
        DotKernel kernel = DotChoice.get().kernel(matrix.type());
        MemorySegment rows = matrix.rows(fromRow, toRow);   // one fetch for all of them if the file is remote
        long stride = matrix.bytesPerRow();
        int blocks = matrix.blocksPerRow();
        Scratch scratch = new Scratch();
        int from = (int) fromRow;
        int n = (int) (toRow - fromRow);
        if (rows.isNative()) {
            for (int r = 0; r < n; r++) {
                y[from + r] = kernel.dot(rows, r * stride, blocks, x, 0, scratch);
            }
            return;
        }
        // heap rows: through core's NativeStaging buffer, as many whole rows at a time as fit (at least one)
        int per = (int) Math.max(1, NativeStaging.CHUNK_BYTES / stride);
        for (int done = 0; done < n; done += per) {
            int k = Math.min(per, n - done);
            MemorySegment staged = NativeStaging.nativeBytes(rows, done * stride, k * stride);
            for (int r = 0; r < k; r++) {
                y[from + done + r] = kernel.dot(staged, r * stride, blocks, x, 0, scratch);
            }
        }
    }

    /**
     * {@link #matVec(QuantizedMatrix, float[], float[])} with the rows split into chunks that the calling thread
     * and tasks on {@code executor} (the common pool if null) claim in turn ({@link ParallelChunks}); returns when
     * all are done. Chunks hold at least {@value #PARALLEL_MIN_ELEMENTS} weights, so a small matrix runs inline.
     *
     * @throws java.util.concurrent.CompletionException wrapping what a range threw
     */
    public static void matVec(QuantizedMatrix matrix, float[] x, float[] y, Executor executor) {
        long rows = matrix.rows();
        Objects.checkFromIndexSize(0, matrix.columns(), x.length);
        Objects.checkFromToIndex(0, rows, y.length);
        // chunks of rows claimed by whichever thread runs (the caller too), at least PARALLEL_MIN_ELEMENTS weights each
        long minRows = Math.max(1, PARALLEL_MIN_ELEMENTS / Math.max(1, matrix.columns()));
        ParallelChunks.run(rows, minRows, 1, executor, (from, to) -> matVec(matrix, x, y, from, to));
    }
}
