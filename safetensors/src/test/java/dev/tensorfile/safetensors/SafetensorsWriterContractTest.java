package dev.tensorfile.safetensors;

import dev.tensorfile.core.TensorFormat;
import dev.tensorfile.testframework.TensorWriterContract;

/** The shared writer contract over the safetensors writer (its {@code __metadata__} holds strings only). */
class SafetensorsWriterContractTest extends TensorWriterContract {
    @Override protected TensorFormat format() { return new SafetensorsFormat(); }

    @Override protected String fileName() { return "model.safetensors"; }
}
