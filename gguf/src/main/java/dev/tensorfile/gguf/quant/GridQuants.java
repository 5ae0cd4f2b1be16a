package dev.tensorfile.gguf.quant;

import java.lang.foreign.MemorySegment;

import static dev.tensorfile.gguf.quant.Bits.fp16;
import static dev.tensorfile.gguf.quant.Bits.u16;
import static dev.tensorfile.gguf.quant.Bits.u32;
import static dev.tensorfile.gguf.quant.Bits.u8;
import static dev.tensorfile.gguf.quant.IqGrids.KSIGNS_IQ2XS;

/**
 * The lattice ("i-quant") types {@code IQ2_XXS}, {@code IQ2_XS}, {@code IQ2_S}, {@code IQ3_XXS}, {@code IQ3_S},
 * {@code IQ1_S} and {@code IQ1_M}: groups of 8 (or 4) weights are one entry of a fixed codebook ({@link IqGrids})
 * with a sign pattern and a per-32 scale. Transcriptions of the matching {@code dequantize_row_iq*} of
 * {@code ggml-quants.c} (ggml-org/llama.cpp 01243c5), in float32 and ggml's order ({@code db * grid[j] * sign}).
 */
final class GridQuants {
    private static final float IQ1S_DELTA = 0.125f;
    private static final float IQ1M_DELTA = 0.125f;

    private GridQuants() {}

    /** {@code kmask_iq2xs[j] = 1 << j}: element j of a group is negated when bit j of its sign byte is set. */
    private static float sign(int signs, int j) {
        return (signs & (1 << j)) != 0 ? -1.f : 1.f;
    }

    // ---- block_iq2_xxs { ggml_half d; uint16_t qs[32]; } (66 bytes) ----
    static void decodeIQ2_XXS(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 66) {
            float d = fp16(x, off);
            for (int ib32 = 0; ib32 < 8; ++ib32) {
                long q = off + 2 + 8L * ib32;
                int aux1 = u32(x, q + 4);           // 4 × 7-bit sign indices and a 4-bit scale
                float db = d * (0.5f + (aux1 >>> 28)) * 0.25f;
                for (int l = 0; l < 4; ++l) {
                    int grid = 8 * u8(x, q + l);
                    int signs = KSIGNS_IQ2XS[(aux1 >>> (7 * l)) & 127];
                    for (int j = 0; j < 8; ++j) y[yi + j] = db * IqGrids.IQ2XXS[grid + j] * sign(signs, j);
                    yi += 8;
                }
            }
        }
    }

    // ---- block_iq2_xs { ggml_half d; uint16_t qs[32]; uint8_t scales[8]; } (74 bytes) ----
    static void decodeIQ2_XS(MemorySegment x, long off, float[] y, int yi, int blocks) {
        float[] db = new float[2];
        for (int i = 0; i < blocks; i++, off += 74) {
            float d = fp16(x, off);
            for (int ib32 = 0; ib32 < 8; ++ib32) {
                int sc = u8(x, off + 66 + ib32);
                db[0] = d * (0.5f + (sc & 0xf)) * 0.25f;
                db[1] = d * (0.5f + (sc >>> 4)) * 0.25f;
                for (int l = 0; l < 4; ++l) {
                    int q = u16(x, off + 2 + 2L * (4 * ib32 + l));
                    int grid = 8 * (q & 511);
                    int signs = KSIGNS_IQ2XS[q >>> 9];
                    for (int j = 0; j < 8; ++j) y[yi + j] = db[l / 2] * IqGrids.IQ2XS[grid + j] * sign(signs, j);
                    yi += 8;
                }
            }
        }
    }

    // ---- block_iq2_s { ggml_half d; uint8_t qs[64]; uint8_t qh[8]; uint8_t scales[8]; } (82 bytes) ----
    // qs[0..32) are grid indices (low 8 bits), qs[32..64) the sign bytes.
    static void decodeIQ2_S(MemorySegment x, long off, float[] y, int yi, int blocks) {
        float[] db = new float[2];
        for (int i = 0; i < blocks; i++, off += 82) {
            float d = fp16(x, off);
            long qs = off + 2;
            long signs = qs + 32;
            for (int ib32 = 0; ib32 < 8; ++ib32) {
                int sc = u8(x, off + 74 + ib32);
                db[0] = d * (0.5f + (sc & 0xf)) * 0.25f;
                db[1] = d * (0.5f + (sc >>> 4)) * 0.25f;
                int qh = u8(x, off + 66 + ib32);
                for (int l = 0; l < 4; ++l) {
                    float dl = db[l / 2];
                    int grid = 8 * (u8(x, qs + l) | ((qh << (8 - 2 * l)) & 0x300));
                    int s = u8(x, signs + l);
                    for (int j = 0; j < 8; ++j) y[yi + j] = dl * IqGrids.IQ2S[grid + j] * sign(s, j);
                    yi += 8;
                }
                qs += 4;
                signs += 4;
            }
        }
    }

    // ---- block_iq3_xxs { ggml_half d; uint8_t qs[96]; } (98 bytes): 64 grid bytes, then 8 × u32 scales+signs ----
    static void decodeIQ3_XXS(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 98) {
            float d = fp16(x, off);
            long qs = off + 2;
            long scalesAndSigns = qs + 64;
            for (int ib32 = 0; ib32 < 8; ++ib32) {
                int aux32 = u32(x, scalesAndSigns + 4L * ib32);
                float db = d * (0.5f + (aux32 >>> 28)) * 0.5f;
                for (int l = 0; l < 4; ++l) {
                    int signs = KSIGNS_IQ2XS[(aux32 >>> (7 * l)) & 127];
                    int grid1 = 4 * u8(x, qs + 2 * l);
                    int grid2 = 4 * u8(x, qs + 2 * l + 1);
                    for (int j = 0; j < 4; ++j) {
                        y[yi + j] = db * IqGrids.IQ3XXS[grid1 + j] * sign(signs, j);
                        y[yi + j + 4] = db * IqGrids.IQ3XXS[grid2 + j] * sign(signs, j + 4);
                    }
                    yi += 8;
                }
                qs += 8;
            }
        }
    }

    // ---- block_iq3_s { ggml_half d; uint8_t qs[64]; uint8_t qh[8]; uint8_t signs[32]; uint8_t scales[4]; } (110) ----
    static void decodeIQ3_S(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 110) {
            float d = fp16(x, off);
            long qs = off + 2;
            long qh = off + 66;
            long signs = off + 74;
            for (int ib32 = 0; ib32 < 8; ib32 += 2) {
                int sc = u8(x, off + 106 + ib32 / 2);
                float db1 = d * (1 + 2 * (sc & 0xf));
                float db2 = d * (1 + 2 * (sc >>> 4));
                yi = iq3sHalf(x, qs, u8(x, qh), signs, db1, y, yi);
                qs += 8;
                signs += 4;
                yi = iq3sHalf(x, qs, u8(x, qh + 1), signs, db2, y, yi);
                qh += 2;
                qs += 8;
                signs += 4;
            }
        }
    }

    private static int iq3sHalf(MemorySegment x, long qs, int qh, long signs, float db, float[] y, int yi) {
        for (int l = 0; l < 4; ++l) {
            int grid1 = 4 * (u8(x, qs + 2 * l) | ((qh << (8 - 2 * l)) & 256));
            int grid2 = 4 * (u8(x, qs + 2 * l + 1) | ((qh << (7 - 2 * l)) & 256));
            int s = u8(x, signs + l);
            for (int j = 0; j < 4; ++j) {
                y[yi + j] = db * IqGrids.IQ3S[grid1 + j] * sign(s, j);
                y[yi + j + 4] = db * IqGrids.IQ3S[grid2 + j] * sign(s, j + 4);
            }
            yi += 8;
        }
        return yi;
    }

    // ---- block_iq1_s { ggml_half d; uint8_t qs[32]; uint16_t qh[8]; } (50 bytes) ----
    static void decodeIQ1_S(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 50) {
            float d = fp16(x, off);
            long qs = off + 2;
            for (int ib = 0; ib < 8; ++ib) {
                int qh = u16(x, off + 34 + 2L * ib);
                float dl = d * (2 * ((qh >>> 12) & 7) + 1);
                float delta = (qh & 0x8000) != 0 ? -IQ1S_DELTA : IQ1S_DELTA;
                for (int l = 0; l < 4; ++l) {
                    int grid = 8 * (u8(x, qs + l) | (((qh >>> (3 * l)) & 7) << 8));
                    for (int j = 0; j < 8; ++j) y[yi + j] = dl * (IqGrids.IQ1S[grid + j] + delta);
                    yi += 8;
                }
                qs += 4;
            }
        }
    }

    // ---- block_iq1_m { uint8_t qs[32]; uint8_t qh[16]; uint8_t scales[8]; } (56 bytes) ----
    // The fp16 super-block scale is scattered over the top nibbles of the four uint16 scale words (iq1m_scale_t).
    static void decodeIQ1_M(MemorySegment x, long off, float[] y, int yi, int blocks) {
        int[] idx = new int[4];
        float[] delta = new float[4];
        int[] sc = new int[4];
        for (int i = 0; i < blocks; i++, off += 56) {
            for (int k = 0; k < 4; k++) sc[k] = u16(x, off + 48 + 2L * k);
            int scale = (sc[0] >>> 12) | ((sc[1] >>> 8) & 0x00f0) | ((sc[2] >>> 4) & 0x0f00) | (sc[3] & 0xf000);
            float d = Float.float16ToFloat((short) scale);
            long qs = off;
            long qh = off + 32;
            for (int ib = 0; ib < 8; ++ib) {
                float dl1 = d * (2 * ((sc[ib / 2] >>> (6 * (ib % 2))) & 0x7) + 1);
                float dl2 = d * (2 * ((sc[ib / 2] >>> (6 * (ib % 2) + 3)) & 0x7) + 1);
                int qh0 = u8(x, qh);
                int qh1 = u8(x, qh + 1);
                idx[0] = u8(x, qs) | ((qh0 << 8) & 0x700);
                idx[1] = u8(x, qs + 1) | ((qh0 << 4) & 0x700);
                idx[2] = u8(x, qs + 2) | ((qh1 << 8) & 0x700);
                idx[3] = u8(x, qs + 3) | ((qh1 << 4) & 0x700);
                delta[0] = (qh0 & 0x08) != 0 ? -IQ1M_DELTA : IQ1M_DELTA;
                delta[1] = (qh0 & 0x80) != 0 ? -IQ1M_DELTA : IQ1M_DELTA;
                delta[2] = (qh1 & 0x08) != 0 ? -IQ1M_DELTA : IQ1M_DELTA;
                delta[3] = (qh1 & 0x80) != 0 ? -IQ1M_DELTA : IQ1M_DELTA;
                for (int l = 0; l < 4; ++l) {
                    float dl = l < 2 ? dl1 : dl2;
                    int grid = 8 * idx[l];
                    for (int j = 0; j < 8; ++j) y[yi + j] = dl * (IqGrids.IQ1S[grid + j] + delta[l]);
                    yi += 8;
                }
                qs += 4;
                qh += 2;
            }
        }
    }
}
