package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.spi.LittleEndian;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.tensorfile.gguf.quant.Bits.fp16;
import static dev.tensorfile.gguf.quant.Bits.i8;
import static dev.tensorfile.gguf.quant.Bits.toFp16;
import static dev.tensorfile.gguf.quant.Bits.u32;
import static dev.tensorfile.gguf.quant.Bits.u8;

/**
 * The 32-element block types with one or two fp16 factors ({@code Q4_0}, {@code Q4_1}, {@code Q5_0},
 * {@code Q5_1}, {@code Q8_0}) and the newer 1- and 2-bit ones ({@code Q1_0}, {@code Q2_0}).
 *
 * <p>Scalar specification: each decoder transcribes {@code dequantize_row_*} of ggml's {@code ggml-quants.c}
 * (ggml-org/llama.cpp 01243c5) in float32, in ggml's operation order, without fused multiply-add; each encoder
 * transcribes {@code quantize_row_*_ref}. Field names and offsets are those of the {@code block_*} structs of
 * {@code ggml-common.h}. Low nibbles hold the first half of a block, high nibbles the second.
 */
final class LegacyQuants {
    private LegacyQuants() {}

    // ---- block_q4_0 { ggml_half d; uint8_t qs[16]; } ----
    static void decodeQ4_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 18, yi += 32) {
            float d = fp16(x, off);
            for (int j = 0; j < 16; j++) {
                int q = u8(x, off + 2 + j);
                int x0 = (q & 0x0F) - 8;
                int x1 = (q >>> 4) - 8;
                y[yi + j] = x0 * d;
                y[yi + j + 16] = x1 * d;
            }
        }
    }

    // ---- block_q4_1 { ggml_half d; ggml_half m; uint8_t qs[16]; } ----
    static void decodeQ4_1(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 20, yi += 32) {
            float d = fp16(x, off);
            float m = fp16(x, off + 2);
            for (int j = 0; j < 16; j++) {
                int q = u8(x, off + 4 + j);
                int x0 = q & 0x0F;
                int x1 = q >>> 4;
                y[yi + j] = x0 * d + m;      // two roundings: x0*d, then + m
                y[yi + j + 16] = x1 * d + m;
            }
        }
    }

    // ---- block_q5_0 { ggml_half d; uint8_t qh[4]; uint8_t qs[16]; } ----
    static void decodeQ5_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 22, yi += 32) {
            float d = fp16(x, off);
            int qh = u32(x, off + 2);
            for (int j = 0; j < 16; j++) {
                int xh0 = ((qh >>> j) << 4) & 0x10;
                int xh1 = (qh >>> (j + 12)) & 0x10;
                int q = u8(x, off + 6 + j);
                int x0 = ((q & 0x0F) | xh0) - 16;
                int x1 = ((q >>> 4) | xh1) - 16;
                y[yi + j] = x0 * d;
                y[yi + j + 16] = x1 * d;
            }
        }
    }

    // ---- block_q5_1 { ggml_half d; ggml_half m; uint8_t qh[4]; uint8_t qs[16]; } ----
    static void decodeQ5_1(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 24, yi += 32) {
            float d = fp16(x, off);
            float m = fp16(x, off + 2);
            int qh = u32(x, off + 4);
            for (int j = 0; j < 16; j++) {
                int xh0 = ((qh >>> j) << 4) & 0x10;
                int xh1 = (qh >>> (j + 12)) & 0x10;
                int q = u8(x, off + 8 + j);
                int x0 = (q & 0x0F) | xh0;
                int x1 = (q >>> 4) | xh1;
                y[yi + j] = x0 * d + m;
                y[yi + j + 16] = x1 * d + m;
            }
        }
    }

    // ---- block_q8_0 { ggml_half d; int8_t qs[32]; } ----
    static void decodeQ8_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 34, yi += 32) {
            float d = fp16(x, off);
            for (int j = 0; j < 32; j++) {
                y[yi + j] = i8(x, off + 2 + j) * d;
            }
        }
    }

    // ---- block_q1_0 { ggml_half d; uint8_t qs[16]; }, QK1_0 = 128: one sign bit per element ----
    static void decodeQ1_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 18, yi += 128) {
            float d = fp16(x, off);
            float negD = -d;
            for (int j = 0; j < 128; j++) {
                int bit = (u8(x, off + 2 + j / 8) >>> (j % 8)) & 1;
                y[yi + j] = bit != 0 ? d : negD;
            }
        }
    }

    // ---- block_q2_0 { ggml_half d; uint8_t qs[16]; }, QK2_0 = 64: codes 00=-1, 01=0, 10=+1, 11=+2 ----
    static void decodeQ2_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        for (int i = 0; i < blocks; i++, off += 18, yi += 64) {
            float d = fp16(x, off);
            for (int j = 0; j < 64; j++) {
                int q = (u8(x, off + 2 + j / 4) >>> ((j % 4) * 2)) & 0x03;
                y[yi + j] = (q - 1) * d;
            }
        }
    }

    // ================= reference quantizers =================

    /** {@code quantize_row_q4_0_ref}: the signed value of largest magnitude maps to -8. */
    static void encodeQ4_0(float[] x, int xi, MemorySegment y, long off, int blocks) {
        for (int i = 0; i < blocks; i++, xi += 32, off += 18) {
            float amax = 0.0f;
            float max = 0.0f;
            for (int j = 0; j < 32; j++) {
                float v = x[xi + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            y.set(LittleEndian.SHORT, off, toFp16(d));
            for (int j = 0; j < 16; j++) {
                float x0 = x[xi + j] * id;
                float x1 = x[xi + 16 + j] * id;
                int xi0 = Math.min(15, (byte) (int) (x0 + 8.5f));
                int xi1 = Math.min(15, (byte) (int) (x1 + 8.5f));
                y.set(ValueLayout.JAVA_BYTE, off + 2 + j, (byte) (xi0 | (xi1 << 4)));
            }
        }
    }

    /** {@code quantize_row_q4_1_ref}: minimum and range over 15 steps. */
    static void encodeQ4_1(float[] x, int xi, MemorySegment y, long off, int blocks) {
        for (int i = 0; i < blocks; i++, xi += 32, off += 20) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < 32; j++) {
                float v = x[xi + j];
                if (v < min) min = v;
                if (v > max) max = v;
            }
            float d = (max - min) / ((1 << 4) - 1);
            float id = d != 0 ? 1.0f / d : 0.0f;
            y.set(LittleEndian.SHORT, off, toFp16(d));
            y.set(LittleEndian.SHORT, off + 2, toFp16(min));
            for (int j = 0; j < 16; j++) {
                float x0 = (x[xi + j] - min) * id;
                float x1 = (x[xi + 16 + j] - min) * id;
                int xi0 = Math.min(15, (byte) (int) (x0 + 0.5f));
                int xi1 = Math.min(15, (byte) (int) (x1 + 0.5f));
                y.set(ValueLayout.JAVA_BYTE, off + 4 + j, (byte) (xi0 | (xi1 << 4)));
            }
        }
    }

    /** {@code quantize_row_q5_0_ref}: like Q4_0 over 32 levels, the fifth bits gathered in {@code qh}. */
    static void encodeQ5_0(float[] x, int xi, MemorySegment y, long off, int blocks) {
        for (int i = 0; i < blocks; i++, xi += 32, off += 22) {
            float amax = 0.0f;
            float max = 0.0f;
            for (int j = 0; j < 32; j++) {
                float v = x[xi + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            y.set(LittleEndian.SHORT, off, toFp16(d));
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                float x0 = x[xi + j] * id;
                float x1 = x[xi + 16 + j] * id;
                int xi0 = Math.min(31, (byte) (int) (x0 + 16.5f));
                int xi1 = Math.min(31, (byte) (int) (x1 + 16.5f));
                y.set(ValueLayout.JAVA_BYTE, off + 6 + j, (byte) ((xi0 & 0x0F) | ((xi1 & 0x0F) << 4)));
                qh |= ((xi0 & 0x10) >>> 4) << j;
                qh |= ((xi1 & 0x10) >>> 4) << (j + 16);
            }
            y.set(LittleEndian.INT, off + 2, qh);
        }
    }

    /** {@code quantize_row_q5_1_ref}. */
    static void encodeQ5_1(float[] x, int xi, MemorySegment y, long off, int blocks) {
        for (int i = 0; i < blocks; i++, xi += 32, off += 24) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < 32; j++) {
                float v = x[xi + j];
                if (v < min) min = v;
                if (v > max) max = v;
            }
            float d = (max - min) / ((1 << 5) - 1);
            float id = d != 0 ? 1.0f / d : 0.0f;
            y.set(LittleEndian.SHORT, off, toFp16(d));
            y.set(LittleEndian.SHORT, off + 2, toFp16(min));
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                float x0 = (x[xi + j] - min) * id;
                float x1 = (x[xi + 16 + j] - min) * id;
                int xi0 = ((int) (x0 + 0.5f)) & 0xFF;   // (uint8_t) conversion, no clamp in ggml
                int xi1 = ((int) (x1 + 0.5f)) & 0xFF;
                y.set(ValueLayout.JAVA_BYTE, off + 8 + j, (byte) ((xi0 & 0x0F) | ((xi1 & 0x0F) << 4)));
                qh |= ((xi0 & 0x10) >>> 4) << j;
                qh |= ((xi1 & 0x10) >>> 4) << (j + 16);
            }
            y.set(LittleEndian.INT, off + 4, qh);
        }
    }

    /** {@code quantize_row_q8_0_ref}: absolute maximum over 127, {@code roundf} of each scaled value. */
    static void encodeQ8_0(float[] x, int xi, MemorySegment y, long off, int blocks) {
        for (int i = 0; i < blocks; i++, xi += 32, off += 34) {
            float amax = 0.0f;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[xi + j]));
            }
            float d = amax / ((1 << 7) - 1);
            float id = d != 0 ? 1.0f / d : 0.0f;
            y.set(LittleEndian.SHORT, off, toFp16(d));
            for (int j = 0; j < 32; j++) {
                float x0 = x[xi + j] * id;
                y.set(ValueLayout.JAVA_BYTE, off + 2 + j, (byte) (int) Bits.roundf(x0));
            }
        }
    }
}
