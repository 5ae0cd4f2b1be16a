package dev.tensorfile.onnx;

import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.SegmentTensor;

import java.lang.foreign.MemorySegment;

/** A tensor whose bytes lie in an external file, mapped in place. */
final class ExternalTensor extends SegmentTensor {
    final ExternalData data;

    ExternalTensor(TensorInfo info, MemorySegment bytes, MappedFile owner, ExternalData data) {
        super(info, bytes, owner);
        this.data = data;
    }
}
