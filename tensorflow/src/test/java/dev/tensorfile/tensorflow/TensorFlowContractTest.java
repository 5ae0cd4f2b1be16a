package dev.tensorfile.tensorflow;

import dev.tensorfile.testframework.Fixtures;
import dev.tensorfile.testframework.TensorFileContract;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The core contract over every fixture, opened as a SavedModel directory, as a .index file and as a prefix. */
class TensorFlowContractTest extends TensorFileContract {
    private static final Fixtures FIXTURES = Fixtures.resources("tensorflow");

    @Override
    protected List<Path> files() {
        List<Path> out = new ArrayList<>();
        for (Path m : FIXTURES.find(p -> p.endsWith("00000123"))) {
            out.add(m);
            out.add(m.resolve("variables/variables.index"));
            out.add(m.resolve("variables/variables"));
        }
        return out;
    }
}
