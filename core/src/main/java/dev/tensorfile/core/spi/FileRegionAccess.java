package dev.tensorfile.core.spi;

import java.util.Optional;

/**
 * A capability of tensors: "the file region of this tensor, if it is one". A converter asks it of every tensor
 * it keeps as it is, and copies a region it gets by the kernel; any tensor class can offer it, not only
 * {@link SegmentTensor} (as Lucene's {@code MemorySegmentAccessInput} is a capability of any input).
 */
public interface FileRegionAccess {
    /** The region of a mapped file that holds this tensor's bytes as they are, or empty if there is none now. */
    Optional<FileRegion> fileRegion();
}
