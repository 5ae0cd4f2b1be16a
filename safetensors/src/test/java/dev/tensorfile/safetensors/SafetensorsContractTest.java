package dev.tensorfile.safetensors;

import dev.tensorfile.testframework.Fixtures;
import dev.tensorfile.testframework.TensorFileContract;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The core contract over every safetensors fixture, and over the sharded set through its index. */
class SafetensorsContractTest extends TensorFileContract {
    private static final Fixtures FIXTURES = Fixtures.resources("interop");

    @Override
    protected List<Path> files() {
        List<Path> files = new ArrayList<>(FIXTURES.files(".safetensors"));
        files.add(FIXTURES.file("dv-shards/model.safetensors.index.json"));
        return files;
    }
}
