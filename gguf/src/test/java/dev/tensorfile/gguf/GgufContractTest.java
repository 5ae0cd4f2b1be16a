package dev.tensorfile.gguf;

import dev.tensorfile.testframework.TensorFileContract;

import java.nio.file.Path;
import java.util.List;

/** The shared file contract over every GGUF fixture (the first shard of the split opens the whole set). */
class GgufContractTest extends TensorFileContract {
    @Override
    protected List<Path> files() { return Fixtures.files(); }
}
