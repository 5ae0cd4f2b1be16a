package dev.tensorfile.gguf.kernels;

import dev.tensorfile.core.spi.VectorSupport;

/**
 * Chooses the kernels once per JVM through core's one chooser ({@link VectorSupport#choose}, property
 * {@value VectorSupport#PROPERTY}): the Vector API kernels where it says so and the preferred species is 256 or 512
 * bits, the plain-Java ones otherwise; an explicit {@code panama} that cannot be honoured fails at first use. The
 * Panama class is loaded by name, so nothing here links against the incubator module.
 */
final class DotChoice {
    private static final String PANAMA_CLASS = "dev.tensorfile.gguf.kernels.PanamaDots";

    private DotChoice() {}

    private static final class Holder {
        static final Dots INSTANCE = choose(VectorSupport.mode());
    }

    /** The implementation chosen for this JVM. */
    static Dots get() {
        return Holder.INSTANCE;
    }

    /** The decision for a value of the property; exposed for tests. */
    static Dots choose(String mode) {
        return choose(VectorSupport.parse(mode));
    }

    static Dots choose(VectorSupport.Mode mode) {
        // a named gguf module needs its own read edge to the incubator module (addReads is caller-sensitive)
        return VectorSupport.choose(mode, "kernels", m -> DotChoice.class.getModule().addReads(m),
                () -> (Dots) Class.forName(PANAMA_CLASS, true, DotChoice.class.getClassLoader())
                        .getDeclaredMethod("create").invoke(null),
                ScalarDots.INSTANCE);
    }
}
