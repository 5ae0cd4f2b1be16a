package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Hand-built blocks for the types that have no tool-made reference here (no llama.cpp or gguf-py on this machine,
 * and the fixtures hold no IQ1/IQ2/IQ3, TQ, MXFP4, NVFP4, Q1_0 or Q2_0 tensors). Each expected value is derived by
 * hand, in the comment above it, from the layout in {@code ggml-common.h} and the formula of the matching
 * {@code dequantize_row_*} in {@code ggml-quants.c} (ggml-org/llama.cpp 01243c5); grid rows are quoted from the
 * C tables of that {@code ggml-common.h}. A block is written byte by byte, so a wrong field offset shows too.
 * The values are chosen to be exact in float32, so there is no rounding to argue about.
 */
class GoldenVectorTest {
    private static final short ONE = 0x3C00;       // fp16 1.0
    private static final short HALF = 0x3800;      // fp16 0.5

    private static float[] decode(DType type, byte[] block) {
        float[] out = new float[type.blockElements()];
        // decode at an odd source offset to exercise the unaligned path as well
        byte[] shifted = new byte[block.length + 1];
        System.arraycopy(block, 0, shifted, 1, block.length);
        QuantFixtures.codec(type).decode(MemorySegment.ofArray(shifted), 1, out, 0, 1);
        return out;
    }

    private static void half(byte[] b, int off, short h) {
        b[off] = (byte) h;
        b[off + 1] = (byte) (h >>> 8);
    }

    private static void u32(byte[] b, int off, int v) {
        for (int i = 0; i < 4; i++) b[off + i] = (byte) (v >>> (8 * i));
    }

    private static void expect(float[] y, int from, float... values) {
        for (int i = 0; i < values.length; i++) {
            assertEquals(values[i], y[from + i], 0.0f, "element " + (from + i));
        }
    }

    @Test
    void q1_0SignBits() {
        // block_q1_0 { d = 0.5; qs[16] }: bit j of qs[j/8] set -> +d, clear -> -d.
        byte[] b = new byte[18];
        half(b, 0, HALF);
        b[2] = 0b0000_0101;                 // elements 0 and 2 positive
        float[] y = decode(DType.Q1_0, b);
        expect(y, 0, 0.5f, -0.5f, 0.5f, -0.5f);
        expect(y, 127, -0.5f);
    }

    @Test
    void q2_0TwoBitCodes() {
        // block_q2_0 { d = 2.0; qs[16] }: element j = ((qs[j/4] >> 2*(j%4)) & 3) - 1, times d.
        // qs[0] = 0b11_10_01_00 -> codes 0,1,2,3 -> (-1, 0, 1, 2) * 2.
        byte[] b = new byte[18];
        half(b, 0, (short) 0x4000);
        b[2] = (byte) 0xE4;
        float[] y = decode(DType.Q2_0, b);
        expect(y, 0, -2f, 0f, 2f, 4f);
        expect(y, 4, -2f);                  // code 0 in qs[1]
    }

    @Test
    void tq2_0TritsInBitPairs() {
        // block_tq2_0 { qs[64]; d @64 = 1.5 }: element 32*l + m (first 128) = ((qs[m] >> 2l) & 3) - 1, times d.
        // qs[0] = 0b10_00_01_10: l=0 -> 2 (+d), l=1 -> 1 (0), l=2 -> 0 (-d), l=3 -> 2 (+d).
        byte[] b = new byte[66];
        b[0] = (byte) 0b10_00_01_10;
        half(b, 64, (short) 0x3E00);
        float[] y = decode(DType.TQ2_0, b);
        expect(y, 0, 1.5f);
        expect(y, 32, 0f);
        expect(y, 64, -1.5f);
        expect(y, 96, 1.5f);
        expect(y, 128, -1.5f);              // qs[32] = 0 -> code 0 -> -d
    }

    @Test
    void tq1_0FiveTritsPerByte() {
        // block_tq1_0 { qs[48]; qh[4]; d @52 = 1.0 }. qs[0] holds the trits of elements 0, 32, 64, 96, 128 as
        // ceil(v*256/243) with v = 81*t0 + 27*t1 + 9*t2 + 3*t3 + t4 (ggml's quantizer). Trits (2,0,1,2,1):
        // v = 162 + 0 + 9 + 6 + 1 = 178, byte = (178*256 + 242) / 243 = 188. Decoding trit n: q = (uint8)(188*3^n),
        // (q*3) >> 8: n=0: 188 -> 2; n=1: 564&255=52 -> 0; n=2: 1692&255=156 -> 1; n=3: 5076&255=212 -> 2;
        // n=4: 15228&255=124 -> 1. Element = (trit - 1) * d.
        byte[] b = new byte[54];
        b[0] = (byte) 188;
        half(b, 52, ONE);
        float[] y = decode(DType.TQ1_0, b);
        expect(y, 0, 1f);
        expect(y, 32, -1f);
        expect(y, 64, 0f);
        expect(y, 96, 1f);
        expect(y, 128, 0f);
        expect(y, 1, -1f);                  // byte 0 -> all trits 0 -> -d
        expect(y, 255, -1f);                // last element comes from qh[3]
    }

    @Test
    void mxfp4E8m0ScaleAndDoubledE2m1() {
        // block_mxfp4 { e; qs[16] }: y[j] = kvalues_mxfp4[qs[j] & 15] * 2^(e-128), y[j+16] from the high nibble.
        // e = 128 -> scale 1.0. qs[0] = 0xF5: low 5 -> 6 (E2M1 3.0 doubled), high 15 -> -12.
        byte[] b = new byte[17];
        b[0] = (byte) 128;
        b[1] = (byte) 0xF5;
        b[2] = 0x08;                        // low nibble 8 is "-0" in E2M1: kvalues has 0 there
        float[] y = decode(DType.MXFP4, b);
        expect(y, 0, 6f, 0f);
        expect(y, 16, -12f, 0f);
        // e = 0 is 2^-128, a float32 subnormal (0x00200000), not zero: code 1 -> 1 * 2^-128.
        b[0] = 0;
        b[1] = 0x01;
        y = decode(DType.MXFP4, b);
        assertEquals(0x00200000, Float.floatToRawIntBits(y[0]));
    }

    @Test
    void nvfp4Ue4m3ScalesPerSixteen() {
        // block_nvfp4 { d[4] (UE4M3, halved); qs[32] }: sub-block s covers elements 16s..16s+15; qs[8s+j] low
        // nibble -> element 16s+j, high nibble -> 16s+j+8. Scales: 0x38 = 2^(7-7) = 1.0 -> 0.5;
        // 0x7F = NaN code -> 0 on purpose; 0x01 = subnormal 1*2^-9 -> 2^-10; 0x3C = 1.5 -> 0.75.
        byte[] b = new byte[36];
        b[0] = 0x38;
        b[1] = 0x7F;
        b[2] = 0x01;
        b[3] = 0x3C;
        b[4] = 0x7A;        // s=0, j=0: low 0xA -> -2 -> -1.0; high 7 -> 12 -> 6.0
        b[4 + 8] = 0x77;    // s=1: scale 0 -> 0
        b[4 + 16] = 0x06;   // s=2: 8 * 2^-10 = 2^-7
        b[4 + 24] = 0x01;   // s=3: 1 * 0.75
        float[] y = decode(DType.NVFP4, b);
        expect(y, 0, -1f);
        expect(y, 8, 6f);
        expect(y, 16, 0f);
        expect(y, 24, 0f);
        expect(y, 32, 0.0078125f);
        expect(y, 48, 0.75f);
        expect(y, 56, 0f);
    }

    @Test
    void iq2_xxsGridSignsAndScale() {
        // block_iq2_xxs { d = 1.0; qs[32] as u16 }: per 32 weights, 4 grid bytes then a u32 with the scale in its top
        // 4 bits and four 7-bit sign indices. Scale 3 -> db = 1.0 * (0.5 + 3) * 0.25 = 0.875.
        // Grid rows (ggml-common.h iq2xxs_grid): [0] = 0x0808080808080808, [1] = 0x080808080808082b,
        // [255] = 0x2b2b2b1908081908 (bytes little-endian: 08 19 08 08 19 2b 2b 2b).
        // Sign index 1 for the second group: ksigns_iq2xs[1] = 129 -> elements 0 and 7 of that group negated.
        byte[] b = new byte[66];
        half(b, 0, ONE);
        b[2] = 0;
        b[3] = 1;
        b[4] = (byte) 255;
        b[5] = 0;
        u32(b, 6, (3 << 28) | (1 << 7));
        float[] y = decode(DType.IQ2_XXS, b);
        expect(y, 0, 7f, 7f, 7f, 7f, 7f, 7f, 7f, 7f);                          // 0.875 * 8
        expect(y, 8, -37.625f, 7f, 7f, 7f, 7f, 7f, 7f, -7f);                   // 0.875 * 43 = 37.625
        expect(y, 16, 7f, 21.875f, 7f, 7f, 21.875f, 37.625f, 37.625f, 37.625f); // 0.875 * 25 = 21.875
    }

    @Test
    void iq2_xsNineBitIndexAndSevenBitSigns() {
        // block_iq2_xs { d = 0.5; qs[32] u16 (9-bit grid index | 7-bit sign index << 9); scales[8] @66 }.
        // scales[0] = 0x21 -> db[0] = 0.5*(0.5+1)*0.25 = 0.1875 (groups 0,1), db[1] = 0.5*(0.5+2)*0.25 = 0.3125.
        // iq2xs_grid[511] = 0x2b2b2b2b2b2b2b2b; [508] = 0x2b2b2b2b082b2b08 (bytes 08 2b 2b 08 2b 2b 2b 2b).
        // qs[0] = 511 | 3 << 9: ksigns_iq2xs[3] = 3 -> elements 0 and 1 negated. qs[2] = 508, signs 0.
        byte[] b = new byte[74];
        half(b, 0, HALF);
        half(b, 2, (short) (511 | (3 << 9)));
        half(b, 6, (short) 508);
        b[66] = 0x21;
        float[] y = decode(DType.IQ2_XS, b);
        expect(y, 0, -8.0625f, -8.0625f, 8.0625f, 8.0625f, 8.0625f, 8.0625f, 8.0625f, 8.0625f); // 0.1875*43
        expect(y, 16, 2.5f, 13.4375f, 13.4375f, 2.5f, 13.4375f, 13.4375f, 13.4375f, 13.4375f);   // 0.3125*8, *43
    }

    @Test
    void iq2_sSeparateSignBytes() {
        // block_iq2_s { d = 1.0; qs[64] (32 index bytes, then 32 sign bytes); qh[8] @66; scales[8] @74 }.
        // scales[0] = 0 -> db = 1.0 * 0.5 * 0.25 = 0.125. qs[0] = 20, qh[0] = 0 -> iq2s_grid[20] =
        // 0x0808080819192b08 (bytes 08 2b 19 19 08 08 08 08); sign byte qs[32] = 0x02 negates element 1.
        byte[] b = new byte[82];
        half(b, 0, ONE);
        b[2] = 20;
        b[2 + 32] = 0x02;
        float[] y = decode(DType.IQ2_S, b);
        expect(y, 0, 1f, -5.375f, 3.125f, 3.125f, 1f, 1f, 1f, 1f);
    }

    @Test
    void iq3_xxsFourByteGrid() {
        // block_iq3_xxs { d = 1.0; qs[96]: 64 index bytes, then 8 u32 (scale << 28 | 4 sign indices) }.
        // Scale 1 -> db = 1.0 * (0.5 + 1) * 0.5 = 0.75. iq3xxs_grid[1] = 0x04040414 (bytes 14 04 04 04),
        // [5] = 0x04040c3e (bytes 3e 0c 04 04). Sign index 0 -> no negation.
        byte[] b = new byte[98];
        half(b, 0, ONE);
        b[2] = 1;
        b[3] = 5;
        u32(b, 2 + 64, 1 << 28);
        float[] y = decode(DType.IQ3_XXS, b);
        expect(y, 0, 15f, 3f, 3f, 3f, 46.5f, 9f, 3f, 3f);     // 0.75 * {20,4,4,4, 62,12,4,4}
    }

    @Test
    void iq3_sOddScalesAndSignBytes() {
        // block_iq3_s { d = 1.0; qs[64]; qh[8] @66; signs[32] @74; scales[4] @106 }.
        // scales[0] = 1 -> db1 = 1.0 * (1 + 2*1) = 3. qs[0] = 13 -> iq3s_grid[13] = 0x01010707 (07 07 01 01),
        // qs[1] = 17 -> iq3s_grid[17] = 0x0101090f (0f 09 01 01); signs[0] = 0x10 negates element 4.
        byte[] b = new byte[110];
        half(b, 0, ONE);
        b[2] = 13;
        b[3] = 17;
        b[74] = 0x10;
        b[106] = 1;
        float[] y = decode(DType.IQ3_S, b);
        expect(y, 0, 21f, 21f, 3f, 3f, -45f, 27f, 3f, 3f);
    }

    @Test
    void iq1_sDeltaAndOddScale() {
        // block_iq1_s { d = 1.0; qs[32]; qh[8] u16 @34 }: qh = sign of delta (bit 15) | 3-bit scale (bits 12..14)
        // | 4 × 3 high index bits. dl = d * (2*scale + 1); y = dl * (grid + delta), delta = ±0.125.
        // iq1s_grid[0] is all -1. Group 0: scale 2 -> dl = 5, delta +0.125 -> 5 * -0.875 = -4.375.
        // Group 1 (qh[1] = 0x8000): scale 0 -> dl = 1, delta -0.125 -> 1 * -1.125.
        byte[] b = new byte[50];
        half(b, 0, ONE);
        half(b, 34, (short) (2 << 12));
        half(b, 36, (short) 0x8000);
        float[] y = decode(DType.IQ1_S, b);
        expect(y, 0, -4.375f, -4.375f, -4.375f, -4.375f, -4.375f, -4.375f, -4.375f, -4.375f);
        expect(y, 32, -1.125f, -1.125f);
    }

    @Test
    void iq1_mScatteredFp16Scale() {
        // block_iq1_m { qs[32]; qh[16] @32; scales[8] @48 as 4 u16 }: the fp16 super-scale is the top nibbles of
        // sc[0..3] (sc[0] -> bits 0-3 ... sc[3] -> bits 12-15). fp16 1.0 = 0x3C00: sc[2] top = 0xC, sc[3] top = 0x3.
        // sc[0] = 0x0011: block 0 scale1 = 1 -> dl1 = 3, scale2 = 2 -> dl2 = 5.
        // qh[0] = 0x80: delta of grid 1 negative; others +0.125. Grid entry 0 = all -1.
        byte[] b = new byte[56];
        b[32] = (byte) 0x80;
        half(b, 48, (short) 0x0011);
        half(b, 52, (short) 0xC000);
        half(b, 54, (short) 0x3000);
        float[] y = decode(DType.IQ1_M, b);
        expect(y, 0, -2.625f);      // 3 * (-1 + 0.125)
        expect(y, 8, -3.375f);      // 3 * (-1 - 0.125)
        expect(y, 16, -4.375f);     // 5 * (-1 + 0.125)
        expect(y, 24, -4.375f);
    }
}
