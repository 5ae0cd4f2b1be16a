/**
 * ONNX for tensorfile: a lazy, zero-copy reader of {@code .onnx} models of any size (our own protobuf wire reader,
 * external data mapped in place) and a streaming writer. Plugs into {@link dev.tensorfile.core.TensorFiles} through
 * {@link dev.tensorfile.onnx.OnnxFormat}.
 */
module dev.tensorfile.onnx {
    requires transitive dev.tensorfile.core;

    exports dev.tensorfile.onnx;

    provides dev.tensorfile.core.TensorFormat with dev.tensorfile.onnx.OnnxFormat;
}
