package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;

import java.util.Random;

/** Random blocks for the agreement tests: every bit pattern, or with moderate fp16 scales where the codes decide. */
final class RandomBlocks {
    private RandomBlocks() {}

    /** The byte offsets of a block's fp16 scale fields. */
    static int[] scaleFields(DType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q5_0, IQ4_NL, IQ4_XS -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            case TQ1_0 -> new int[] {52};
            case TQ2_0 -> new int[] {64};
            default -> new int[0];
        };
    }

    /** Overwrites the scale fields of {@code blocks} blocks at {@code off} with finite, moderate fp16 values. */
    static void saneScales(byte[] raw, int off, DType type, int blocks, Random rnd) {
        for (int i = 0; i < blocks; i++) {
            for (int f : scaleFields(type)) {
                short h = Float.floatToFloat16((rnd.nextFloat() - 0.5f) * 0.01f);
                int p = off + i * type.blockBytes() + f;
                raw[p] = (byte) h;
                raw[p + 1] = (byte) (h >>> 8);
            }
        }
    }
}
