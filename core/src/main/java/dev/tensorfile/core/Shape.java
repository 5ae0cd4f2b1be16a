package dev.tensorfile.core;

import java.util.Arrays;

/**
 * A tensor's dimensions, row-major: outermost first, as numpy, PyTorch and safetensors order them.
 *
 * <p>Rank 0 is a scalar (one element); a dimension may be 0. The element count is computed once, with overflow
 * checks, when the shape is made.
 */
public final class Shape {
    private static final Shape SCALAR = new Shape(new long[0], 1);

    private final long[] dims;
    private final long elementCount;

    private Shape(long[] dims, long elementCount) {
        this.dims = dims;
        this.elementCount = elementCount;
    }

    /**
     * The shape with these dimensions.
     *
     * @throws IllegalArgumentException if a dimension is negative
     * @throws ArithmeticException if the element count overflows a long
     */
    public static Shape of(long... dims) {
        if (dims.length == 0) return SCALAR;
        long n = 1;
        for (long d : dims) {
            if (d < 0) throw new IllegalArgumentException("negative dimension " + d + " in " + Arrays.toString(dims));
        }
        for (long d : dims) n = Math.multiplyExact(n, d);
        return new Shape(dims.clone(), n);
    }

    /** The scalar shape {@code []}. */
    public static Shape scalar() { return SCALAR; }

    /** Number of dimensions. */
    public int rank() { return dims.length; }

    /** Dimension {@code i}, outermost first. */
    public long dim(int i) { return dims[i]; }

    /** A copy of the dimensions. */
    public long[] dims() { return dims.clone(); }

    /** Product of the dimensions (1 for a scalar). */
    public long elementCount() { return elementCount; }

    /** Elements in one step of the first dimension: the product of all but the first (1 for rank ≤ 1). */
    public long rowStride() {
        if (dims.length == 0) return 1;
        return dims[0] == 0 ? innerProduct() : elementCount / dims[0];
    }

    private long innerProduct() {
        long n = 1;
        for (int i = 1; i < dims.length; i++) n = Math.multiplyExact(n, dims[i]);
        return n;
    }

    /** The same shape with the first dimension replaced. */
    public Shape withFirstDim(long first) {
        if (dims.length == 0) throw new IllegalStateException("a scalar has no first dimension");
        long[] d = dims.clone();
        d[0] = first;
        return of(d);
    }

    /** Bytes this shape takes in the given type (see {@link DType#byteSize(long)}). */
    public long byteSize(DType dtype) { return dtype.byteSize(elementCount); }

    @Override public boolean equals(Object o) { return o instanceof Shape s && Arrays.equals(dims, s.dims); }
    @Override public int hashCode() { return Arrays.hashCode(dims); }
    /** The shape as {@code [2, 3]}. */
    @Override public String toString() { return Arrays.toString(dims); }
}
