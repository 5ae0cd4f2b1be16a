package dev.tensorfile.gguf.kernels;

import dev.tensorfile.core.DType;

/**
 * One implementation of the kernels: {@link ScalarDots} (plain Java, the default) or {@code PanamaDots} (Vector
 * API), chosen once by {@link DotChoice}.
 */
interface Dots {
    /** {@code scalar} or {@code panama}, as the dequantizers name theirs. */
    String name();

    /** The kernel for {@code type}; every type of {@link QuantizedKernels#TYPES} has one. */
    DotKernel kernel(DType type);

    /**
     * The longest chain of float32 roundings any one product goes through in a dot product of {@code n} products
     * (the {@code h} of the bound documented on {@link QuantizedKernels}).
     */
    long roundings(long n);
}
