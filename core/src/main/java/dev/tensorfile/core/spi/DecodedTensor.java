package dev.tensorfile.core.spi;

import dev.tensorfile.core.LimitExceededException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorInfo;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A tensor whose bytes the file does not hold as they are — byte-swapped, compressed, gathered from strides, spread
 * over typed fields — so that reading it decodes. A format implements {@link #decode}, which fills any byte range;
 * {@link #readBytes} decodes only the range asked for, and {@link #bytes()} decodes the whole tensor once into memory
 * that is released with the file ({@link #allocateWhole}), after which range reads copy from it. Use after the file
 * is closed fails with an {@link IllegalStateException} naming the tensor and the file, as {@link SegmentTensor}'s.
 *
 * <p>The size to decode is the file's claim, which may legally exceed what it stores (an HDF5 dataset with no chunks
 * written), so {@link #bytes()} refuses, with a {@link LimitExceededException} naming the file, the tensor and the
 * size, a tensor larger than {@link ReadLimits#maxWholeDecodeBytes()} or one whose memory cannot be reserved; range
 * reads are unaffected.
 */
public abstract class DecodedTensor implements Tensor {
    private final TensorInfo info;
    private final MappedFile owner;
    private final String format;
    private final long maxWholeBytes;
    private volatile MemorySegment whole;

    /**
     * @param info the tensor
     * @param owner the mapping the tensor is read from; its arena holds what {@link #bytes()} decodes
     * @param format the format name for error messages (may be null)
     * @param limits the file's limits, of which {@link ReadLimits#maxWholeDecodeBytes()} bounds {@link #bytes()}
     */
    protected DecodedTensor(TensorInfo info, MappedFile owner, String format, ReadLimits limits) {
        this.info = Objects.requireNonNull(info);
        this.owner = Objects.requireNonNull(owner);
        this.format = format;
        this.maxWholeBytes = limits.maxWholeDecodeBytes();
    }

    /** A tensor bounded by {@link ReadLimits#DEFAULT}, with no format name in its errors. */
    protected DecodedTensor(TensorInfo info, MappedFile owner) {
        this(info, owner, null, ReadLimits.DEFAULT);
    }

    @Override public TensorInfo info() { return info; }

    @Override public boolean isView() { return false; }

    @Override
    public MemorySegment bytes() {
        ensureOpen();
        MemorySegment w = whole;
        if (w == null) {
            synchronized (this) {
                w = whole;
                if (w == null) {
                    w = reserveWhole(info.byteLength());
                    decodeWhole(w);
                    whole = w;
                }
            }
        }
        return w;
    }

    @Override
    public void readBytes(long byteOffset, MemorySegment dst) {
        ensureOpen();
        long length = dst.byteSize();
        if (byteOffset < 0 || length > info.byteLength() - byteOffset) {
            throw new IndexOutOfBoundsException(info.name() + ": bytes [" + byteOffset + ", " + (byteOffset + length)
                    + ") outside " + info.byteLength());
        }
        MemorySegment w = whole;
        if (w != null) {
            MemorySegment.copy(w, byteOffset, dst, 0, length);
            return;
        }
        if (length > 0) decode(byteOffset, dst);
    }

    /**
     * Decodes the tensor's bytes {@code [byteOffset, byteOffset + dst.byteSize())} into {@code dst}. The range is
     * inside the tensor, not empty, and may cut elements.
     */
    protected abstract void decode(long byteOffset, MemorySegment dst);

    /** Decodes the whole tensor into {@code out} for {@link #bytes()}; by default the range read of all of it. */
    protected void decodeWhole(MemorySegment out) {
        if (out.byteSize() > 0) decode(0, out);
    }

    /**
     * {@link #allocateWhole} after checking the size against the limit, with a failed reservation (the JVM's
     * direct-memory limit, or the heap for a subclass that decodes into an array) turned into the typed error: the
     * allocation is one block that either happens or not, so its failure leaves nothing half-done to recover from.
     */
    private MemorySegment reserveWhole(long length) {
        if (length > maxWholeBytes) {
            throw new LimitExceededException(format, owner.path(), info.name(), length, "over the limit of "
                    + maxWholeBytes + " bytes (ReadLimits.maxWholeDecodeBytes)", null);
        }
        try {
            return allocateWhole(length);
        } catch (OutOfMemoryError e) {
            throw new LimitExceededException(format, owner.path(), info.name(), length,
                    "more than the JVM can allocate (" + e.getMessage() + ")", e);
        }
    }

    /** Memory of {@code length} bytes for the whole decoded tensor: by default from the file's arena. */
    protected MemorySegment allocateWhole(long length) {
        return owner.arena().allocate(Math.max(1, length), 16).asSlice(0, length);
    }

    /** The mapping this tensor is read from. */
    protected MappedFile owner() { return owner; }

    /** Throws if the file is closed. */
    protected void ensureOpen() {
        owner.ensureOpen(info.name());
    }

    @Override public String toString() { return info.toString(); }
}
