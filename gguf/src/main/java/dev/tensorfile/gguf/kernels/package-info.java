/**
 * Kernels for JVM inference runtimes over GGUF weights, in place: a row view of a (block-quantized) matrix
 * ({@link dev.tensorfile.gguf.kernels.QuantizedMatrix}) and fused dot products and matrix–vector products of its
 * rows with float activations ({@link dev.tensorfile.gguf.kernels.QuantizedKernels}), for Q8_0, Q4_0, Q4_K, Q5_K,
 * Q6_K, F16, BF16 and F32, without dequantizing the matrix first.
 *
 * <pre>{@code
 * try (TensorFile file = TensorFiles.open(Path.of("model.gguf"))) {
 *     QuantizedMatrix wq = QuantizedMatrix.of(file.tensor("blk.0.attn_q.weight"));
 *     float[] x = new float[wq.columns()];
 *     float[] y = new float[(int) wq.rows()];
 *     QuantizedKernels.matVec(wq, x, y, null);   // rows split over the common pool
 * }
 * }</pre>
 *
 * <p>Two implementations, chosen once per JVM by the same rule as the dequantizers
 * ({@link dev.tensorfile.core.spi.VectorSupport}, property {@code tensorfile.quant}): plain Java that C2
 * vectorises (the default), and the Vector API when {@code jdk.incubator.vector} is in the boot layer. Both agree
 * with dequantize-then-dot (ggml's {@code dequantize_row_*} weights, summed exactly) within the float32
 * reordering bound documented on {@link dev.tensorfile.gguf.kernels.QuantizedKernels}; they are not bit-identical
 * to each other, since they add the same products in different orders.
 */
package dev.tensorfile.gguf.kernels;
