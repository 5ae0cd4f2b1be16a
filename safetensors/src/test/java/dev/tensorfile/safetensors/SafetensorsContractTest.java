package dev.tensorfile.safetensors;

import dev.tensorfile.testframework.TensorFileContract;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The core contract over every safetensors fixture, and over the sharded set through its index. */
class SafetensorsContractTest extends TensorFileContract {
    @Override
    protected List<Path> files() {
        List<Path> files = new ArrayList<>(Fixtures.safetensorsFiles());
        files.add(Fixtures.files().resolve("dv-shards/model.safetensors.index.json"));
        return files;
    }
}
