package dev.tensorfile.hdf5;

import dev.tensorfile.core.WriteOptions;

import java.util.Map;

/** The shared writer contract over the HDF5 writer with {@code --compress gzip}: chunked, shuffled, deflated. */
class Hdf5GzipWriterContractTest extends Hdf5WriterContractTest {
    @Override protected WriteOptions options() { return new WriteOptions(Map.of(WriteOptions.COMPRESS, "gzip")); }
}
