package dev.tensorfile.gguf.quant;

import java.lang.foreign.MemorySegment;

import static dev.tensorfile.gguf.quant.Bits.fp16;
import static dev.tensorfile.gguf.quant.Bits.u16;
import static dev.tensorfile.gguf.quant.Bits.u8;

/**
 * The 4-bit codebook types: {@code IQ4_NL}, {@code IQ4_XS} (codebook {@code kvalues_iq4nl}) and the FP4 types
 * {@code MXFP4}, {@code NVFP4} (codebook {@code kvalues_mxfp4}, E2M1 doubled). Transcribes
 * {@code dequantize_row_iq4_nl}, {@code dequantize_row_iq4_xs}, {@code dequantize_row_mxfp4} and
 * {@code dequantize_row_nvfp4} (ggml-org/llama.cpp 01243c5); tables from {@code ggml-common.h}.
 */
final class NonLinearQuants {
    /** {@code kvalues_iq4nl} (ggml-common.h). */
    static final byte[] KVALUES_IQ4NL = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
    /** {@code kvalues_mxfp4}: E2M1 values times two, hence the halved scales of {@link Bits#e8m0Half}. */
    static final byte[] KVALUES_MXFP4 = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

    private NonLinearQuants() {}

    // ---- block_iq4_nl { ggml_half d; uint8_t qs[16]; } ----
    static void decodeIQ4_NL(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 18, yi += 32) {
            float d = fp16(x, off);
            for (int j = 0; j < 16; j++) {
                int q = u8(x, off + 2 + j);
                y[yi + j] = d * KVALUES_IQ4NL[q & 0xF];
                y[yi + j + 16] = d * KVALUES_IQ4NL[q >>> 4];
            }
        }
    }

    // ---- block_iq4_xs { ggml_half d; uint16_t scales_h; uint8_t scales_l[4]; uint8_t qs[128]; } (136) ----
    static void decodeIQ4_XS(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 136) {
            float d = fp16(x, off);
            int scalesH = u16(x, off + 2);
            long qs = off + 8;
            for (int ib = 0; ib < 8; ++ib) {
                int ls = ((u8(x, off + 4 + ib / 2) >>> (4 * (ib % 2))) & 0xF) | (((scalesH >>> (2 * ib)) & 3) << 4);
                float dl = d * (ls - 32);
                for (int j = 0; j < 16; ++j) {
                    int q = u8(x, qs + j);
                    y[yi + j] = dl * KVALUES_IQ4NL[q & 0xF];
                    y[yi + j + 16] = dl * KVALUES_IQ4NL[q >>> 4];
                }
                yi += 32;
                qs += 16;
            }
        }
    }

    // ---- block_mxfp4 { uint8_t e; uint8_t qs[16]; } (17 bytes, E8M0 shared exponent) ----
    static void decodeMXFP4(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 17, yi += 32) {
            float d = Bits.e8m0Half(u8(x, off));
            for (int j = 0; j < 16; ++j) {
                int q = u8(x, off + 1 + j);
                y[yi + j] = KVALUES_MXFP4[q & 0x0F] * d;
                y[yi + j + 16] = KVALUES_MXFP4[q >>> 4] * d;
            }
        }
    }

    // ---- block_nvfp4 { uint8_t d[4]; uint8_t qs[32]; } (36 bytes; a UE4M3 scale per 16 elements) ----
    static void decodeNVFP4(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 36, yi += 64) {
            for (int s = 0; s < 4; s++) {
                float d = Bits.ue4m3Half(u8(x, off + s));
                int yb = yi + s * 16;
                for (int j = 0; j < 8; ++j) {
                    int q = u8(x, off + 4 + s * 8 + j);
                    y[yb + j] = KVALUES_MXFP4[q & 0x0F] * d;
                    y[yb + j + 8] = KVALUES_MXFP4[q >>> 4] * d;
                }
            }
        }
    }
}
