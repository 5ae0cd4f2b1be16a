package dev.tensorfile.core.spi;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * The one decision, per JVM, whether tensorfile's hot paths (F16/BF16 widening in core, GGUF dequantization) use the
 * Vector API, as Lucene's {@code VectorizationProvider} decides it for Lucene. Read from the system property
 * {@value #PROPERTY}:
 * <ul>
 *   <li>{@code auto} (the default): the Vector API when {@code jdk.incubator.vector} is in the boot layer (the JVM
 *       was started with {@code --add-modules jdk.incubator.vector}), plain Java otherwise;</li>
 *   <li>{@code scalar}: plain Java, even where the Vector API is present;</li>
 *   <li>{@code panama}: the Vector API, and an {@link IllegalStateException} from the first use when it is absent.</li>
 * </ul>
 * Any other value is refused the same way. Implementations load their Vector API classes by name only when
 * {@link #useVectorApi()} says so, so nothing links against the incubator module when it is absent; each module
 * that does must add its own read edge to {@link #vectorModule()} ({@link Module#addReads} is caller-sensitive).
 */
public final class VectorSupport {
    /** The system property read. */
    public static final String PROPERTY = "tensorfile.quant";
    /** The incubator module. */
    public static final String VECTOR_MODULE = "jdk.incubator.vector";

    private static final Logger LOG = LoggerFactory.getLogger(VectorSupport.class);

    /** The values of {@value #PROPERTY}. */
    public enum Mode {
        /** The Vector API where present. */
        AUTO,
        /** Plain Java. */
        SCALAR,
        /** The Vector API, or fail. */
        PANAMA
    }

    private VectorSupport() {}

    private static final class Holder {
        static final Mode MODE = parse(System.getProperty(PROPERTY, "auto"));
    }

    /**
     * The mode this JVM was started with.
     *
     * @throws IllegalStateException if {@value #PROPERTY} is not {@code auto}, {@code scalar} or {@code panama}
     */
    public static Mode mode() {
        return Holder.MODE;
    }

    /**
     * True if this JVM's hot paths are to use the Vector API.
     *
     * @throws IllegalStateException if the property is invalid, or {@code panama} and the module is absent
     */
    public static boolean useVectorApi() {
        return useVectorApi(mode());
    }

    /** The decision for {@code mode}; exposed for tests. */
    public static boolean useVectorApi(Mode mode) {
        return switch (mode) {
            case SCALAR -> false;
            case AUTO -> unavailableReason() == null;
            case PANAMA -> {
                String why = unavailableReason();
                if (why != null) throw cannotHonour(why);
                yield true;
            }
        };
    }

    /**
     * The failure to report when {@code panama} was asked for and cannot be given ({@code why}); for
     * implementations that find a reason of their own after the module check (an unusable vector shape).
     */
    public static IllegalStateException cannotHonour(String why) {
        return new IllegalStateException(PROPERTY + "=panama cannot be honoured: " + why);
    }

    /**
     * Parses a value of {@value #PROPERTY}, case and surrounding blanks ignored.
     *
     * @throws IllegalStateException if it is not {@code auto}, {@code scalar} or {@code panama}
     */
    public static Mode parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> Mode.AUTO;
            case "scalar" -> Mode.SCALAR;
            case "panama" -> Mode.PANAMA;
            default -> throw new IllegalStateException(
                    PROPERTY + " must be auto, scalar or panama, not '" + value + "'");
        };
    }

    /** The incubator module, if the boot layer has it. */
    public static Optional<Module> vectorModule() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE);
    }

    /** Null if the Vector API module is in the boot layer, otherwise why it cannot be used. */
    public static String unavailableReason() {
        return vectorModule().isPresent() ? null
                : VECTOR_MODULE + " is not in the boot layer (start the JVM with --add-modules " + VECTOR_MODULE + ")";
    }

    /**
     * The implementation a hot path uses under {@code mode}: what {@code panama} makes where {@link #useVectorApi(Mode)}
     * says so and it can be made, {@code scalar} otherwise. {@code panama} loads the Vector API class by name (so
     * nothing links against the incubator module unless it is used) and is called only after {@code addReads} has
     * given the caller's module its read edge to {@link #vectorModule()}: {@link Module#addReads} is caller-sensitive,
     * so the caller passes {@code m -> MyClass.class.getModule().addReads(m)}.
     *
     * @param what names the hot path in DEBUG logs ("dequantizers", "kernels")
     * @throws IllegalStateException if {@code mode} is {@code panama} and the Vector API or the class cannot be had
     */
    public static <T> T choose(Mode mode, String what, Consumer<Module> addReads, Callable<? extends T> panama, T scalar) {
        if (!useVectorApi(mode)) {
            LOG.debug("tensorfile {}: scalar ({}={}, {})", what, PROPERTY, mode, unavailableReason());
            return scalar;
        }
        vectorModule().ifPresent(addReads);
        String why;
        try {
            T p = panama.call();
            LOG.debug("tensorfile {}: panama ({})", what, p);
            return p;
        } catch (InvocationTargetException e) {
            why = String.valueOf(e.getCause().getMessage());
        } catch (ReflectiveOperationException | LinkageError e) {
            why = "cannot load the Vector API " + what + ": " + e;
        } catch (Exception e) {
            why = String.valueOf(e.getMessage());
        }
        if (mode == Mode.PANAMA) throw cannotHonour(why);
        LOG.debug("tensorfile {}: scalar ({})", what, why);
        return scalar;
    }
}
