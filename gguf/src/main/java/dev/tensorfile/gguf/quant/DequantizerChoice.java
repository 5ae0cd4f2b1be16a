package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.spi.VectorSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

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
    private static final Logger LOG = LoggerFactory.getLogger(DequantizerChoice.class);

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
        if (!VectorSupport.useVectorApi(mode)) {
            LOG.debug("tensorfile dequantizers: scalar ({}={}, {})", VectorSupport.PROPERTY, mode,
                    VectorSupport.unavailableReason());
            return StagedDequantizers.INSTANCE;
        }
        // A named gguf module needs a read edge to the incubator module (requires static adds none at run time
        // unless the module was resolved); unnamed modules read everything already.
        Optional<Module> vector = VectorSupport.vectorModule();
        vector.ifPresent(m -> DequantizerChoice.class.getModule().addReads(m));
        String why;
        try {
            Dequantizers p = loadPanama();
            LOG.debug("tensorfile dequantizers: panama ({})", p);
            return p;
        } catch (java.lang.reflect.InvocationTargetException e) {
            why = String.valueOf(e.getCause().getMessage());
        } catch (ReflectiveOperationException | LinkageError e) {
            why = "cannot load " + PANAMA_CLASS + ": " + e;
        }
        if (mode == VectorSupport.Mode.PANAMA) throw VectorSupport.cannotHonour(why);
        LOG.debug("tensorfile dequantizers: scalar ({})", why);
        return StagedDequantizers.INSTANCE;
    }

    private static Dequantizers loadPanama() throws ReflectiveOperationException {
        Class<?> c = Class.forName(PANAMA_CLASS, true, DequantizerChoice.class.getClassLoader());
        return (Dequantizers) c.getDeclaredMethod("create").invoke(null);
    }
}
