package dev.tensorfile.onnx;

import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.spi.MappedFile;

import java.lang.foreign.MemorySegment;

/**
 * A tensor whose bytes the file does not store as they are (typed fields, string_data, sparse initializers):
 * decoded once, on first use, into memory owned by the file's arena and released when it closes.
 */
class DecodedTensor implements Tensor {
    /** Writes the tensor's whole data into a segment of exactly its byte length. */
    interface Decoder {
        void decode(MemorySegment out);
    }

    private final TensorInfo info;
    private final MappedFile owner;
    private final Decoder decoder;
    private volatile MemorySegment decoded;

    DecodedTensor(TensorInfo info, MappedFile owner, Decoder decoder) {
        this.info = info;
        this.owner = owner;
        this.decoder = decoder;
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
                    MemorySegment out = owner.arena().allocate(Math.max(1, info.byteLength()), 8).asSlice(0, info.byteLength());
                    decoder.decode(out);
                    decoded = d = out;
                }
            }
        }
        return d;
    }

    @Override
    public void readBytes(long byteOffset, MemorySegment dst) {
        MemorySegment all = bytes();
        MemorySegment.copy(all, byteOffset, dst, 0, dst.byteSize());
    }

    void ensureOpen() {
        if (!owner.isOpen()) {
            throw new IllegalStateException("tensor '" + info.name() + "' used after " + owner.path() + " was closed");
        }
    }

    @Override public String toString() { return info.toString(); }
}
