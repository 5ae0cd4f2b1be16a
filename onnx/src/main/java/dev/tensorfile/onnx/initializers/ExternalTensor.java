package dev.tensorfile.onnx.initializers;

import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.SegmentTensor;

import java.lang.foreign.MemorySegment;

/** A tensor whose bytes lie in an external file, mapped in place. */
public final class ExternalTensor extends SegmentTensor {
    final ExternalData data;
    /** The TensorProto that points at the data (errors name it). */
    final TensorProto proto;

    ExternalTensor(TensorInfo info, MemorySegment bytes, MappedFile owner, ExternalData data, TensorProto proto) {
        super(info, bytes, owner);
        this.data = data;
        this.proto = proto;
    }

    /** The {@code external_data} entries this tensor's data was found by. */
    public ExternalData data() { return data; }
}
