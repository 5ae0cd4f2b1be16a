package dev.tensorfile.gguf.quant;

import java.lang.foreign.MemorySegment;

import static dev.tensorfile.gguf.quant.Bits.fp16;
import static dev.tensorfile.gguf.quant.Bits.i8;
import static dev.tensorfile.gguf.quant.Bits.u8;

/**
 * Dequantization of the 256-element super-block "K" types {@code Q2_K} ... {@code Q6_K}.
 *
 * <p>Scalar specification: transcriptions of {@code dequantize_row_q2_K} ... {@code dequantize_row_q6_K}
 * (ggml-org/llama.cpp 01243c5, {@code ggml/src/ggml-quants.c}) evaluated in float32 in ggml's grouping, e.g.
 * Q4_K's {@code (d*sc)*q - (dmin*m)}, never fused. Offsets are those of the {@code block_q*_K} structs.
 */
final class KQuants {
    static final int QK_K = 256;

    private KQuants() {}

    /** {@code get_scale_min_k4}: the 6-bit scale (low 8 bits of the result) and min (bits 8..15) of sub-block j. */
    static int scaleMinK4(int j, MemorySegment x, long scales) {
        int sc;
        int m;
        if (j < 4) {
            sc = u8(x, scales + j) & 63;
            m = u8(x, scales + j + 4) & 63;
        } else {
            sc = (u8(x, scales + j + 4) & 0xF) | ((u8(x, scales + j - 4) >>> 6) << 4);
            m = (u8(x, scales + j + 4) >>> 4) | ((u8(x, scales + j) >>> 6) << 4);
        }
        return sc | (m << 8);
    }

    // ---- block_q2_K { uint8_t scales[16]; uint8_t qs[64]; ggml_half d; ggml_half dmin; } (84 bytes) ----
    static void decodeQ2_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 84) {
            float d = fp16(x, off + 80);
            float min = fp16(x, off + 82);
            long q = off + 16;
            int is = 0;
            for (int n = 0; n < QK_K; n += 128) {
                int shift = 0;
                for (int j = 0; j < 4; j++) {
                    int sc = u8(x, off + is++);
                    float dl = d * (sc & 0xF);
                    float ml = min * (sc >>> 4);
                    for (int l = 0; l < 16; l++) y[yi++] = dl * ((u8(x, q + l) >>> shift) & 3) - ml;
                    sc = u8(x, off + is++);
                    dl = d * (sc & 0xF);
                    ml = min * (sc >>> 4);
                    for (int l = 0; l < 16; l++) y[yi++] = dl * ((u8(x, q + l + 16) >>> shift) & 3) - ml;
                    shift += 2;
                }
                q += 32;
            }
        }
    }

    // ---- block_q3_K { uint8_t hmask[32]; uint8_t qs[64]; uint8_t scales[12]; ggml_half d; } (110 bytes) ----
    static void decodeQ3_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        int[] scales = new int[16];
        for (int i = 0; i < blocks; i++, off += 110) {
            float dAll = fp16(x, off + 108);
            long hm = off;
            long q = off + 32;
            long s = off + 96;
            // The 16 6-bit scales: low 4 bits in bytes 0..7 (low nibbles first), high 2 bits in bytes 8..11.
            for (int j = 0; j < 16; j++) {
                int low = j < 8 ? u8(x, s + j) & 0xF : u8(x, s + j - 8) >>> 4;
                int high = (u8(x, s + 8 + j % 4) >>> (2 * (j / 4))) & 3;
                scales[j] = (byte) (low | (high << 4));
            }
            int m = 1;
            int is = 0;
            for (int n = 0; n < QK_K; n += 128) {
                int shift = 0;
                for (int j = 0; j < 4; j++) {
                    float dl = dAll * (scales[is++] - 32);
                    for (int l = 0; l < 16; l++) {
                        y[yi++] = dl * (((u8(x, q + l) >>> shift) & 3) - ((u8(x, hm + l) & m) != 0 ? 0 : 4));
                    }
                    dl = dAll * (scales[is++] - 32);
                    for (int l = 0; l < 16; l++) {
                        y[yi++] = dl * (((u8(x, q + l + 16) >>> shift) & 3) - ((u8(x, hm + l + 16) & m) != 0 ? 0 : 4));
                    }
                    shift += 2;
                    m <<= 1;
                }
                q += 32;
            }
        }
    }

    // ---- block_q4_K { ggml_half d; ggml_half dmin; uint8_t scales[12]; uint8_t qs[128]; } (144 bytes) ----
    static void decodeQ4_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 144) {
            float d = fp16(x, off);
            float min = fp16(x, off + 2);
            long q = off + 16;
            int is = 0;
            for (int j = 0; j < QK_K; j += 64) {
                int sm = scaleMinK4(is, x, off + 4);
                float d1 = d * (sm & 0xFF);
                float m1 = min * (sm >>> 8);
                sm = scaleMinK4(is + 1, x, off + 4);
                float d2 = d * (sm & 0xFF);
                float m2 = min * (sm >>> 8);
                for (int l = 0; l < 32; l++) y[yi++] = d1 * (u8(x, q + l) & 0xF) - m1;
                for (int l = 0; l < 32; l++) y[yi++] = d2 * (u8(x, q + l) >>> 4) - m2;
                q += 32;
                is += 2;
            }
        }
    }

    // ---- block_q5_K { ggml_half d; ggml_half dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; } (176) ----
    static void decodeQ5_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 176) {
            float d = fp16(x, off);
            float min = fp16(x, off + 2);
            long qh = off + 16;
            long ql = off + 48;
            int is = 0;
            int u1 = 1;
            int u2 = 2;
            for (int j = 0; j < QK_K; j += 64) {
                int sm = scaleMinK4(is, x, off + 4);
                float d1 = d * (sm & 0xFF);
                float m1 = min * (sm >>> 8);
                sm = scaleMinK4(is + 1, x, off + 4);
                float d2 = d * (sm & 0xFF);
                float m2 = min * (sm >>> 8);
                for (int l = 0; l < 32; l++) {
                    y[yi++] = d1 * ((u8(x, ql + l) & 0xF) + ((u8(x, qh + l) & u1) != 0 ? 16 : 0)) - m1;
                }
                for (int l = 0; l < 32; l++) {
                    y[yi++] = d2 * ((u8(x, ql + l) >>> 4) + ((u8(x, qh + l) & u2) != 0 ? 16 : 0)) - m2;
                }
                ql += 32;
                is += 2;
                u1 <<= 2;
                u2 <<= 2;
            }
        }
    }

    // ---- block_q6_K { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; ggml_half d; } (210 bytes) ----
    static void decodeQ6_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 210) {
            float d = fp16(x, off + 208);
            long ql = off;
            long qh = off + 128;
            long sc = off + 192;
            for (int n = 0; n < QK_K; n += 128) {
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int h = u8(x, qh + l);
                    int q1 = ((u8(x, ql + l) & 0xF) | ((h & 3) << 4)) - 32;
                    int q2 = ((u8(x, ql + l + 32) & 0xF) | (((h >>> 2) & 3) << 4)) - 32;
                    int q3 = ((u8(x, ql + l) >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                    int q4 = ((u8(x, ql + l + 32) >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                    y[yi + l] = d * i8(x, sc + is) * q1;
                    y[yi + l + 32] = d * i8(x, sc + is + 2) * q2;
                    y[yi + l + 64] = d * i8(x, sc + is + 4) * q3;
                    y[yi + l + 96] = d * i8(x, sc + is + 6) * q4;
                }
                yi += 128;
                ql += 64;
                qh += 32;
                sc += 8;
            }
        }
    }
}
