package dev.tensorfile.onnx;

import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.spi.MappedFile;

import java.lang.foreign.MemorySegment;

/**
 * A tensor whose bytes the file does not store as they are (typed fields, string_data, sparse initializers):
 * decoded once, on first use, into memory owned by the file's arena and released when it closes, or, for typed
 * fields, into a heap array: their decoded size is at most 8 times the field's bytes in the file, and the heap
 * reuses pages that the JVM already holds, where each fresh native allocation pays a page fault per 4 KiB
 * (most of the cost of decoding a 64 MiB tensor).
 */
class DecodedTensor implements Tensor {
    /** Writes the tensor's whole data into a segment of exactly its byte length. */
    interface Decoder {
        void decode(MemorySegment out);
    }

    /** A decoder that can also decode any byte range of the tensor on its own. */
    interface RangeDecoder extends Decoder {
        void read(long byteOffset, MemorySegment dst);
    }

    private final TensorInfo info;
    private final MappedFile owner;
    private final Decoder decoder;
    private final boolean heap;
    private volatile MemorySegment decoded;

    DecodedTensor(TensorInfo info, MappedFile owner, Decoder decoder) {
        this(info, owner, decoder, false);
    }

    /** @param heap decode into a heap byte[] when the tensor fits one (< 2 GiB; a byte[] so that asByteBuffer works) */
    DecodedTensor(TensorInfo info, MappedFile owner, Decoder decoder, boolean heap) {
        this.info = info;
        this.owner = owner;
        this.decoder = decoder;
        this.heap = heap && info.byteLength() <= Integer.MAX_VALUE - 8;
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
                    MemorySegment out = heap ? MemorySegment.ofArray(new byte[(int) n])
                            : owner.arena().allocate(Math.max(1, n), 8).asSlice(0, n);
                    decoder.decode(out);
                    decoded = d = out;
                }
            }
        }
        return d;
    }

    /**
     * Copies from the whole decoded tensor once {@link #bytes()} made it; before that, a decoder that can decode
     * ranges decodes only this one, so that reading a tensor in chunks never holds all of it.
     */
    @Override
    public void readBytes(long byteOffset, MemorySegment dst) {
        ensureOpen();
        java.util.Objects.checkFromIndexSize(byteOffset, dst.byteSize(), info.byteLength());
        MemorySegment all = decoded;
        if (all == null && decoder instanceof RangeDecoder ranges) {
            ranges.read(byteOffset, dst);
            return;
        }
        MemorySegment.copy(bytes(), byteOffset, dst, 0, dst.byteSize());
    }

    void ensureOpen() {
        if (!owner.isOpen()) {
            throw new IllegalStateException("tensor '" + info.name() + "' used after " + owner.path() + " was closed");
        }
    }

    @Override public String toString() { return info.toString(); }
}
