package dev.tensorfile.pickle;

import dev.tensorfile.testframework.Fixtures;
import dev.tensorfile.testframework.TensorFileContract;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The core contract over every benign fixture: PyTorch zip, legacy, TorchScript, pickles, joblib, npy. */
class PickleContractTest extends TensorFileContract {
    private static final Fixtures FIXTURES = Fixtures.resources("fixtures");

    @Override
    protected List<Path> files() {
        List<Path> all = new ArrayList<>(FIXTURES.folder("pytorch").files());
        all.addAll(FIXTURES.folder("pickle/benign").files());
        return all;
    }
}
