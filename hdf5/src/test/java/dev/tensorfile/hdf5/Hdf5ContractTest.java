package dev.tensorfile.hdf5;

import dev.tensorfile.core.TensorFileContractTest;

import java.nio.file.Path;
import java.util.List;

/** The core contract over every HDF5 and Keras fixture. */
class Hdf5ContractTest extends TensorFileContractTest {
    @Override
    protected List<Path> files() { return Fixtures.files(); }
}
