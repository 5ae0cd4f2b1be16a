package dev.tensorfile.gguf;

import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.TensorFormat;
import dev.tensorfile.testframework.TensorWriterContract;

/** The shared writer contract over the GGUF writer: every ggml block type, and typed key/values of every type. */
class GgufWriterContractTest extends TensorWriterContract {
    @Override protected TensorFormat format() { return new GgufFormat(); }

    @Override protected String fileName() { return "model.gguf"; }

    @Override protected Metadata metadata() { return everyValueType(); }
}
