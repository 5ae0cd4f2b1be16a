package dev.tensorfile.onnx;

import dev.tensorfile.testframework.TensorFileContract;

import java.nio.file.Path;
import java.util.List;

/** The core contract over every fixture model. */
class OnnxContractTest extends TensorFileContract {
    @Override
    protected List<Path> files() { return Fixtures.models(); }
}
