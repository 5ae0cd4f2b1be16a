package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.spi.LittleEndian;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.tensorfile.gguf.quant.Bits.nearestInt;
import static dev.tensorfile.gguf.quant.Bits.toFp16;

/**
 * The reference quantizers of {@code Q4_K}, {@code Q5_K} and {@code Q6_K}: transcriptions of
 * {@code quantize_row_q4_K_ref}, {@code quantize_row_q5_K_ref}, {@code quantize_row_q6_K_ref} and their helpers
 * {@code make_qkx2_quants}, {@code make_qx_quants} and {@code nearest_int} (ggml-org/llama.cpp 01243c5,
 * {@code ggml/src/ggml-quants.c}). This is what {@code llama-quantize} runs when it has no importance matrix.
 * Float expressions keep C's left-to-right grouping; nothing is fused.
 */
final class KQuantizer {
    private static final float GROUP_MAX_EPS = 1e-15f;

    private KQuantizer() {}

    /** {@code make_qkx2_quants}: fits {@code x ≈ scale*L - min} (returned scale, {@code theMin[0]} = min). */
    static float makeQkx2Quants(int n, int nmax, float[] x, int xo, float[] weights, byte[] lArr, int lo,
                                float[] theMin, byte[] laux, float rmin, float rdelta, int nstep, boolean useMad) {
        float min = x[xo];
        float max = x[xo];
        float sumW = weights[0];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; ++i) {
            float xi = x[xo + i];
            if (xi < min) min = xi;
            if (xi > max) max = xi;
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; ++i) lArr[lo + i] = 0;
            theMin[0] = -min;
            return 0.f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; ++i) {
            int l = nearestInt(iscale * (x[xo + i] - min));
            lArr[lo + i] = (byte) Math.max(0, Math.min(nmax, l));
            float diff = scale * lArr[lo + i] + min - x[xo + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            float w = weights[i];
            bestError += w * diff;
        }
        if (nstep < 1) {
            theMin[0] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; ++is) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXl = 0;
            for (int i = 0; i < n; ++i) {
                int l = nearestInt(iscale * (x[xo + i] - min));
                l = Math.max(0, Math.min(nmax, l));
                laux[i] = (byte) l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXl += w * l * x[xo + i];
            }
            float bigD = sumW * sumL2 - sumL * sumL;
            if (bigD > 0) {
                float thisScale = (sumW * sumXl - sumX * sumL) / bigD;
                float thisMin = (sumL2 * sumX - sumL * sumXl) / bigD;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXl / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; ++i) {
                    float diff = thisScale * laux[i] + thisMin - x[xo + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    float w = weights[i];
                    curError += w * diff;
                }
                if (curError < bestError) {
                    System.arraycopy(laux, 0, lArr, lo, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[0] = -min;
        return scale;
    }

    /** {@code make_qx_quants} with {@code rmse_type = 1} and no importance weights (w = x²), as Q6_K uses it. */
    static float makeQxQuants(int n, int nmax, float[] x, int xo, byte[] lArr, int lo) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; ++i) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; ++i) lArr[lo + i] = 0;
            return 0.f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; ++i) {
            int l = nearestInt(iscale * x[xo + i]);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            lArr[lo + i] = (byte) (l + nmax);
            float w = x[xo + i] * x[xo + i];
            sumlx += w * x[xo + i] * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; ++is) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; ++i) {
                int l = nearestInt(iscale * x[xo + i]);
                l = Math.max(-nmax, Math.min(nmax - 1, l));
                float w = x[xo + i] * x[xo + i];
                sumlx += w * x[xo + i] * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; ++i) {
                    int l = nearestInt(iscale * x[xo + i]);
                    lArr[lo + i] = (byte) (nmax + Math.max(-nmax, Math.min(nmax - 1, l)));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    private static void putByte(MemorySegment y, long off, int v) {
        y.set(ValueLayout.JAVA_BYTE, off, (byte) v);
    }

    private static int getByte(MemorySegment y, long off) {
        return y.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    /** Shared body of the Q4_K and Q5_K reference quantizers (they differ in nmax and search range only). */
    private static void scalesAndMins(float[] x, int xo, MemorySegment y, long off, int nmax, float rmin,
                                      float rdelta, int nstep, byte[] lArr) {
        float[] mins = new float[8];
        float[] scales = new float[8];
        float[] weights = new float[32];
        byte[] laux = new byte[32];
        float[] theMin = new float[1];
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 8; ++j) {
            float sumX2 = 0;
            for (int l = 0; l < 32; ++l) sumX2 += x[xo + 32 * j + l] * x[xo + 32 * j + l];
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; ++l) weights[l] = avX + Math.abs(x[xo + 32 * j + l]);
            scales[j] = makeQkx2Quants(32, nmax, x, xo + 32 * j, weights, lArr, 32 * j, theMin, laux,
                    rmin, rdelta, nstep, false);
            mins[j] = theMin[0];
            float scale = scales[j];
            if (scale > maxScale) maxScale = scale;
            float min = mins[j];
            if (min > maxMin) maxMin = min;
        }
        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        long sc = off + 4;
        for (int j = 0; j < 12; j++) putByte(y, sc + j, 0);
        for (int j = 0; j < 8; ++j) {
            int ls = nearestInt(invScale * scales[j]) & 0xFF;
            int lm = nearestInt(invMin * mins[j]) & 0xFF;
            ls = Math.min(63, ls);
            lm = Math.min(63, lm);
            if (j < 4) {
                putByte(y, sc + j, ls);
                putByte(y, sc + j + 4, lm);
            } else {
                putByte(y, sc + j + 4, (ls & 0xF) | ((lm & 0xF) << 4));
                putByte(y, sc + j - 4, getByte(y, sc + j - 4) | ((ls >>> 4) << 6));
                putByte(y, sc + j, getByte(y, sc + j) | ((lm >>> 4) << 6));
            }
        }
        y.set(LittleEndian.SHORT, off, toFp16(maxScale / 63.f));
        y.set(LittleEndian.SHORT, off + 2, toFp16(maxMin / 63.f));
        float dAll = Bits.fp16(y, off);
        float dminAll = Bits.fp16(y, off + 2);
        for (int j = 0; j < 8; ++j) {
            int sm = KQuants.scaleMinK4(j, y, sc);
            float d = dAll * (sm & 0xFF);
            if (d == 0) continue;
            float dm = dminAll * (sm >>> 8);
            for (int ii = 0; ii < 32; ++ii) {
                int l = nearestInt((x[xo + 32 * j + ii] + dm) / d);
                l = Math.max(0, Math.min(nmax, l));
                lArr[32 * j + ii] = (byte) l;
            }
        }
    }

    /** {@code quantize_row_q4_K_ref}. */
    static void encodeQ4_K(float[] x, int xo, MemorySegment y, long off, int blocks) {
        byte[] lArr = new byte[256];
        for (int i = 0; i < blocks; i++, xo += 256, off += 144) {
            scalesAndMins(x, xo, y, off, 15, -1.f, 0.1f, 20, lArr);
            long q = off + 16;
            for (int j = 0; j < 256; j += 64) {
                for (int l = 0; l < 32; ++l) putByte(y, q + l, lArr[j + l] | (lArr[j + l + 32] << 4));
                q += 32;
            }
        }
    }

    /** {@code quantize_row_q5_K_ref}. */
    static void encodeQ5_K(float[] x, int xo, MemorySegment y, long off, int blocks) {
        byte[] lArr = new byte[256];
        for (int i = 0; i < blocks; i++, xo += 256, off += 176) {
            scalesAndMins(x, xo, y, off, 31, -0.5f, 0.1f, 15, lArr);
            long qh = off + 16;
            long ql = off + 48;
            for (int j = 0; j < 32; j++) putByte(y, qh + j, 0);
            int m1 = 1;
            int m2 = 2;
            for (int n = 0; n < 256; n += 64) {
                for (int j = 0; j < 32; ++j) {
                    int l1 = lArr[n + j];
                    if (l1 > 15) {
                        l1 -= 16;
                        putByte(y, qh + j, getByte(y, qh + j) | m1);
                    }
                    int l2 = lArr[n + j + 32];
                    if (l2 > 15) {
                        l2 -= 16;
                        putByte(y, qh + j, getByte(y, qh + j) | m2);
                    }
                    putByte(y, ql + j, l1 | (l2 << 4));
                }
                m1 <<= 2;
                m2 <<= 2;
                ql += 32;
            }
        }
    }

    /** {@code quantize_row_q6_K_ref}. */
    static void encodeQ6_K(float[] x, int xo, MemorySegment y, long off, int blocks) {
        byte[] lArr = new byte[256];
        float[] scales = new float[16];
        for (int i = 0; i < blocks; i++, xo += 256, off += 210) {
            float maxScale = 0;
            float maxAbsScale = 0;
            for (int ib = 0; ib < 16; ++ib) {
                float scale = makeQxQuants(16, 32, x, xo + 16 * ib, lArr, 16 * ib);
                scales[ib] = scale;
                float absScale = Math.abs(scale);
                if (absScale > maxAbsScale) {
                    maxAbsScale = absScale;
                    maxScale = scale;
                }
            }
            if (maxAbsScale < GROUP_MAX_EPS) {
                for (int j = 0; j < 210; j++) putByte(y, off + j, 0);
                continue;
            }
            float iscale = -128.f / maxScale;
            y.set(LittleEndian.SHORT, off + 208, toFp16(1 / iscale));
            for (int ib = 0; ib < 16; ++ib) {
                putByte(y, off + 192 + ib, Math.min(127, nearestInt(iscale * scales[ib])));
            }
            float dAll = Bits.fp16(y, off + 208);
            for (int j = 0; j < 16; ++j) {
                float d = dAll * y.get(ValueLayout.JAVA_BYTE, off + 192 + j);
                if (d == 0) continue;
                for (int ii = 0; ii < 16; ++ii) {
                    int l = nearestInt(x[xo + 16 * j + ii] / d);
                    l = Math.max(-32, Math.min(31, l));
                    lArr[16 * j + ii] = (byte) (l + 32);
                }
            }
            long ql = off;
            long qh = off + 128;
            for (int j = 0; j < 256; j += 128) {
                for (int l = 0; l < 32; ++l) {
                    int q1 = lArr[j + l] & 0xF;
                    int q2 = lArr[j + l + 32] & 0xF;
                    int q3 = lArr[j + l + 64] & 0xF;
                    int q4 = lArr[j + l + 96] & 0xF;
                    putByte(y, ql + l, q1 | (q3 << 4));
                    putByte(y, ql + l + 32, q2 | (q4 << 4));
                    putByte(y, qh + l, (lArr[j + l] >> 4) | ((lArr[j + l + 32] >> 4) << 2)
                            | ((lArr[j + l + 64] >> 4) << 4) | ((lArr[j + l + 96] >> 4) << 6));
                }
                ql += 64;
                qh += 32;
            }
        }
    }
}
