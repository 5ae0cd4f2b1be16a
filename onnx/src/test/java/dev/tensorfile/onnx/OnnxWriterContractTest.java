package dev.tensorfile.onnx;

import dev.tensorfile.core.TensorFormat;
import dev.tensorfile.testframework.TensorWriterContract;

/** The shared writer contract over the ONNX writer (weights-only models; metadata_props holds strings). */
class OnnxWriterContractTest extends TensorWriterContract {
    @Override protected TensorFormat format() { return new OnnxFormat(); }

    @Override protected String fileName() { return "model.onnx"; }

    /** A weights-only model is useful without the tensors ONNX has no type for: they are left out with a note. */
    @Override protected boolean refusesUnstorableTypes() { return false; }
}
