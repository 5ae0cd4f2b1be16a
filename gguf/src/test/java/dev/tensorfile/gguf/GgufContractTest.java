package dev.tensorfile.gguf;

import dev.tensorfile.testframework.Fixtures;
import dev.tensorfile.testframework.TensorFileContract;

import java.nio.file.Path;
import java.util.List;

/** The shared file contract over every GGUF fixture (the first shard of the split opens the whole set). */
class GgufContractTest extends TensorFileContract {
    private static final Fixtures FIXTURES = Fixtures.resources("gguf");

    @Override
    protected List<Path> files() { return FIXTURES.files(".gguf"); }
}
