package dev.tensorfile.pickle.tensor;

import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.spi.FileRegion;
import dev.tensorfile.core.spi.FileRegionAccess;
import dev.tensorfile.core.spi.MappedFile;

import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A tensor of a remote archive whose storage record is located when the tensor is first used: where a ZIP entry's
 * bytes start is in its local header, beside the data, and fetching every storage's header at open would cost one
 * request per storage. Its name, type, shape and whether it is a view are known at open; everything else goes to
 * the tensor built on first use.
 */
final class DeferredTensor implements Tensor, FileRegionAccess {
    private final TensorInfo info;
    private final boolean view;
    private final MappedFile owner;
    private final Supplier<Tensor> build;
    private volatile Tensor tensor;

    DeferredTensor(TensorInfo info, boolean view, MappedFile owner, Supplier<Tensor> build) {
        this.info = info;
        this.view = view;
        this.owner = owner;
        this.build = build;
    }

    private Tensor tensor() {
        owner.ensureOpen(info.name());
        Tensor t = tensor;
        if (t == null) {
            synchronized (this) {
                if (tensor == null) tensor = build.get();
                t = tensor;
            }
        }
        return t;
    }

    @Override public TensorInfo info() { return info; }
    @Override public boolean isView() { return view; }
    @Override public MemorySegment bytes() { return tensor().bytes(); }
    @Override public void readBytes(long byteOffset, MemorySegment dst) { tensor().readBytes(byteOffset, dst); }
    @Override public void readFloats(long first, float[] dst, int offset, int count) { tensor().readFloats(first, dst, offset, count); }

    @Override
    public void readFloats(long first, MemorySegment dst, long dstOffset, int count) {
        tensor().readFloats(first, dst, dstOffset, count);
    }

    @Override public Tensor slice(long from, long to) { return tensor().slice(from, to); }

    @Override
    public Optional<FileRegion> fileRegion() {
        return tensor() instanceof FileRegionAccess a ? a.fileRegion() : Optional.empty();
    }

    @Override public String toString() { return "DeferredTensor[" + info + "]"; }
}
