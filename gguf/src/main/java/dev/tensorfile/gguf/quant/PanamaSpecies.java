package dev.tensorfile.gguf.quant;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species the Vector API kernels of this module (the dequantizers here, the dot products in
 * {@code gguf.kernels}) are written for, and the one rule for when they can be used: float and int vectors of the
 * preferred shape with 8 or 16 lanes (256 or 512 bits), and short and byte vectors of the same lane count. Static
 * finals, so the JIT folds them as constants in every kernel that reads them. Public for the kernels package only:
 * the package is not exported, and only classes that are themselves loaded with the incubator module touch it.
 */
public final class PanamaSpecies {
    /** Floats of the preferred shape. */
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Lanes per float vector. */
    public static final int L = F.length();
    /** Ints of the preferred shape. */
    public static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Shorts, {@link #L} lanes. */
    public static final VectorSpecies<Short> S =
            VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, L * 16)));
    /** Bytes, {@link #L} lanes. */
    public static final VectorSpecies<Byte> B =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));

    private PanamaSpecies() {}

    /**
     * Refuses a machine whose preferred vectors the kernels are not written for.
     *
     * @throws UnsupportedOperationException naming the preferred species if it is not 256 or 512 bits
     */
    public static void requireUsable() {
        if (L < 8 || L > 16 || S.length() != L || I.length() != L || B.length() != L) {
            throw new UnsupportedOperationException("preferred vector species " + F + " is not usable (need 256 or 512 bits)");
        }
    }
}
