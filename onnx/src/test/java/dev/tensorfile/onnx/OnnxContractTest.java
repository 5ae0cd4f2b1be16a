package dev.tensorfile.onnx;

import dev.tensorfile.testframework.Fixtures;
import dev.tensorfile.testframework.TensorFileContract;

import java.nio.file.Path;
import java.util.List;

/** The core contract over every fixture model. */
class OnnxContractTest extends TensorFileContract {
    private static final Fixtures FIXTURES = Fixtures.resources("onnx");

    @Override
    protected List<Path> files() { return FIXTURES.excluding("gen/nesting").files(".onnx"); }
}
