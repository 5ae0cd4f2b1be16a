package dev.tensorfile.pickle;

import dev.tensorfile.testframework.TensorFileContract;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The core contract over every benign fixture: PyTorch zip, legacy, TorchScript, pickles, joblib, npy. */
class PickleContractTest extends TensorFileContract {
    @Override
    protected List<Path> files() {
        List<Path> all = new ArrayList<>(Fixtures.files("pytorch"));
        all.addAll(Fixtures.files("pickle/benign"));
        return all;
    }
}
