package dev.tensorfile.hdf5;

import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.TensorFormat;
import dev.tensorfile.testframework.TensorWriterContract;

/** The shared writer contract over the HDF5 writer, contiguous layout; metadata are root attributes of every type. */
class Hdf5WriterContractTest extends TensorWriterContract {
    @Override protected TensorFormat format() { return new Hdf5Format(); }

    @Override protected String fileName() { return "model.h5"; }

    @Override protected Metadata metadata() { return everyValueType(); }
}
