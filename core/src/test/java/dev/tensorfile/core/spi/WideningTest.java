package dev.tensorfile.core.spi;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Both widening kernels against the definitions, for every 16-bit pattern: {@code Float.float16ToFloat} for F16
 * (NaN payloads kept, as the bit shift does) and {@code bits << 16} for BF16. Surefire runs this class with and
 * without {@code jdk.incubator.vector}; where it is absent, only the scalar kernel exists and is the one chosen.
 */
class WideningTest {
    private static final boolean VECTOR_MODULE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private static List<Widening.Kernel> kernels() {
        List<Widening.Kernel> k = new ArrayList<>(List.of(Widening.scalar()));
        Widening.Kernel vector = Widening.vector();
        assertEquals(VECTOR_MODULE, vector != null, "the vector kernel exists exactly where the module is present");
        if (vector != null) k.add(vector);
        return k;
    }

    @Test
    void theVectorKernelIsChosenWhereverTheModuleIsPresent() {
        boolean forcedScalar = "scalar".equals(System.getProperty(VectorSupport.PROPERTY));
        assertEquals(VECTOR_MODULE && !forcedScalar, Widening.isVectorized());
    }

    @Test
    void everyHalfAndBfloatWidensToItsDefinition() {
        byte[] raw = new byte[1 + 2 * 65536]; // one byte in: sources need not be aligned
        for (int h = 0; h < 65536; h++) {
            raw[1 + 2 * h] = (byte) h;
            raw[2 + 2 * h] = (byte) (h >>> 8);
        }
        MemorySegment src = MemorySegment.ofArray(raw);
        for (Widening.Kernel k : kernels()) {
            float[] f16 = new float[65536];
            float[] bf16 = new float[65536];
            k.f16(src, 1, f16, 0, 65536);
            k.bf16(src, 1, bf16, 0, 65536);
            for (int h = 0; h < 65536; h++) {
                int want = Float.isNaN(Float.float16ToFloat((short) h))
                        ? 0x7F800000 | ((h & 0x8000) << 16) | ((h & 0x3FF) << 13)
                        : Float.floatToRawIntBits(Float.float16ToFloat((short) h));
                assertEquals(want, Float.floatToRawIntBits(f16[h]), k + " F16 " + Integer.toHexString(h));
                assertEquals(h << 16, Float.floatToRawIntBits(bf16[h]), k + " BF16 " + Integer.toHexString(h));
            }
        }
    }

    @Test
    void kernelsAgreeOnAwkwardCountsAndOffsets() {
        Random rnd = new Random(42);
        for (int count : new int[] {0, 1, 3, 7, 15, 16, 17, 33, 100, 4095, 4096, 4097, 10_001}) {
            for (int srcOffset : new int[] {0, 1, 3}) {
                byte[] raw = new byte[srcOffset + 2 * count + 1];
                rnd.nextBytes(raw);
                MemorySegment src = MemorySegment.ofArray(raw);
                for (Widening.Kernel k : kernels()) {
                    float[] f16 = new float[count + 4];
                    float[] bf16 = new float[count + 4];
                    k.f16(src, srcOffset, f16, 3, count);
                    k.bf16(src, srcOffset, bf16, 3, count);
                    for (int i = 0; i < count; i++) {
                        int h = (raw[srcOffset + 2 * i] & 0xFF) | (raw[srcOffset + 2 * i + 1] & 0xFF) << 8;
                        String at = k + " count=" + count + " srcOffset=" + srcOffset + " [" + i + "]";
                        assertEquals(h << 16, Float.floatToRawIntBits(bf16[3 + i]), at);
                        float want = Float.float16ToFloat((short) h);
                        if (!Float.isNaN(want)) assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(f16[3 + i]), at);
                    }
                    assertEquals(0, Float.floatToRawIntBits(f16[count + 3]), "nothing written past the count");
                    assertEquals(0, Float.floatToRawIntBits(bf16[2]), "nothing written before the offset");
                }
            }
        }
    }

    @Test
    void rangesOutsideTheArraysAreRefused() {
        MemorySegment src = MemorySegment.ofArray(new byte[8]);
        assertThrows(IndexOutOfBoundsException.class, () -> Widening.bf16ToFloat(src, 2, new float[8], 0, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> Widening.f16ToFloat(src, 0, new float[3], 0, 4));
    }
}
