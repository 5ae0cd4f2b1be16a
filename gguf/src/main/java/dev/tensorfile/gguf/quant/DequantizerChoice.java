package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.spi.VectorSupport;

/**
 * Chooses the {@link Dequantizers} once per JVM from core's {@link VectorSupport} decision (system property
 * {@value VectorSupport#PROPERTY}, the same one that chooses core's F16/BF16 widening): the Vector API kernels
 * where it says so and the preferred species is 256 or 512 bits, the plain-Java ones ({@link StagedDequantizers},
 * named {@code scalar}) otherwise. An explicit {@code panama} that cannot be honoured fails at start-up
 * ({@link IllegalStateException} from the first codec use). The Panama class is loaded by name, so nothing here
 * links against the incubator module.
 */
final class DequantizerChoice {
    static final String VECTOR_MODULE = VectorSupport.VECTOR_MODULE;
    private static final String PANAMA_CLASS = "dev.tensorfile.gguf.quant.PanamaDequantizers";

    private DequantizerChoice() {}

    private static final class Holder {
        static final Dequantizers INSTANCE = choose(VectorSupport.mode());
    }

    /** The implementation chosen for this JVM. */
    static Dequantizers get() {
        return Holder.INSTANCE;
    }

    /** The decision for a value of the property; exposed for tests. */
    static Dequantizers choose(String mode) {
        return choose(VectorSupport.parse(mode));
    }

    static Dequantizers choose(VectorSupport.Mode mode) {
        // a named gguf module needs its own read edge to the incubator module (addReads is caller-sensitive)
        return VectorSupport.choose(mode, "dequantizers", m -> DequantizerChoice.class.getModule().addReads(m),
                () -> (Dequantizers) Class.forName(PANAMA_CLASS, true, DequantizerChoice.class.getClassLoader())
                        .getDeclaredMethod("create").invoke(null),
                StagedDequantizers.INSTANCE);
    }
}
