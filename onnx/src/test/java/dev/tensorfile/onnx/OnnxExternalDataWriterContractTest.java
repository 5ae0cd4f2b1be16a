package dev.tensorfile.onnx;

import dev.tensorfile.core.WriteOptions;

import java.nio.file.Path;
import java.util.Map;

/** The shared writer contract over the ONNX writer with {@code --external-data}: the model and its data, one set. */
class OnnxExternalDataWriterContractTest extends OnnxWriterContractTest {
    @Override protected WriteOptions options() { return new WriteOptions(Map.of(WriteOptions.EXTERNAL_DATA, "true")); }

    @Override
    protected boolean isPartOf(Path destination, Path file) {
        return file.getFileName().toString().equals(destination.getFileName() + ".data");
    }
}
