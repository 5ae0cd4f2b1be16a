package dev.tensorfile.gguf.kernels;

import dev.tensorfile.core.spi.VectorSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Chooses the kernels once per JVM, by the rule the dequantizers follow ({@link VectorSupport}, property
 * {@value VectorSupport#PROPERTY}): the Vector API kernels where it says so and the preferred species is 256 or 512
 * bits, the plain-Java ones otherwise; an explicit {@code panama} that cannot be honoured fails at first use. The
 * Panama class is loaded by name, so nothing here links against the incubator module.
 */
final class DotChoice {
    private static final String PANAMA_CLASS = "dev.tensorfile.gguf.kernels.PanamaDots";
    private static final Logger LOG = LoggerFactory.getLogger(DotChoice.class);

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
        if (!VectorSupport.useVectorApi(mode)) {
            LOG.debug("tensorfile kernels: scalar ({}={}, {})", VectorSupport.PROPERTY, mode,
                    VectorSupport.unavailableReason());
            return ScalarDots.INSTANCE;
        }
        // a named module needs its own read edge to the incubator module (addReads is caller-sensitive)
        Optional<Module> vector = VectorSupport.vectorModule();
        vector.ifPresent(m -> DotChoice.class.getModule().addReads(m));
        String why;
        try {
            Class<?> c = Class.forName(PANAMA_CLASS, true, DotChoice.class.getClassLoader());
            Dots p = (Dots) c.getDeclaredMethod("create").invoke(null);
            LOG.debug("tensorfile kernels: panama ({})", p);
            return p;
        } catch (java.lang.reflect.InvocationTargetException e) {
            why = String.valueOf(e.getCause().getMessage());
        } catch (ReflectiveOperationException | LinkageError e) {
            why = "cannot load " + PANAMA_CLASS + ": " + e;
        }
        if (mode == VectorSupport.Mode.PANAMA) throw VectorSupport.cannotHonour(why);
        LOG.debug("tensorfile kernels: scalar ({})", why);
        return ScalarDots.INSTANCE;
    }
}
