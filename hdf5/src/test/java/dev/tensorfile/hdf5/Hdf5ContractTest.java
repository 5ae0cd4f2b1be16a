package dev.tensorfile.hdf5;

import dev.tensorfile.testframework.Fixtures;
import dev.tensorfile.testframework.TensorFileContract;

import java.nio.file.Path;
import java.util.List;

/** The core contract over every HDF5 and Keras fixture. */
class Hdf5ContractTest extends TensorFileContract {
    private static final Fixtures FIXTURES = Fixtures.resources("hdf5");

    @Override
    protected List<Path> files() { return FIXTURES.excluding("gen/hostile").filesWithManifest(); }
}
