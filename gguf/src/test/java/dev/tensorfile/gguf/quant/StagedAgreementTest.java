package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The plain-Java kernels every JVM without the incubator module runs, against the reference transcriptions, bit
 * for bit: random blocks (every bit pattern, NaN and infinite scales included, and half the cases with moderate
 * scales), block counts below, at and across the 64-block batch (1, 7, 63, 64, 65, 130), unaligned source offsets
 * 1 and 3 and an odd destination offset. Runs in both surefire executions, with and without the Vector API.
 */
class StagedAgreementTest {
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS", "TQ1_0", "TQ2_0"})
    void stagedKernelsMatchTheReferenceBitForBit(DType type) {
        BlockDecoder staged = StagedDequantizers.INSTANCE.decoder(type);
        assertNotNull(staged, "staged kernel for " + type);
        BlockDecoder reference = ReferenceDequantizers.INSTANCE.decoder(type);
        Random rnd = new Random(type.ordinal() * 131L + 3);
        for (int blocks : new int[] {1, 7, 63, 64, 65, 130}) {
            for (int srcOffset : new int[] {0, 1, 3}) {
                for (int dstOffset : new int[] {0, 5}) {
                    byte[] raw = new byte[srcOffset + blocks * type.blockBytes() + 3];
                    rnd.nextBytes(raw);
                    if (srcOffset != 1) RandomBlocks.saneScales(raw, srcOffset, type, blocks, rnd);
                    MemorySegment src = MemorySegment.ofArray(raw);
                    float[] a = new float[dstOffset + blocks * type.blockElements() + 2];
                    float[] b = a.clone();
                    reference.decode(src, srcOffset, a, dstOffset, blocks);
                    staged.decode(src, srcOffset, b, dstOffset, blocks);
                    assertSame(type, a, b, type + " blocks=" + blocks + " srcOffset=" + srcOffset
                            + " dstOffset=" + dstOffset);
                }
            }
        }
        // Again once C2 has compiled the kernel (the loops above run mostly interpreted): the vectorised loops,
        // Float.float16ToFloat among them, must give the same bits as the interpreter's scalar code.
        byte[] raw = new byte[1 + 130 * type.blockBytes()];
        rnd.nextBytes(raw);
        MemorySegment src = MemorySegment.ofArray(raw);
        float[] a = new float[130 * type.blockElements()];
        float[] b = new float[a.length];
        reference.decode(src, 1, a, 0, 130);
        for (int i = 0; i < 400; i++) staged.decode(src, 1, b, 0, 130);
        assertSame(type, a, b, type + " after warm-up");
    }

    /**
     * Bit for bit, except that Q4_1 and Q5_1 ({@code q*d + m}) may give either NaN where both {@code q*d} and
     * {@code m} are NaN: which operand's NaN an x86 add returns depends on the operand order, and C2 orders the
     * operands of a commutative add as it likes (in the reference transcription too, once compiled; gcc likewise).
     */
    private static void assertSame(DType type, float[] expected, float[] actual, String what) {
        if (type == DType.Q4_1 || type == DType.Q5_1) {
            float[] e = expected.clone();
            float[] a = actual.clone();
            for (int i = 0; i < e.length; i++) {
                if (Float.isNaN(e[i]) && Float.isNaN(a[i])) {
                    e[i] = Float.NaN;
                    a[i] = Float.NaN;
                }
            }
            PanamaAgreementTest.assertSameBits(e, a, what);
        } else {
            PanamaAgreementTest.assertSameBits(expected, actual, what);
        }
    }
}
