package dev.tensorfile.gguf.quant;

import java.lang.foreign.MemorySegment;

import static dev.tensorfile.gguf.quant.Bits.fp16;
import static dev.tensorfile.gguf.quant.Bits.u8;

/**
 * The ternary types {@code TQ1_0} (five trits per byte, base-3 fixed point) and {@code TQ2_0} (2 bits per trit):
 * transcriptions of {@code dequantize_row_tq1_0} and {@code dequantize_row_tq2_0} (ggml-org/llama.cpp 01243c5).
 */
final class TernaryQuants {
    private static final int[] POW3 = {1, 3, 9, 27, 81, 243};

    private TernaryQuants() {}

    /** The n-th trit (0, 1 or 2) of a byte holding ceil(q·256/243): {@code ((uint8_t)(q*3^n) * 3) >> 8}. */
    private static int trit(int q, int n) {
        int qn = (q * POW3[n]) & 0xFF;   // uint8_t product: the overflow is what shifts the next trit to the top
        return (qn * 3) >>> 8;
    }

    // ---- block_tq1_0 { uint8_t qs[48]; uint8_t qh[4]; ggml_half d; } (54 bytes) ----
    static void decodeTQ1_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 54) {
            float d = fp16(x, off + 52);
            // qs[0..32): 5 × 32 elements; qs[32..48): 5 × 16 elements; qh[0..4): 4 × 4 elements
            for (int n = 0; n < 5; ++n) {
                for (int m = 0; m < 32; ++m) y[yi++] = (trit(u8(x, off + m), n) - 1) * d;
            }
            for (int n = 0; n < 5; ++n) {
                for (int m = 0; m < 16; ++m) y[yi++] = (trit(u8(x, off + 32 + m), n) - 1) * d;
            }
            for (int n = 0; n < 4; ++n) {
                for (int j = 0; j < 4; ++j) y[yi++] = (trit(u8(x, off + 48 + j), n) - 1) * d;
            }
        }
    }

    // ---- block_tq2_0 { uint8_t qs[64]; ggml_half d; } (66 bytes) ----
    static void decodeTQ2_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 66) {
            float d = fp16(x, off + 64);
            for (int j = 0; j < 64; j += 32) {
                for (int l = 0; l < 4; ++l) {
                    for (int m = 0; m < 32; ++m) {
                        int q = (u8(x, off + j + m) >>> (l * 2)) & 3;
                        y[yi++] = (q - 1) * d;
                    }
                }
            }
        }
    }
}
