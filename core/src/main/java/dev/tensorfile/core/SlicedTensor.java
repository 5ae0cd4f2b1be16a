package dev.tensorfile.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Rows {@code [from, to)} of another tensor's first dimension; a view when the parent is one. */
final class SlicedTensor implements Tensor {
    private final Tensor parent;
    private final TensorInfo info;
    private final long byteOffset;

    private SlicedTensor(Tensor parent, TensorInfo info, long byteOffset) {
        this.parent = parent;
        this.info = info;
        this.byteOffset = byteOffset;
    }

    /**
     * Rows {@code [from, to)} of {@code parent}.
     *
     * @throws IllegalArgumentException if {@code parent} is a scalar or a string tensor, the range is outside the
     *     first dimension, or a row is not a whole number of blocks
     */
    public static Tensor of(Tensor parent, long from, long to) {
        TensorInfo p = parent.info();
        if (p.shape().rank() == 0) throw new IllegalArgumentException(p.name() + ": a scalar cannot be sliced");
        if (p.dtype() == dev.tensorfile.core.DType.STRING) {
            throw new IllegalArgumentException(p.name() + ": STRING tensors are not sliced by bytes");
        }
        long rows = p.shape().dim(0);
        if (from < 0 || to < from || to > rows) {
            throw new IllegalArgumentException(p.name() + ": rows [" + from + ", " + to + ") outside [0, " + rows + ")");
        }
        long rowElements = p.shape().rowStride();
        if (rowElements % p.dtype().blockElements() != 0) {
            throw new IllegalArgumentException(p.name() + ": a row of " + rowElements + " elements is not a whole "
                    + "number of " + p.dtype() + " blocks");
        }
        long rowBytes = p.dtype().byteSize(rowElements);
        TensorInfo info = TensorInfo.of(p.name(), p.dtype(), p.shape().withFirstDim(to - from));
        return new SlicedTensor(parent, info, from * rowBytes);
    }

    @Override public TensorInfo info() { return info; }

    @Override public boolean isView() { return parent.isView(); }

    @Override
    public MemorySegment bytes() {
        if (parent.isView()) return parent.bytes().asSlice(byteOffset, info.byteLength());
        // A decode of part of a non-view tensor: owned by the garbage collector, not by the file. Its size comes
        // from the file's claim, so a failed reservation is the typed error DecodedTensor gives, not an OOM.
        MemorySegment copy;
        try {
            copy = Arena.ofAuto().allocate(Math.max(1, info.byteLength()), 8).asSlice(0, info.byteLength());
        } catch (OutOfMemoryError e) {
            throw new LimitExceededException(null, null, info.name(), info.byteLength(),
                    "more than the JVM can allocate (" + e.getMessage() + ")", e);
        }
        parent.readBytes(byteOffset, copy);
        return copy;
    }

    @Override
    public void readBytes(long offset, MemorySegment dst) {
        if (offset < 0 || offset + dst.byteSize() > info.byteLength()) {
            throw new IndexOutOfBoundsException(info.name() + ": bytes [" + offset + ", " + (offset + dst.byteSize())
                    + ") outside the slice of " + info.byteLength());
        }
        parent.readBytes(byteOffset + offset, dst);
    }

    @Override
    public Tensor slice(long from, long to) { return of(this, from, to); }
}
