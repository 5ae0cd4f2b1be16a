package dev.tensorfile.core;

import java.util.Objects;

/**
 * What a file says about one tensor: its name, element type, row-major shape and the bytes its data takes.
 *
 * @param name the tensor's name as the format names it (HDF5: the dataset path without the leading {@code /})
 * @param dtype the element type
 * @param shape the row-major shape
 * @param byteLength bytes of the data in {@code dtype} (for {@link DType#STRING}, what the format stores)
 */
public record TensorInfo(String name, DType dtype, Shape shape, long byteLength) {
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        if (byteLength < 0) throw new IllegalArgumentException("negative byte length " + byteLength);
    }

    /**
     * A tensor of a fixed-size type, its byte length computed from the shape.
     *
     * @throws ArithmeticException if the byte length overflows or the shape is not a whole number of blocks
     */
    public static TensorInfo of(String name, DType dtype, Shape shape) {
        return new TensorInfo(name, dtype, shape, shape.byteSize(dtype));
    }

    /** Number of elements. */
    public long elementCount() { return shape.elementCount(); }

    /** The same tensor under another name. */
    public TensorInfo withName(String newName) { return new TensorInfo(newName, dtype, shape, byteLength); }

    /** The same shape in another fixed-size type. */
    public TensorInfo withDType(DType newType) { return of(name, newType, shape); }
}
