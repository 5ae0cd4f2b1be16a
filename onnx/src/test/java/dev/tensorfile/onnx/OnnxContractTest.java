package dev.tensorfile.onnx;

import dev.tensorfile.core.TensorFileContractTest;

import java.nio.file.Path;
import java.util.List;

/** The core contract over every fixture model. */
class OnnxContractTest extends TensorFileContractTest {
    @Override
    protected List<Path> files() { return Fixtures.models(); }
}
