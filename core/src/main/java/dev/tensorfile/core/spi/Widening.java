package dev.tensorfile.core.spi;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Optional;

/**
 * F16 and BF16 to float32 in bulk, the conversion behind every {@code readFloats} of a half-precision tensor.
 * Exact: every binary16 value widens to what {@code Float.float16ToFloat} gives, a NaN to the same sign and payload
 * with its quiet bit as stored (as numpy does; the JIT's intrinsic of {@code float16ToFloat} would set it), and
 * every bfloat16 value to {@code bits << 16}. Sources are little-endian and may start at any byte offset.
 *
 * <p>With the Vector API or in plain Java as {@link VectorSupport} decides for this JVM (the same decision as GGUF's
 * dequantizers). The vector class is loaded by name, so nothing here links against the incubator module when it is
 * absent.
 */
public final class Widening {

    /** One implementation of both widenings; the scalar one is the specification. */
    interface Kernel {
        void f16(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count);

        void bf16(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count);
    }

    private Widening() {}

    private static final class Holder {
        static final Kernel KERNEL = choose();
    }

    /** Widens {@code count} binary16 values starting at byte {@code srcOffset} into {@code dst[dstOffset ...]}. */
    public static void f16ToFloat(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count) {
        check(src, srcOffset, dst, dstOffset, count);
        Holder.KERNEL.f16(src, srcOffset, dst, dstOffset, count);
    }

    /** Widens {@code count} bfloat16 values starting at byte {@code srcOffset} into {@code dst[dstOffset ...]}. */
    public static void bf16ToFloat(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count) {
        check(src, srcOffset, dst, dstOffset, count);
        Holder.KERNEL.bf16(src, srcOffset, dst, dstOffset, count);
    }

    /** True if this JVM widens with the Vector API. */
    public static boolean isVectorized() {
        return Holder.KERNEL != ScalarWidening.INSTANCE;
    }

    private static void check(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count) {
        Objects.checkFromIndexSize(dstOffset, count, dst.length);
        Objects.checkFromIndexSize(srcOffset, 2L * count, src.byteSize());
    }

    private static Kernel choose() {
        if (!VectorSupport.useVectorApi()) return ScalarWidening.INSTANCE;
        Kernel vector = vector();
        if (vector == null && VectorSupport.mode() == VectorSupport.Mode.PANAMA) {
            throw VectorSupport.cannotHonour("the F16/BF16 vector kernel cannot be linked");
        }
        return vector != null ? vector : ScalarWidening.INSTANCE;
    }

    /** The Vector API kernel, or null where the incubator module is absent or cannot be linked. */
    static Kernel vector() {
        Optional<Module> module = VectorSupport.vectorModule();
        if (module.isEmpty()) return null;
        // A named core module needs a read edge to the incubator module (requires static adds none at run time
        // unless the module was resolved); on the class path everything reads everything already.
        Widening.class.getModule().addReads(module.get());
        try {
            Class<?> c = Class.forName("dev.tensorfile.core.spi.VectorWidening", true, Widening.class.getClassLoader());
            return (Kernel) c.getDeclaredField("INSTANCE").get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /** The scalar kernel, for tests that compare the two. */
    static Kernel scalar() {
        return ScalarWidening.INSTANCE;
    }
}
