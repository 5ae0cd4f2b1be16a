package dev.tensorfile.gguf;

import dev.tensorfile.core.spi.BigEndian;
import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.spi.DecodedTensor;
import dev.tensorfile.core.spi.MappedFile;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A tensor of a big-endian GGUF file whose data holds multi-byte numbers: scalars (F32, F16, BF16, F64, I16, I32,
 * I64), or the f16 fields of Q4_0, Q8_0, Q4_K and Q6_K blocks, which gguf-py's {@code gguf_convert_endian.py} (the
 * tool that makes big-endian files) swaps. The file holds them byte-swapped, and {@link Tensor#bytes()} promises
 * little-endian bytes, so this is a decode, not a view. A range read swaps only the elements or blocks it touches;
 * {@link #bytes()} swaps the whole tensor once into memory owned by the file's arena, released when the file is
 * closed.
 */
final class ByteSwappedTensor extends DecodedTensor {

    private final MemorySegment stored;
    /** The file {@link #stored} is a slice of: a remote one fetches what a read decodes first. */
    private final MappedFile file;
    private final ValueLayout bigEndian;
    private final ValueLayout littleEndian;
    /** Bytes of one element, or of one block. */
    private final int elementBytes;
    /** For a block type, where its f16 fields lie in each block; null for a scalar type. */
    private final int[] halfFields;

    ByteSwappedTensor(TensorInfo info, MemorySegment stored, MappedFile owner, ReadLimits limits) {
        super(info, owner, GgufFormat.NAME, limits);
        this.stored = stored;
        this.file = owner;
        this.elementBytes = info.dtype().blockBytes();
        this.halfFields = halfFields(info.dtype());
        ValueLayout layout = halfFields != null ? ValueLayout.JAVA_BYTE : switch (elementBytes) {
            case 2 -> ValueLayout.JAVA_SHORT_UNALIGNED;
            case 4 -> ValueLayout.JAVA_INT_UNALIGNED;
            case 8 -> ValueLayout.JAVA_LONG_UNALIGNED;
            default -> throw new IllegalArgumentException(info.dtype() + " needs no byte swap");
        };
        this.bigEndian = layout.withOrder(ByteOrder.BIG_ENDIAN);
        this.littleEndian = layout.withOrder(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The offsets of the f16 fields in one block that {@code gguf_convert_endian.py} swaps ({@code byteswap_q4_0},
     * {@code _q8_0}, {@code _q4_k}, {@code _q6_k}: the scale {@code d} first, Q4_K's {@code dmin} after it, Q6_K's
     * {@code d} last); MXFP4 and NVFP4 have no multi-byte field. Null for a type the tool does not convert.
     */
    static int[] halfFields(DType type) {
        return switch (type) {
            case Q4_0, Q8_0 -> new int[] {0};
            case Q4_K -> new int[] {0, 2};
            case Q6_K -> new int[] {208};
            default -> null;
        };
    }

    /** True for the types a big-endian file stores swapped. */
    static boolean needsSwap(TensorInfo info) {
        DType t = info.dtype();
        if (t.isQuantized()) return halfFields(t) != null;
        return t.isByteAligned() && t.blockBytes() > 1;
    }

    /** True for the types a big-endian file may hold: those gguf_convert_endian.py converts, and single bytes. */
    static boolean readableBigEndian(DType t) {
        return !t.isQuantized() || halfFields(t) != null || t == DType.MXFP4 || t == DType.NVFP4;
    }

    @Override
    protected void decode(long byteOffset, MemorySegment dst) {
        long length = dst.byteSize();
        if (file.isRemote()) {
            long from = byteOffset - byteOffset % elementBytes;
            long to = Math.min(stored.byteSize(), (byteOffset + length + elementBytes - 1) / elementBytes * elementBytes);
            file.require(file.offsetOf(stored) + from, to - from);
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
        if (halfFields == null) {
            MemorySegment.copy(stored, bigEndian, srcOffset, dst, littleEndian, dstOffset, elements);
            return;
        }
        MemorySegment.copy(stored, srcOffset, dst, dstOffset, elements * elementBytes);
        for (long b = 0; b < elements; b++) {
            long block = b * elementBytes;
            for (int f : halfFields) {
                dst.set(LittleEndian.SHORT, dstOffset + block + f, stored.get(BigEndian.SHORT, srcOffset + block + f));
            }
        }
    }
}
