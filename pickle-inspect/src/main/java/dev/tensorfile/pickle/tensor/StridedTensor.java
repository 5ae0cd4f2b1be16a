package dev.tensorfile.pickle.tensor;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.spi.DecodedTensor;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.SegmentTensor;

import java.lang.foreign.MemorySegment;

/**
 * A tensor rebuilt from a storage, an element offset, a shape and strides (torch {@code _rebuild_tensor_v2},
 * numpy's strides in elements). A row-major contiguous tensor over mapped little-endian bytes is a zero-copy view;
 * any other layout (transposed, every other column, stride-0 expansion, Fortran order, big-endian) is gathered in
 * row-major order on read.
 */
final class StridedTensor extends DecodedTensor {
    private final ByteSource storage;
    private final long offset;
    private final long[] shape;
    private final long[] stride;
    private final int elementSize;
    private final boolean swap;
    private final boolean contiguous;

    /**
     * @param offset the first element's index in the storage
     * @param swap true when the storage holds big-endian elements
     */
    StridedTensor(TensorInfo info, ByteSource storage, long offset, long[] shape, long[] stride, boolean swap,
            MappedFile owner, String format, ReadLimits limits) {
        super(info, owner, format, limits);
        this.storage = storage;
        this.offset = offset;
        this.shape = shape.clone();
        this.stride = stride.clone();
        this.elementSize = info.dtype().blockBytes();
        this.swap = swap && componentSize() > 1;
        this.contiguous = isRowMajor(shape, stride);
    }

    /**
     * The tensor over {@code storage}: a {@link SegmentTensor} when its bytes lie in {@code file} as they are (a
     * row-major contiguous, little-endian view of a STORED zip entry, a legacy storage or an {@code .npy} body), so
     * that conversion can hand them to the writer as a kernel copy of a file region; else a {@link StridedTensor}
     * that gathers (non-contiguous views), inflates (deflated entries) or swaps (big-endian storages) on read.
     *
     * @param file the mapping of the file as it is on disk: bytes of any other mapping (an inflated temporary file,
     *     already deleted) or of the heap stay {@code StridedTensor}s
     * @param limits bound {@link #bytes()}: a stride of 0 lets a tiny storage claim any size
     */
    static Tensor of(TensorInfo info, ByteSource storage, long offset, long[] shape, long[] stride, boolean swap,
            MappedFile file, String format, ReadLimits limits) {
        StridedTensor t = new StridedTensor(info, storage, offset, shape, stride, swap, file, format, limits);
        if (storage instanceof ByteSource.Deferred d) {
            return new DeferredTensor(info, t.isView(), file, () -> of(info, d.located(), offset, shape, stride, swap, file, format, limits));
        }
        if (!t.isView()) return t;
        MemorySegment data = storage.view().asSlice(offset * t.elementSize, info.byteLength());
        MemorySegment whole = file.dataSlice(0, file.size()); // only compared: nothing fetched
        boolean inFile = data.isNative() && whole.isNative() && data.address() >= whole.address()
                && data.address() + data.byteSize() <= whole.address() + whole.byteSize();
        return inFile ? new SegmentTensor(info, data, file) : t;
    }

    /**
     * Checks that every element the view can reach lies inside the storage; the error names the extent. Returns null
     * when it does, else what is wrong.
     */
    static String checkExtent(long storageElements, long offset, long[] shape, long[] stride) {
        if (shape.length != stride.length) return "size has " + shape.length + " dimensions but stride has " + stride.length;
        if (offset < 0) return "negative storage offset " + offset;
        try {
            long last = offset;
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0) return "negative size " + shape[i];
                if (stride[i] < 0) return "negative stride " + stride[i];
                if (shape[i] == 0) return null;
                last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
            }
            if (last >= storageElements) {
                return "the view reaches element " + last + " of a storage of " + storageElements + " elements";
            }
            return null;
        } catch (ArithmeticException e) {
            return "the view's extent overflows";
        }
    }

    private static boolean isRowMajor(long[] shape, long[] stride) {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 0) return true;
            if (shape[i] != 1 && stride[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    private int componentSize() {
        return info().dtype() == DType.C64 ? 4 : info().dtype() == DType.C128 ? 8 : elementSize;
    }

    @Override public boolean isView() { return contiguous && !swap && storage.viewable(); }

    @Override
    public MemorySegment bytes() {
        ensureOpen();
        if (isView()) return storage.view().asSlice(offset * elementSize, info().byteLength());
        return super.bytes();
    }

    @Override
    protected void decode(long byteOffset, MemorySegment dst) {
        long len = dst.byteSize();
        if (contiguous && !swap) {
            storage.read(offset * elementSize + byteOffset, dst);
            return;
        }
        long firstElement = byteOffset / elementSize;
        long endElement = (byteOffset + len + elementSize - 1) / elementSize;
        int chunkElements = Math.max(1, (1 << 20) / elementSize);
        byte[] buf = new byte[(int) Math.min((long) chunkElements, endElement - firstElement) * elementSize];
        MemorySegment bufSeg = MemorySegment.ofArray(buf);
        long[] index = unravel(firstElement);
        long written = 0;
        for (long e = firstElement; e < endElement; ) {
            int n = (int) Math.min(chunkElements, endElement - e);
            for (int k = 0; k < n; k++) {
                long at = offset;
                for (int d = 0; d < shape.length; d++) at += index[d] * stride[d];
                storage.read(at * elementSize, bufSeg.asSlice((long) k * elementSize, elementSize));
                for (int d = shape.length - 1; d >= 0; d--) {
                    if (++index[d] < shape[d]) break;
                    index[d] = 0;
                }
            }
            if (swap) swapInPlace(buf, n);
            long chunkStartByte = e * elementSize;
            long from = Math.max(byteOffset, chunkStartByte);
            long to = Math.min(byteOffset + len, chunkStartByte + (long) n * elementSize);
            MemorySegment.copy(bufSeg, from - chunkStartByte, dst, written, to - from);
            written += to - from;
            e += n;
        }
    }

    private long[] unravel(long element) {
        long[] index = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 0) return index;
            index[d] = element % shape[d];
            element /= shape[d];
        }
        return index;
    }

    private void swapInPlace(byte[] buf, int elements) {
        int w = componentSize();
        for (int base = 0; base < elements * elementSize; base += w) {
            for (int i = 0, j = w - 1; i < j; i++, j--) {
                byte t = buf[base + i];
                buf[base + i] = buf[base + j];
                buf[base + j] = t;
            }
        }
    }
}
