/**
 * Where an ONNX model's tensors lie and how their bytes are read: the {@code TensorProto} and
 * {@code SparseTensorProto} structures (indexed without touching data, {@link
 * dev.tensorfile.onnx.initializers.InitializerProbe} for the headers behind long fields), the values of
 * {@code Constant} nodes ({@link dev.tensorfile.onnx.initializers.ConstantNode}), the element types ({@link
 * dev.tensorfile.onnx.initializers.DataType}), and {@link dev.tensorfile.onnx.initializers.InitializerTensors},
 * which turns each into a core {@code Tensor} under onnx's {@code check_tensor} rules: a view of the mapping
 * where the file stores the bytes as they are, a decoder for typed fields ({@code TypedData}), string entries
 * ({@code StringTensor}) and sparse tensors, and a view of an external file ({@code ExternalFiles},
 * {@code ExternalData}, {@code ExternalTensor}).
 *
 * <p>Not exported: the module's API is {@code dev.tensorfile.onnx}. Classes here are public only so that the graph
 * structures and the writer one package up can use them.
 */
package dev.tensorfile.onnx.initializers;
