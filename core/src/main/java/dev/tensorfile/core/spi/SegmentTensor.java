package dev.tensorfile.core.spi;

import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorInfo;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A tensor whose data lies in the file as it is: a zero-copy view of a {@link MappedFile}'s segment, at any
 * (even unaligned) offset. Of a remote file, the bytes are fetched when first read ({@link MappedFile#require}). Use after the file is closed fails with an {@link IllegalStateException} naming the
 * tensor and the file.
 */
public class SegmentTensor implements Tensor, FileRegionAccess {
    private final TensorInfo info;
    private final MemorySegment data;
    private final MappedFile owner;

    /**
     * @param info the tensor; {@code info.byteLength()} must equal {@code data.byteSize()}
     * @param data the tensor's bytes, a slice of {@code owner}'s segment
     * @param owner the mapping the slice belongs to
     */
    public SegmentTensor(TensorInfo info, MemorySegment data, MappedFile owner) {
        this.info = Objects.requireNonNull(info);
        this.data = Objects.requireNonNull(data);
        this.owner = Objects.requireNonNull(owner);
        if (data.byteSize() != info.byteLength()) {
            throw new IllegalArgumentException(info.name() + ": " + data.byteSize() + " bytes for a tensor of "
                    + info.byteLength());
        }
    }

    @Override public TensorInfo info() { return info; }

    @Override public boolean isView() { return true; }

    @Override
    public MemorySegment bytes() {
        ensureOpen();
        owner.require(data); // a remote file fetches the tensor now, when it is read; nothing for a local one
        return data;
    }

    @Override
    public void readBytes(long byteOffset, MemorySegment dst) {
        ensureOpen();
        java.util.Objects.checkFromIndexSize(byteOffset, dst.byteSize(), data.byteSize());
        if (owner.isRemote()) owner.require(owner.offsetOf(data) + byteOffset, dst.byteSize());
        MemorySegment.copy(data, byteOffset, dst, 0, dst.byteSize());
    }

    /** The file this tensor's bytes lie in, as they are. */
    public Path file() { return owner.path(); }

    /** Where this tensor's bytes start in {@link #file()}. */
    public long fileOffset() {
        ensureOpen();
        return owner.offsetOf(data);
    }

    /** The mapping this tensor is a view of. */
    public MappedFile mapping() { return owner; }

    /** This tensor's bytes in {@link #mapping()}; empty once the file is closed. */
    @Override
    public Optional<FileRegion> fileRegion() {
        if (!owner.isOpen()) return Optional.empty();
        return Optional.of(new FileRegion(owner, owner.offsetOf(data), data.byteSize()));
    }

    /** Throws if the file is closed. */
    protected void ensureOpen() {
        owner.ensureOpen(info.name());
    }

    @Override public String toString() { return info.toString(); }
}
