package dev.tensorfile.gguf;

import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.spi.MappedFile;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A tensor of a big-endian GGUF file whose elements are multi-byte scalars (F32, F16, BF16, F64, I16, I32, I64):
 * the file holds them byte-swapped, and {@link Tensor#bytes()} promises little-endian bytes, so this is a decode,
 * not a view. A range read swaps only the elements it touches; {@link #bytes()} swaps the whole tensor once into
 * memory owned by the file's arena, released when the file is closed.
 */
final class ByteSwappedTensor implements Tensor {
    private final TensorInfo info;
    private final MemorySegment stored;
    private final MappedFile owner;
    private final ValueLayout bigEndian;
    private final ValueLayout littleEndian;
    private final int elementBytes;
    private volatile MemorySegment decoded;

    ByteSwappedTensor(TensorInfo info, MemorySegment stored, MappedFile owner) {
        this.info = info;
        this.stored = stored;
        this.owner = owner;
        this.elementBytes = info.dtype().blockBytes();
        ValueLayout layout = switch (elementBytes) {
            case 2 -> ValueLayout.JAVA_SHORT_UNALIGNED;
            case 4 -> ValueLayout.JAVA_INT_UNALIGNED;
            case 8 -> ValueLayout.JAVA_LONG_UNALIGNED;
            default -> throw new IllegalArgumentException(info.dtype() + " needs no byte swap");
        };
        this.bigEndian = layout.withOrder(ByteOrder.BIG_ENDIAN);
        this.littleEndian = layout.withOrder(ByteOrder.LITTLE_ENDIAN);
    }

    /** True for the element types a big-endian file stores swapped. */
    static boolean needsSwap(TensorInfo info) {
        return info.dtype().isByteAligned() && info.dtype().blockBytes() > 1 && !info.dtype().isQuantized();
    }

    @Override public TensorInfo info() { return info; }

    @Override public boolean isView() { return false; }

    @Override
    public MemorySegment bytes() {
        ensureOpen();
        MemorySegment d = decoded;
        if (d == null) {
            synchronized (this) {
                d = decoded;
                if (d == null) {
                    long n = info.byteLength();
                    d = owner.arena().allocate(Math.max(1, n), 8).asSlice(0, n);
                    swap(0, d, 0, n / elementBytes);
                    decoded = d;
                }
            }
        }
        return d;
    }

    @Override
    public void readBytes(long byteOffset, MemorySegment dst) {
        ensureOpen();
        long length = dst.byteSize();
        if (byteOffset < 0 || length > info.byteLength() - byteOffset) {
            throw new IndexOutOfBoundsException(info.name() + ": bytes [" + byteOffset + ", " + (byteOffset + length)
                    + ") outside " + info.byteLength());
        }
        if (byteOffset % elementBytes == 0 && length % elementBytes == 0) {
            swap(byteOffset, dst, 0, length / elementBytes);
            return;
        }
        // A range that cuts elements: swap the whole elements it touches, then copy the part asked for.
        long first = byteOffset - byteOffset % elementBytes;
        long end = byteOffset + length;
        long last = end + (elementBytes - end % elementBytes) % elementBytes;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tmp = arena.allocate(last - first);
            swap(first, tmp, 0, (last - first) / elementBytes);
            MemorySegment.copy(tmp, byteOffset - first, dst, 0, length);
        }
    }

    private void swap(long srcOffset, MemorySegment dst, long dstOffset, long elements) {
        MemorySegment.copy(stored, bigEndian, srcOffset, dst, littleEndian, dstOffset, elements);
    }

    private void ensureOpen() {
        if (!owner.isOpen()) {
            throw new IllegalStateException("tensor '" + info.name() + "' used after " + owner.path() + " was closed");
        }
    }

    @Override public String toString() { return info.toString(); }
}
