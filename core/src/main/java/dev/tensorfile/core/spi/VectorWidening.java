package dev.tensorfile.core.spi;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The widenings with the Vector API: a vector of shorts widened to ints, then bit operations; the tail is scalar.
 * Loaded by name from {@link Widening} only when {@code jdk.incubator.vector} is present.
 */
final class VectorWidening implements Widening.Kernel {
    static final VectorWidening INSTANCE = new VectorWidening();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int L = I.length();
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, L * 16)));
    private static final float HALF_MAGIC = Float.intBitsToFloat(113 << 23);

    private VectorWidening() {}

    @Override
    public void f16(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count) {
        int i = 0;
        for (; i <= count - L; i += L) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, src, srcOffset + 2L * i, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            // Exact binary16 -> binary32 without branches (F. Giesen's half_to_float): move exponent and
            // significand into place and rebias; Inf/NaN get the rest of the exponent range; subnormals are
            // renormalised by an exact subtraction of 2^-14.
            IntVector o = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
            IntVector e = o.and(0x0F800000);
            o = o.add(112 << 23);
            o = o.add(112 << 23, e.eq(0x0F800000));
            IntVector sub = o.add(1 << 23).reinterpretAsFloats().sub(HALF_MAGIC).reinterpretAsInts();
            o = o.blend(sub, e.eq(0));
            o.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats().intoArray(dst, dstOffset + i);
        }
        ScalarWidening.INSTANCE.f16(src, srcOffset + 2L * i, dst, dstOffset + i, count - i);
    }

    @Override
    public void bf16(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count) {
        int i = 0;
        for (; i <= count - L; i += L) {
            ((IntVector) ShortVector.fromMemorySegment(S, src, srcOffset + 2L * i, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dstOffset + i);
        }
        ScalarWidening.INSTANCE.bf16(src, srcOffset + 2L * i, dst, dstOffset + i, count - i);
    }
}
