package dev.tensorfile.gguf.kernels;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.spi.LittleEndian;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The plain-Java kernels every JVM gets without {@code jdk.incubator.vector}, written for C2's auto-vectoriser.
 *
 * <p>A row is taken a tile of {@value #TILE} elements at a time. The tile's raw blocks are copied into a
 * zero-based {@code byte[]} (one bounds and liveness check per tile, not per byte), its integer codes unpacked eight
 * at a time from little-endian longs into a {@code byte[]} with SWAR masks, and each element's scale (and min)
 * broadcast into a {@code float[]}; then one loop over the tile forms each weight exactly as ggml's
 * {@code dequantize_row_*} does and adds its product with the activation into lane {@code j} of {@value #TILE}
 * accumulators with a fused multiply-add. Every array of that loop is read at the same index as the accumulators
 * are written, the shape C2 vectorises (an array read at another offset could alias the accumulators, and is not);
 * the activations are therefore staged too.
 *
 * <p>The weights are ggml's bit for bit: every quantized weight here is a product of a binary16 scale, small
 * integers and a code that is exact in float32 (at most 23 significant bits, as the dequantizers note), so forming
 * it in any order gives the same float, and a K-quant's min is subtracted from that exact product in one rounding,
 * as ggml does. Rounding happens only in the sums: each lane receives at most {@code ceil(n / TILE)} products, one
 * rounding each, and the lanes are added pairwise ({@code log2 TILE = 8} more), so {@code h = ceil(n/256) + 8}.
 */
final class ScalarDots implements Dots {
    static final ScalarDots INSTANCE = new ScalarDots();
    /** Elements per tile and accumulator lanes: long loops get C2's widest vectors; a power of two, pairwise sums. */
    static final int TILE = 256;
    private static final int TILE_LOG2 = 8;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LO4 = 0x0F0F0F0F0F0F0F0FL;
    private static final long LO2 = 0x0303030303030303L;
    private static final long LO1 = 0x0101010101010101L;

    private ScalarDots() {}

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public String toString() {
        return "scalar, " + TILE + " lanes";
    }

    @Override
    public long roundings(long n) {
        return (n + TILE - 1) / TILE + TILE_LOG2;
    }

    @Override
    public DotKernel kernel(DType type) {
        return switch (type) {
            case F32 -> ScalarDots::dotF32;
            case F16 -> ScalarDots::dotF16;
            case BF16 -> ScalarDots::dotBF16;
            case Q8_0 -> ScalarDots::dotQ8_0;
            case Q4_0 -> ScalarDots::dotQ4_0;
            case Q4_K -> ScalarDots::dotQ4_K;
            case Q5_K -> ScalarDots::dotQ5_K;
            case Q6_K -> ScalarDots::dotQ6_K;
            default -> throw new IllegalArgumentException("no kernel for " + type);
        };
    }

    /** The sum of the lanes, pairwise, and the lanes cleared for the next row. */
    private static float reduce(float[] acc) {
        for (int len = TILE / 2; len > 0; len >>= 1) {
            for (int i = 0; i < len; i++) acc[i] += acc[i + len];
        }
        float s = acc[0];
        Arrays.fill(acc, 0f);
        return s;
    }

    private static float half(byte[] raw, int at) {
        return Float.float16ToFloat((short) SHORTS.get(raw, at));
    }

    private static void put(byte[] a, int at, long v) {
        LONGS.set(a, at, v);
    }

    private static long word(byte[] a, int at) {
        return (long) LONGS.get(a, at);
    }

    /**
     * {@code v - bias} in every byte of {@code v} (each byte below {@code 128 - bias}), as signed bytes: adding
     * {@code 0x80 - bias} cannot carry out of a byte, and flipping the top bit turns excess-128 into two's complement.
     */
    private static long minus(long v, int bias) {
        return (v + (0x80 - bias) * LO1) ^ (0x80 * LO1);
    }

    // ---- scalars: a tile of values, widened in the loop ----

    static float dotF32(MemorySegment s, long off, int n, float[] x, int xo, Scratch sc) {
        float[] acc = sc.acc;
        float[] w = sc.d;
        float[] xs = sc.x;
        for (int k = 0; k < n; k += TILE) {
            int len = Math.min(TILE, n - k);
            MemorySegment.copy(s, LittleEndian.FLOAT, off + 4L * k, w, 0, len);
            System.arraycopy(x, xo + k, xs, 0, len);
            for (int j = 0; j < len; j++) acc[j] = Math.fma(w[j], xs[j], acc[j]);
        }
        return reduce(acc);
    }

    static float dotF16(MemorySegment s, long off, int n, float[] x, int xo, Scratch sc) {
        float[] acc = sc.acc;
        short[] h = sc.h;
        float[] xs = sc.x;
        for (int k = 0; k < n; k += TILE) {
            int len = Math.min(TILE, n - k);
            MemorySegment.copy(s, LittleEndian.SHORT, off + 2L * k, h, 0, len);
            System.arraycopy(x, xo + k, xs, 0, len);
            for (int j = 0; j < len; j++) acc[j] = Math.fma(Float.float16ToFloat(h[j]), xs[j], acc[j]);
        }
        return reduce(acc);
    }

    static float dotBF16(MemorySegment s, long off, int n, float[] x, int xo, Scratch sc) {
        float[] acc = sc.acc;
        short[] h = sc.h;
        float[] xs = sc.x;
        for (int k = 0; k < n; k += TILE) {
            int len = Math.min(TILE, n - k);
            MemorySegment.copy(s, LittleEndian.SHORT, off + 2L * k, h, 0, len);
            System.arraycopy(x, xo + k, xs, 0, len);
            for (int j = 0; j < len; j++) acc[j] = Math.fma(Float.intBitsToFloat(h[j] << 16), xs[j], acc[j]);
        }
        return reduce(acc);
    }

    // ---- 32-element blocks: eight per tile ----

    /** ggml: {@code y = x.qs[j] * d}. */
    static float dotQ8_0(MemorySegment s, long off, int blocks, float[] x, int xo, Scratch sc) {
        float[] acc = sc.acc;
        byte[] raw = sc.raw;
        byte[] q = sc.q;
        float[] d = sc.d;
        float[] xs = sc.x;
        for (int b = 0; b < blocks; b += 8) {
            int nb = Math.min(8, blocks - b);
            int len = 32 * nb;
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off + 34L * b, raw, 0, 34 * nb);
            System.arraycopy(x, xo + 32 * b, xs, 0, len);
            for (int i = 0, r = 0; i < nb; i++, r += 34) {
                Arrays.fill(d, 32 * i, 32 * i + 32, half(raw, r));
                System.arraycopy(raw, r + 2, q, 32 * i, 32);
            }
            for (int j = 0; j < len; j++) acc[j] = Math.fma(q[j] * d[j], xs[j], acc[j]);
        }
        return reduce(acc);
    }

    /** ggml: {@code y[j] = ((qs[j] & 0xF) - 8) * d}, {@code y[j + 16] = ((qs[j] >> 4) - 8) * d}. */
    static float dotQ4_0(MemorySegment s, long off, int blocks, float[] x, int xo, Scratch sc) {
        float[] acc = sc.acc;
        byte[] raw = sc.raw;
        byte[] q = sc.q;
        float[] d = sc.d;
        float[] xs = sc.x;
        for (int b = 0; b < blocks; b += 8) {
            int nb = Math.min(8, blocks - b);
            int len = 32 * nb;
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off + 18L * b, raw, 0, 18 * nb);
            System.arraycopy(x, xo + 32 * b, xs, 0, len);
            for (int i = 0, r = 0; i < nb; i++, r += 18) {
                Arrays.fill(d, 32 * i, 32 * i + 32, half(raw, r));
                long lo = word(raw, r + 2);
                long hi = word(raw, r + 10);
                put(q, 32 * i, minus(lo & LO4, 8));
                put(q, 32 * i + 8, minus(hi & LO4, 8));
                put(q, 32 * i + 16, minus((lo >>> 4) & LO4, 8));
                put(q, 32 * i + 24, minus((hi >>> 4) & LO4, 8));
            }
            for (int j = 0; j < len; j++) acc[j] = Math.fma(q[j] * d[j], xs[j], acc[j]);
        }
        return reduce(acc);
    }

    // ---- K-quants: one 256-element block per tile ----

    /**
     * {@code d * sc} and {@code dmin * m} of the eight sub-blocks of a Q4_K/Q5_K block ({@code get_scale_min_k4}),
     * broadcast over each sub-block's 32 elements of {@code d} and {@code m}.
     */
    private static void scalesK4(byte[] raw, float[] d, float[] m) {
        float dd = half(raw, 0);
        float dmin = half(raw, 2);
        for (int j = 0; j < 8; j++) {
            int sc;
            int mn;
            if (j < 4) {
                sc = raw[4 + j] & 63;
                mn = raw[8 + j] & 63;
            } else {
                sc = (raw[8 + j] & 0xF) | (((raw[j] & 0xFF) >>> 6) << 4);
                mn = ((raw[8 + j] & 0xFF) >>> 4) | (((raw[4 + j] & 0xFF) >>> 6) << 4);
            }
            Arrays.fill(d, 32 * j, 32 * j + 32, dd * sc);
            Arrays.fill(m, 32 * j, 32 * j + 32, dmin * mn);
        }
    }

    /** ggml: {@code y[l] = d1 * (q[l] & 0xF) - m1}, {@code y[l + 32] = d2 * (q[l] >> 4) - m2}. */
    static float dotQ4_K(MemorySegment s, long off, int blocks, float[] x, int xo, Scratch sc) {
        float[] acc = sc.acc;
        byte[] raw = sc.raw;
        byte[] q = sc.q;
        float[] d = sc.d;
        float[] m = sc.m;
        float[] xs = sc.x;
        for (int b = 0; b < blocks; b++, off += 144, xo += 256) {
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off, raw, 0, 144);
            scalesK4(raw, d, m);
            for (int p = 0; p < 4; p++) {
                for (int t = 0; t < 32; t += 8) {
                    long v = word(raw, 16 + 32 * p + t);
                    put(q, 64 * p + t, v & LO4);
                    put(q, 64 * p + 32 + t, (v >>> 4) & LO4);
                }
            }
            System.arraycopy(x, xo, xs, 0, TILE);
            for (int j = 0; j < TILE; j++) acc[j] = Math.fma(q[j] * d[j] - m[j], xs[j], acc[j]);
        }
        return reduce(acc);
    }

    /** ggml: the fifth bit of sub-block {@code 2p} is bit {@code 2p} of {@code qh[l]}, of {@code 2p+1} bit {@code 2p+1}. */
    static float dotQ5_K(MemorySegment s, long off, int blocks, float[] x, int xo, Scratch sc) {
        float[] acc = sc.acc;
        byte[] raw = sc.raw;
        byte[] q = sc.q;
        float[] d = sc.d;
        float[] m = sc.m;
        float[] xs = sc.x;
        for (int b = 0; b < blocks; b++, off += 176, xo += 256) {
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off, raw, 0, 176);
            scalesK4(raw, d, m);
            for (int p = 0; p < 4; p++) {
                for (int t = 0; t < 32; t += 8) {
                    long v = word(raw, 48 + 32 * p + t);
                    long h = word(raw, 16 + t);
                    put(q, 64 * p + t, (v & LO4) | (((h >>> (2 * p)) & LO1) << 4));
                    put(q, 64 * p + 32 + t, ((v >>> 4) & LO4) | (((h >>> (2 * p + 1)) & LO1) << 4));
                }
            }
            System.arraycopy(x, xo, xs, 0, TILE);
            for (int j = 0; j < TILE; j++) acc[j] = Math.fma(q[j] * d[j] - m[j], xs[j], acc[j]);
        }
        return reduce(acc);
    }

    /**
     * ggml: four quarters of 32 per half-block {@code n}, {@code q = (ql nibble | two qh bits << 4) - 32}, scaled by
     * {@code d * scales[e / 16]} for element {@code e} of the block.
     */
    static float dotQ6_K(MemorySegment s, long off, int blocks, float[] x, int xo, Scratch sc) {
        float[] acc = sc.acc;
        byte[] raw = sc.raw;
        byte[] q = sc.q;
        float[] d = sc.d;
        float[] xs = sc.x;
        for (int b = 0; b < blocks; b++, off += 210, xo += 256) {
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off, raw, 0, 210);
            float dd = half(raw, 208);
            for (int g = 0; g < 16; g++) Arrays.fill(d, 16 * g, 16 * g + 16, dd * raw[192 + g]);
            for (int n = 0; n < 2; n++) {
                for (int t = 0; t < 32; t += 8) {
                    long lo = word(raw, 64 * n + t);
                    long hi = word(raw, 64 * n + 32 + t);
                    long h = word(raw, 128 + 32 * n + t);
                    int e = 128 * n + t;
                    put(q, e, minus((lo & LO4) | ((h & LO2) << 4), 32));
                    put(q, e + 32, minus((hi & LO4) | (((h >>> 2) & LO2) << 4), 32));
                    put(q, e + 64, minus(((lo >>> 4) & LO4) | (((h >>> 4) & LO2) << 4), 32));
                    put(q, e + 96, minus(((hi >>> 4) & LO4) | (((h >>> 6) & LO2) << 4), 32));
                }
            }
            System.arraycopy(x, xo, xs, 0, TILE);
            for (int j = 0; j < TILE; j++) acc[j] = Math.fma(q[j] * d[j], xs[j], acc[j]);
        }
        return reduce(acc);
    }
}
