package dev.tensorfile.core.spi;

import java.util.Locale;
import java.util.Optional;

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
}
