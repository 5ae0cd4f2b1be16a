package dev.tensorfile.gguf.kernels;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.spi.FileRegion;
import dev.tensorfile.core.spi.FileRegionAccess;
import dev.tensorfile.core.spi.MappedFile;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Optional;

/**
 * A row view of a 2-D weight matrix stored as ggml stores it: {@link #rows()} rows of {@link #columns()} elements,
 * each row {@link #blocksPerRow()} whole blocks of {@link #blockBytes()} bytes (for F32, F16 and BF16 a block is one
 * element). {@link #row(long)} is a slice of the file's mapping, never a copy.
 *
 * <p>A tensor of rank 2 is {@code [rows, columns]} in tensorfile's row-major shape (GGUF's {@code ne[1], ne[0]});
 * higher ranks are viewed with their leading dimensions flattened into rows, as ggml's {@code mul_mat} does.
 *
 * <p>Of a tensor of a remote file, {@link #row(long)} and the kernels fetch only the rows they read (the file's
 * {@link MappedFile#require}); of a big-endian GGUF, the view is over the tensor's little-endian decode, made once.
 * A view used after its file is closed throws {@link IllegalStateException}.
 */
public final class QuantizedMatrix {
    private final String name;
    private final DType type;
    private final MemorySegment data;
    /** The file {@link #data} is a (for a remote file, unfetched) slice of, or null when it is not a file's. */
    private final MappedFile owner;
    private final long rows;
    private final int columns;
    private final int blocksPerRow;
    private final long bytesPerRow;

    private QuantizedMatrix(String name, DType type, MemorySegment data, MappedFile owner, long rows, long columns) {
        this.name = name;
        this.type = type;
        if (!QuantizedKernels.supports(type)) {
            throw new IllegalArgumentException(name + ": no kernels for " + type + " (have " + QuantizedKernels.TYPES + ")");
        }
        if (rows < 0 || columns < 0 || columns > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(name + ": " + rows + " x " + columns + " is not a matrix the kernels take");
        }
        if (columns % type.blockElements() != 0) {
            throw new IllegalArgumentException(name + ": rows of " + columns + " elements are not whole " + type
                    + " blocks of " + type.blockElements());
        }
        this.rows = rows;
        this.columns = (int) columns;
        this.blocksPerRow = (int) (columns / type.blockElements());
        this.bytesPerRow = (long) blocksPerRow * type.blockBytes();
        if (Math.multiplyHigh(rows, bytesPerRow) != 0 || rows * bytesPerRow != data.byteSize()) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes for " + rows + " rows of "
                    + bytesPerRow);
        }
        this.data = data;
        this.owner = owner;
    }

    /**
     * The view of {@code tensor}: rows are its leading dimensions, columns its last.
     *
     * @throws IllegalArgumentException if the tensor is a scalar, its type has no kernels here, or a row is not a
     *     whole number of blocks
     * @throws IllegalStateException if its file is closed
     */
    public static QuantizedMatrix of(Tensor tensor) {
        Shape shape = tensor.shape();
        if (shape.rank() == 0) throw new IllegalArgumentException(tensor.name() + ": a scalar is not a matrix");
        long columns = shape.dim(shape.rank() - 1);
        long rows = 1;
        for (int i = 0; i < shape.rank() - 1; i++) rows = Math.multiplyExact(rows, shape.dim(i));
        Optional<FileRegion> region = tensor instanceof FileRegionAccess a ? a.fileRegion() : Optional.empty();
        if (region.isPresent()) {
            // the bytes as they lie in the mapping, fetched (if remote) row by row as the kernels read them
            FileRegion r = region.get();
            MappedFile m = r.mapping();
            return new QuantizedMatrix(tensor.name(), tensor.dtype(), m.dataSlice(r.offset(), r.length()),
                    m, rows, columns);
        }
        return new QuantizedMatrix(tensor.name(), tensor.dtype(), tensor.bytes(), null, rows, columns);
    }

    /**
     * A view of {@code rows × columns} elements of {@code type} in {@code data} (all present, little-endian, at
     * any byte address), for weights that do not come from a {@link Tensor}.
     *
     * @throws IllegalArgumentException if {@code data} is not exactly that size, or a row is not whole blocks
     */
    public static QuantizedMatrix of(DType type, MemorySegment data, long rows, long columns) {
        return new QuantizedMatrix("matrix", Objects.requireNonNull(type, "type"),
                Objects.requireNonNull(data, "data"), null, rows, columns);
    }

    /** The element type. */
    public DType type() { return type; }

    /** The number of rows. */
    public long rows() { return rows; }

    /** The number of elements in a row: the length of the activations a row is multiplied with. */
    public int columns() { return columns; }

    /** Elements per block ({@code QK} in ggml; 1 for F32, F16, BF16). */
    public int blockElements() { return type.blockElements(); }

    /** Bytes per block ({@code sizeof(block_q…)} in ggml). */
    public int blockBytes() { return type.blockBytes(); }

    /** Blocks per row. */
    public int blocksPerRow() { return blocksPerRow; }

    /** Bytes per row ({@code nb[1]} in ggml). */
    public long bytesPerRow() { return bytesPerRow; }

    /**
     * Row {@code i}: {@link #bytesPerRow()} bytes, a slice of the mapping (fetched first if the file is remote).
     *
     * @throws IndexOutOfBoundsException if {@code i} is not a row
     * @throws IllegalStateException if the file is closed
     */
    public MemorySegment row(long i) {
        return rows(i, i + 1);
    }

    /**
     * Rows {@code [from, to)}, contiguous: a slice of the mapping (fetched first if the file is remote).
     *
     * @throws IndexOutOfBoundsException if the range is not within the rows
     */
    public MemorySegment rows(long from, long to) {
        Objects.checkFromToIndex(from, to, rows);
        MemorySegment s = data.asSlice(from * bytesPerRow, (to - from) * bytesPerRow);
        if (owner != null) {
            owner.ensureOpen(name);
            owner.require(s);
        }
        return s;
    }

    /** The tensor's name, for messages. */
    public String name() { return name; }

    @Override
    public String toString() {
        return "QuantizedMatrix[" + name + ", " + type + ", " + rows + " x " + columns + "]";
    }
}
