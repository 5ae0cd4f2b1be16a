package dev.tensorfile.hdf5;

import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.WriteOptions;
import dev.tensorfile.core.spi.AbstractTensorWriter;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

final class Hdf5Writer extends AbstractTensorWriter {
    Hdf5Writer(Path destination, WriteOptions options) { super(destination, "hdf5"); }
    @Override protected List<TensorInfo> plan(Metadata metadata, List<TensorInfo> tensors) { throw new UnsupportedOperationException(); }
    @Override protected void writeData(TensorInfo tensor, MemorySegment chunk) {}
    @Override protected void commit() {}
    @Override protected void discard() {}
}
