package dev.tensorfile.gguf.quant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Optional;

/**
 * Chooses the {@link Dequantizers} once per JVM, as Lucene's {@code VectorizationProvider} does.
 *
 * <p>System property {@value #PROPERTY}: {@code auto} (default) takes the Vector API implementation when
 * {@code jdk.incubator.vector} is in the boot layer (the JVM was started with
 * {@code --add-modules jdk.incubator.vector}) and its preferred species is 256 or 512 bits, and the plain-Java one
 * ({@link StagedDequantizers}, named {@code scalar}) otherwise; {@code scalar} forces scalar; {@code panama} demands the Vector API and fails at start-up
 * ({@link IllegalStateException} from the first codec use) when it cannot be honoured. The Panama class is loaded by
 * name, so nothing here links against the incubator module.
 */
final class DequantizerChoice {
    static final String PROPERTY = "tensorfile.quant";
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String PANAMA_CLASS = "dev.tensorfile.gguf.quant.PanamaDequantizers";
    private static final Logger LOG = LoggerFactory.getLogger(DequantizerChoice.class);

    private DequantizerChoice() {}

    private static final class Holder {
        static final Dequantizers INSTANCE = choose(System.getProperty(PROPERTY, "auto"));
    }

    /** The implementation chosen for this JVM. */
    static Dequantizers get() {
        return Holder.INSTANCE;
    }

    /** The decision for {@code mode}; exposed for tests. */
    static Dequantizers choose(String mode) {
        String m = mode.trim().toLowerCase(Locale.ROOT);
        switch (m) {
            case "scalar" -> {
                LOG.debug("tensorfile dequantizers: scalar ({}=scalar)", PROPERTY);
                return StagedDequantizers.INSTANCE;
            }
            case "auto", "panama" -> {
                String why = panamaUnavailableReason();
                if (why == null) {
                    try {
                        Dequantizers p = loadPanama();
                        LOG.debug("tensorfile dequantizers: panama ({})", p);
                        return p;
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        why = String.valueOf(e.getCause().getMessage());
                    } catch (ReflectiveOperationException | LinkageError e) {
                        why = "cannot load " + PANAMA_CLASS + ": " + e;
                    }
                }
                if (m.equals("panama")) {
                    throw new IllegalStateException(PROPERTY + "=panama cannot be honoured: " + why);
                }
                LOG.debug("tensorfile dequantizers: scalar ({})", why);
                return StagedDequantizers.INSTANCE;
            }
            default -> throw new IllegalStateException(
                    PROPERTY + " must be auto, scalar or panama, not '" + mode + "'");
        }
    }

    /** Null if the Vector API can be used, otherwise why not. */
    static String panamaUnavailableReason() {
        Optional<Module> vector = ModuleLayer.boot().findModule(VECTOR_MODULE);
        if (vector.isEmpty()) {
            return VECTOR_MODULE + " is not in the boot layer (start the JVM with --add-modules " + VECTOR_MODULE + ")";
        }
        // A named gguf module needs a read edge to the incubator module (requires static does not add one at run
        // time unless the module was resolved); unnamed modules read everything already.
        DequantizerChoice.class.getModule().addReads(vector.get());
        return null;
    }

    private static Dequantizers loadPanama() throws ReflectiveOperationException {
        Class<?> c = Class.forName(PANAMA_CLASS, true, DequantizerChoice.class.getClassLoader());
        return (Dequantizers) c.getDeclaredMethod("create").invoke(null);
    }
}
