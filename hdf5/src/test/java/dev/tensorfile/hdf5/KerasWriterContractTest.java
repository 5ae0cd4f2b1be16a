package dev.tensorfile.hdf5;

import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.TensorFormat;
import dev.tensorfile.testframework.TensorWriterContract;

/** The shared writer contract over the Keras 3 archive writer; {@code keras.config} becomes config.json. */
class KerasWriterContractTest extends TensorWriterContract {
    @Override protected TensorFormat format() { return new KerasFormat(); }

    @Override protected String fileName() { return "model.keras"; }

    @Override
    protected Metadata metadata() {
        return Metadata.builder().putAll(everyValueType()).put(KerasWriter.CONFIG_KEY, "{\"class_name\": \"Sequential\"}").build();
    }
}
