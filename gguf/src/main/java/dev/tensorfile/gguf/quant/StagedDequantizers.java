package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The plain-Java kernels every JVM gets without {@code jdk.incubator.vector}: the same results as
 * {@link ReferenceDequantizers}, bit for bit, in loops C2 auto-vectorises.
 *
 * <p>What C2 (JDK 25) needs, measured on the kernels here with the JIT's own disassembly:
 * <ul>
 *   <li>Sources in small zero-based staging arrays of bytes or shorts, never read byte by byte from the segment:
 *       the codes of a block are unpacked eight at a time from {@link ValueLayout#JAVA_LONG_UNALIGNED} words with
 *       SWAR masks and stored as longs ({@link #LONGS}). A loop that reads a narrow array at the same offset as
 *       it writes the float array is not vectorised; a float staging array indexed differently from the output
 *       may alias it and is not either.</li>
 *   <li>Long loops: C2 sizes the vectors by the trip count, 128 bits below about 128 iterations and 512 bits
 *       at 256 or more, and pays a fixed pre-/post-loop cost per loop. The 32-element types therefore decode 64
 *       blocks per loop, with the fp16 scale of each block broadcast into 32 shorts of a {@code long[]} (plain long
 *       stores; read back as shorts through a heap segment and converted in the loop by the vectorised
 *       {@link Float#float16ToFloat}); Q4_K runs the 32
 *       elements of four sub-blocks in one loop, a scale per statement; the other K types a whole super-block in
 *       one loop over staged per-element scales (and mins), below.</li>
 *   <li>No multiplication of two narrow integers (C2 does not vectorise it); products that ggml forms as
 *       {@code (d*sc)*q} are exact in float32 for every K type (at most 23 significant bits, see
 *       {@link #decodeQ6_K}), so they can be formed in any order without changing a bit.</li>
 *   <li>No masks or shifts on a narrow element loaded in the float loop: {@code d * (q[k] & 0xF)} over a
 *       {@code byte[]} runs scalar (9 GB/s against 54 for {@code d * q[k]}), and so does integer arithmetic mixed
 *       with a {@code byte[]} source; over an {@code int[]} source it vectorises ({@link #decodeTQ1_0}). Field
 *       extraction therefore happens in the SWAR staging, and the float loop only widens, converts and
 *       multiplies.</li>
 *   <li>The trip count, not the statement count: a 32-trip loop with 32 statements (a block written out by hand)
 *       is not packed at all; 32-trip loops get 128-bit vectors and scalar pre-/post-loops (17 GB/s for a bare
 *       {@code y = d * q} per 32 elements, 58 per 256). Every loop pays about 16 scalar elements per statement (its
 *       pre-loop aligns the store and runs at least once, its post-loop takes the rest), so several statements per
 *       loop do not share that cost; only longer trip counts do.</li>
 *   <li>So the K types (a factor per 32 elements, two per 256) stay near 0.3x ggml here. Loop-only ceilings for
 *       256 elements with loop-invariant {@code d}, {@code n} (thread CPU time, 1 MiB output): {@code d*q[k] - n}
 *       over a byte[] 38-41 GB/s; {@code d*p[k] - n*m[k]} (short, byte) 26, at 1024 trips 37, at 4096 40;
 *       {@code d*(sc[k]*q[k]) - n*m[k]} (three byte[]) 19.5; Q4_K's four statements of 32 trips 17.7. A loop per
 *       super-block thus caps near 26, and longer loops would need {@code d} and {@code dmin} per element as well
 *       (another 128 long stores per block). Tried for Q4_K (14.1 GB/s as it is): {@code sc*q} staged as shorts
 *       ({@code Long.expand} into 16-bit lanes, one multiply per four) and {@code m} as bytes, one 256-trip loop
 *       per block: 10 (64 + 32 stores and 64 multiplies per block, and C2 spills in the staging); four blocks as
 *       four statements of one 256-trip loop: not vectorised at all (3); {@code q}, {@code sc}, {@code m} as three
 *       byte arrays: 13.0 (13.3 with a block copy instead of reads from the segment). The three byte arrays do win
 *       for Q5_K, whose codes were staged from a block copy already: 11.9 against 11.3; and by far for the types
 *       with a scale per 16 elements, whose four-statement loops had 16 trips: Q6_K 13.6 against 7.8 (9.5 of it
 *       with reads from the segment, the rest from a block copy), Q2_K 13.6 against 9.9, Q3_K 10.9 against 7.5.
 *       Packing {@code q | sc << 4 | m << 10} into one short fails: masks on shorts in the float loop run scalar
 *       (2.8); on an int[] they vectorise (26 for two fields), but an int per element is 128 stores per block.
 *       {@code Math.fma(d, sc*q, -(dmin*m))} would be exact as well but flips the sign of a NaN {@code dmin*m},
 *       which ggml's subtraction returns unchanged.</li>
 *   <li>Batching K super-blocks into one long float loop, as the 32-element types do, loses for Q4_K (14 GB/s as
 *       it is; eight super-blocks, 2048 elements, per batch copied into a {@code byte[]}; thread CPU time, resident,
 *       on the AMD EPYC (AVX-512) the benchmarks run on). Each sub-block's ggml factors {@code d*sc}, {@code dmin*m}
 *       broadcast as float bits into two {@code long[]} (16 long stores per sub-block each) and read back as floats
 *       through heap segments: 4.4, since C2 does not vectorise float loads from a segment next to a
 *       {@code float[]} store (as with Q8_0's float32 broadcast, below). As two {@code float[]} filled by float
 *       stores, the float loop writing a {@code float[]} tile indexed like them (so no aliasing doubt) and copied
 *       out: 7.8, and 16.3 with the two broadcasts left out; with a constant float loop the long-store broadcasts
 *       alone take 23 down to 14: a float factor per element stores twice the output again. {@code d} and
 *       {@code dmin} as fp16 broadcast per super-block, {@code sc*q} staged as shorts ({@link Long#expand} and
 *       one multiply per four codes), {@code m} as bytes, one 2048-trip {@code d*p - dmin*m}: 24.9 for the float
 *       loop and copy alone, 19.3 with the two fp16 broadcasts, 15.8 with {@code m}, 8.5 with the products. The
 *       factors {@code d*sc} broadcast straight into the output and then {@code y = y*q - dmin*m} in place: 9.4
 *       (16.7 without that broadcast). The present kernel run from a batch copy instead of reads from the segment:
 *       12.4. So Q5_K was left as it is too.</li>
 *   <li>No stores into a {@link MemorySegment} in the float loop: C2 does not vectorise them (2.6 GB/s), so a
 *       segment destination goes through an L1-resident tile ({@link #segmentDecoder}).</li>
 *   <li>One job per staging loop: SuperWord packs the like statements of one iteration of a loop over blocks (the
 *       eight long stores of a broadcast into one 512-bit store of a replicated value, four long copies into one
 *       32-byte move) only in a loop that does nothing else, and copies only when the destination cannot alias the
 *       source (a {@code long[]} filled from the {@code byte[]} batch; {@code byte[]} to {@code byte[]} stays eight-byte
 *       moves). Splitting the broadcast out of the code staging took Q8_0 from 24 to 31 GB/s, Q4_0 from 20 to 26.5,
 *       Q4_1 from 14 to 19, Q5_1 from 11.4 to 13.1 (thread CPU time, resident).</li>
 *   <li>The float loop of a 32-element type is already as fast as all of ggml's decode (59-64 GB/s alone for Q8_0:
 *       per 16 floats a byte widening, two conversions and a multiply, against ggml's widening, conversion and
 *       multiply by a register), so the staging is what separates the two. Tried for Q8_0 without a gain: the scale
 *       broadcast as float32 (into a {@code float[]}, or an {@code int[]} read through {@link Float#intBitsToFloat},
 *       or a native segment: the float loop is no longer vectorised, 9 GB/s, since C2 cannot tell such loads from
 *       the {@code float[]} output, and does not vectorise the bit cast); the 32 statements of a block in a loop over
 *       blocks with the scale as a scalar (not packed: the widening conversion times a replicated scalar); batches of
 *       128 or 256 blocks (slower: output and staging no longer fit L1 together); codes and broadcast read straight
 *       from the source segment (36 GB/s while the JVM has seen one segment class, 4.6 once the same call sites have
 *       seen heap, native and read-only segments: the per-batch copy keeps 31 either way).</li>
 * </ul>
 * <p>Sources are read from a copy in a {@code byte[]} (a batch or a block at a time), not through the segment in the
 * block loop: C2 compiles each segment access for the segment classes it has seen there, and once a JVM has decoded
 * from heap, native and mapped segments in-place reads go megamorphic for good (thread CPU time, mapped source
 * after heap and native ones: Q4_K 14.2 to 4.8 GB/s, TQ2_0 28 to 4.9; with a batch copy 12.6 and 25, at a cost of
 * 5-15% while only one class has been seen).
 * Types without a kernel here decode with the reference transcriptions. Tails shorter than a batch use them too.
 */
final class StagedDequantizers implements Dequantizers {
    static final StagedDequantizers INSTANCE = new StagedDequantizers();

    /** Little-endian long stores into a {@code byte[]} staging array. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LO4 = 0x0F0F0F0F0F0F0F0FL;
    private static final long LO2 = 0x0303030303030303L;
    private static final long LO1 = 0x0101010101010101L;
    private static final long HALVES = 0x0001000100010001L;
    /** Blocks of a 32-element type per loop: 2048 elements, enough for C2 to use its widest vectors. */
    private static final int BATCH = 64;
    private static final int BATCH_ELEMENTS = BATCH * 32;

    private StagedDequantizers() {}

    /**
     * The staging arrays of the 32-element kernels and the tile of {@link #segmentDecoder}, one set per thread and
     * reused across calls. Fresh arrays per call cost as much as the decoding itself for calls of a few thousand
     * elements (a row, a tile): each allocation hands out new, cache-cold lines (measured: Q8_0 in 4096-element
     * calls 17 GB/s with fresh arrays, 20 with these, 24 in one call of 1 MiB).
     */
    private static final class Scratch {
        final byte[] raw = new byte[BATCH * 34];
        final byte[] q = new byte[BATCH_ELEMENTS];
        final long[] h = new long[BATCH_ELEMENTS / 4];
        final long[] hm = new long[BATCH_ELEMENTS / 4];
        final MemorySegment hs = MemorySegment.ofArray(h);
        final MemorySegment hms = MemorySegment.ofArray(hm);
        final float[] tile = new float[TILE];
        /** Q8_0's codes as longs: a {@code long[]} cannot alias {@link #raw}, so C2 packs the copy into 32-byte moves. */
        final long[] ql = new long[BATCH_ELEMENTS / 8];
        final MemorySegment qls = MemorySegment.ofArray(ql);
        /** TQ1_0's products of source byte and power of three, two ints per long, one block at a time. */
        final long[] tq = new long[128];
        final MemorySegment tqs = MemorySegment.ofArray(tq);
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    /** Floats per tile of a segment destination: 16 KiB, L1-resident between the decode and the copy out. */
    private static final int TILE = 4096;

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public BlockDecoder decoder(DType type) {
        return switch (type) {
            case Q8_0 -> StagedDequantizers::decodeQ8_0;
            case Q4_0 -> StagedDequantizers::decodeQ4_0;
            case Q4_1 -> StagedDequantizers::decodeQ4_1;
            case Q5_0 -> StagedDequantizers::decodeQ5_0;
            case Q5_1 -> StagedDequantizers::decodeQ5_1;
            case IQ4_NL -> StagedDequantizers::decodeIQ4_NL;
            case Q2_K -> StagedDequantizers::decodeQ2_K;
            case Q3_K -> StagedDequantizers::decodeQ3_K;
            case Q4_K -> StagedDequantizers::decodeQ4_K;
            case Q5_K -> StagedDequantizers::decodeQ5_K;
            case Q6_K -> StagedDequantizers::decodeQ6_K;
            case IQ4_XS -> StagedDequantizers::decodeIQ4_XS;
            case TQ1_0 -> StagedDequantizers::decodeTQ1_0;
            case TQ2_0 -> StagedDequantizers::decodeTQ2_0;
            default -> null;
        };
    }

    /**
     * Decodes a tile at a time into this thread's {@link Scratch#tile} and copies it out: C2 (JDK 25) does not
     * vectorise stores into a segment (2.6 GB/s for Q4_K, against 14 into an array), so a bounce through an
     * L1-resident array is the fast plain-Java way; the tile and the staging arrays are reused across calls.
     */
    @Override
    public SegmentDecoder segmentDecoder(DType type) {
        BlockDecoder d = decoder(type);
        if (d == null) return null;
        int per = type.blockElements();
        int bytes = type.blockBytes();
        int tileBlocks = TILE / per;
        return (src, srcOffset, dst, dstIndex, blocks) -> {
            float[] tile = SCRATCH.get().tile;
            for (int done = 0; done < blocks; done += tileBlocks) {
                int n = Math.min(tileBlocks, blocks - done);
                d.decode(src, srcOffset + (long) done * bytes, tile, 0, n);
                MemorySegment.copy(tile, 0, dst, LittleEndian.FLOAT, 4 * (dstIndex + (long) done * per), n * per);
            }
        };
    }

    private static void put(byte[] a, int at, long v) {
        LONGS.set(a, at, v);
    }

    /**
     * {@code v - bias} in every byte of {@code v} (bytes {@code 0 <= v < 128 - bias}), as signed bytes: the
     * subtraction done on the codes eight at a time, since C2 does not vectorise it in the float loop. Adding
     * {@code 0x80 - bias} cannot carry out of a byte, and flipping the top bit turns the excess-128 result into two's
     * complement.
     */
    private static long minus(long v, int bias) {
        return (v + (0x80 - bias) * LO1) ^ (0x80 * LO1);
    }

    /**
     * Broadcasts the fp16 scale at {@code off} into the 32 shorts of block {@code i} of {@code h}: eight plain long
     * stores into a {@code long[]}, which the float loop reads as shorts through a heap segment (stores through the
     * segment itself cost 10-20% more: C2 keeps their checks in the block loop).
     */
    private static void broadcastHalf(byte[] x, int off, long[] h, int i) {
        long v = ((short) SHORTS.get(x, off) & 0xFFFFL) * HALVES;
        int o = 8 * i;
        h[o] = v;
        h[o + 1] = v;
        h[o + 2] = v;
        h[o + 3] = v;
        h[o + 4] = v;
        h[o + 5] = v;
        h[o + 6] = v;
        h[o + 7] = v;
    }

    /** The fp16 bits at short index {@code k} of a broadcast array, widened. */
    private static float half(MemorySegment h, int k) {
        return Float.float16ToFloat(h.getAtIndex(ValueLayout.JAVA_SHORT, k));
    }

    /**
     * Low nibbles of 16 bytes at {@code off} to {@code q[at..at+16)}, high nibbles to {@code q[at+16..at+32)}, each
     * minus {@code bias}.
     */
    private static void nibbles16(byte[] x, int off, byte[] q, int at, int bias) {
        long a = (long) LONGS.get(x, off);
        long b = (long) LONGS.get(x, off + 8);
        put(q, at, minus(a & LO4, bias));
        put(q, at + 8, minus(b & LO4, bias));
        put(q, at + 16, minus((a >>> 4) & LO4, bias));
        put(q, at + 24, minus((b >>> 4) & LO4, bias));
    }

    /** Bits {@code 8k..8k+7} of {@code bits}, one per byte, each at bit 4 (the fifth bit of Q5_0/Q5_1 codes). */
    private static long fifthBits(int bits, int k) {
        return Long.expand((bits >>> (8 * k)) & 0xFF, LO1) << 4;   // PDEP on x86 with BMI2
    }

    // ---- 32-element blocks: 64 per loop, the per-block scale broadcast into shorts ----

    /**
     * Three loops per batch instead of one staging loop: the scale broadcast alone (C2 packs its eight long stores into
     * one 512-bit store of a replicated value), the codes alone (packed into 32-byte loads and stores, since the
     * destination is a {@code long[]} that cannot alias the {@code byte[]} source; into a {@code byte[]} the stores
     * may alias the loads and stay eight-byte moves), then the float loop. Measured 32 GB/s against 24 for the fused
     * staging loop; fusing the two staging loops again loses the packing (26).
     */
    static void decodeQ8_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        int full = blocks - blocks % BATCH;
        if (full > 0) {
            Scratch s = SCRATCH.get();
            long[] ql = s.ql;
            long[] h = s.h;
            MemorySegment qs = s.qls;
            MemorySegment hs = s.hs;
            byte[] raw = s.raw;
            for (int b = 0; b < full; b += BATCH, yi += BATCH_ELEMENTS) {
                // one bounds and liveness check per batch instead of one per word (a confined arena's
                // check is not hoisted out of the block loop: 3x slower)
                MemorySegment.copy(x, ValueLayout.JAVA_BYTE, off, raw, 0, BATCH * 34);
                off += BATCH * 34;
                for (int i = 0, r = 0; i < BATCH; i++, r += 34) broadcastHalf(raw, r, h, i);
                for (int i = 0, r = 0; i < BATCH; i++, r += 34) {
                    ql[4 * i] = (long) LONGS.get(raw, r + 2);
                    ql[4 * i + 1] = (long) LONGS.get(raw, r + 10);
                    ql[4 * i + 2] = (long) LONGS.get(raw, r + 18);
                    ql[4 * i + 3] = (long) LONGS.get(raw, r + 26);
                }
                for (int k = 0; k < BATCH_ELEMENTS; k++) y[yi + k] = qs.get(ValueLayout.JAVA_BYTE, k) * half(hs, k);
            }
        }
        LegacyQuants.decodeQ8_0(x, off, y, yi, blocks - full);
    }

    static void decodeQ4_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        int full = blocks - blocks % BATCH;
        if (full > 0) {
            Scratch s = SCRATCH.get();
            byte[] q = s.q;
            long[] h = s.h;
            MemorySegment hs = s.hs;
            byte[] raw = s.raw;
            for (int b = 0; b < full; b += BATCH, yi += BATCH_ELEMENTS) {
                // one bounds and liveness check per batch instead of one per word (a confined arena's
                // check is not hoisted out of the block loop: 3x slower)
                MemorySegment.copy(x, ValueLayout.JAVA_BYTE, off, raw, 0, BATCH * 18);
                off += BATCH * 18;
                for (int i = 0, r = 0; i < BATCH; i++, r += 18) broadcastHalf(raw, r, h, i);
                for (int i = 0, r = 0; i < BATCH; i++, r += 18) nibbles16(raw, r + 2, q, 32 * i, 8);
                for (int k = 0; k < BATCH_ELEMENTS; k++) y[yi + k] = q[k] * half(hs, k);
            }
        }
        LegacyQuants.decodeQ4_0(x, off, y, yi, blocks - full);
    }

    static void decodeQ4_1(MemorySegment x, long off, float[] y, int yi, int blocks) {
        int full = blocks - blocks % BATCH;
        if (full > 0) {
            Scratch s = SCRATCH.get();
            byte[] q = s.q;
            long[] h = s.h;
            long[] hm = s.hm;
            MemorySegment hs = s.hs;
            MemorySegment hms = s.hms;
            byte[] raw = s.raw;
            for (int b = 0; b < full; b += BATCH, yi += BATCH_ELEMENTS) {
                // one bounds and liveness check per batch instead of one per word (a confined arena's
                // check is not hoisted out of the block loop: 3x slower)
                MemorySegment.copy(x, ValueLayout.JAVA_BYTE, off, raw, 0, BATCH * 20);
                off += BATCH * 20;
                for (int i = 0, r = 0; i < BATCH; i++, r += 20) broadcastHalf(raw, r, h, i);
                for (int i = 0, r = 0; i < BATCH; i++, r += 20) broadcastHalf(raw, r + 2, hm, i);
                for (int i = 0, r = 0; i < BATCH; i++, r += 20) nibbles16(raw, r + 4, q, 32 * i, 0);
                for (int k = 0; k < BATCH_ELEMENTS; k++) {
                    y[yi + k] = q[k] * half(hs, k) + half(hms, k);
                }
            }
        }
        LegacyQuants.decodeQ4_1(x, off, y, yi, blocks - full);
    }

    /** Q5_0/Q5_1 codes of the block whose {@code qh} is at {@code qhOff}: nibbles plus the fifth bit, minus bias. */
    private static void codes5(byte[] x, int qhOff, byte[] q, int at, int bias) {
        int qh = (int) INTS.get(x, qhOff);
        long a = (long) LONGS.get(x, qhOff + 4);
        long b = (long) LONGS.get(x, qhOff + 12);
        put(q, at, minus((a & LO4) | fifthBits(qh, 0), bias));
        put(q, at + 8, minus((b & LO4) | fifthBits(qh, 1), bias));
        put(q, at + 16, minus(((a >>> 4) & LO4) | fifthBits(qh, 2), bias));
        put(q, at + 24, minus(((b >>> 4) & LO4) | fifthBits(qh, 3), bias));
    }

    static void decodeQ5_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        int full = blocks - blocks % BATCH;
        if (full > 0) {
            Scratch s = SCRATCH.get();
            byte[] q = s.q;
            long[] h = s.h;
            MemorySegment hs = s.hs;
            byte[] raw = s.raw;
            for (int b = 0; b < full; b += BATCH, yi += BATCH_ELEMENTS) {
                // one bounds and liveness check per batch instead of one per word (a confined arena's
                // check is not hoisted out of the block loop: 3x slower)
                MemorySegment.copy(x, ValueLayout.JAVA_BYTE, off, raw, 0, BATCH * 22);
                off += BATCH * 22;
                for (int i = 0, r = 0; i < BATCH; i++, r += 22) broadcastHalf(raw, r, h, i);
                for (int i = 0, r = 0; i < BATCH; i++, r += 22) codes5(raw, r + 2, q, 32 * i, 16);
                for (int k = 0; k < BATCH_ELEMENTS; k++) y[yi + k] = q[k] * half(hs, k);
            }
        }
        LegacyQuants.decodeQ5_0(x, off, y, yi, blocks - full);
    }

    static void decodeQ5_1(MemorySegment x, long off, float[] y, int yi, int blocks) {
        int full = blocks - blocks % BATCH;
        if (full > 0) {
            Scratch s = SCRATCH.get();
            byte[] q = s.q;
            long[] h = s.h;
            long[] hm = s.hm;
            MemorySegment hs = s.hs;
            MemorySegment hms = s.hms;
            byte[] raw = s.raw;
            for (int b = 0; b < full; b += BATCH, yi += BATCH_ELEMENTS) {
                // one bounds and liveness check per batch instead of one per word (a confined arena's
                // check is not hoisted out of the block loop: 3x slower)
                MemorySegment.copy(x, ValueLayout.JAVA_BYTE, off, raw, 0, BATCH * 24);
                off += BATCH * 24;
                for (int i = 0, r = 0; i < BATCH; i++, r += 24) broadcastHalf(raw, r, h, i);
                for (int i = 0, r = 0; i < BATCH; i++, r += 24) broadcastHalf(raw, r + 2, hm, i);
                for (int i = 0, r = 0; i < BATCH; i++, r += 24) codes5(raw, r + 4, q, 32 * i, 0);
                for (int k = 0; k < BATCH_ELEMENTS; k++) {
                    y[yi + k] = q[k] * half(hs, k) + half(hms, k);
                }
            }
        }
        LegacyQuants.decodeQ5_1(x, off, y, yi, blocks - full);
    }

    /** {@code kvalues_iq4nl} of the 32 nibbles of the 16 bytes at {@code off} (a table look-up per code). */
    private static void iq4Codes(byte[] x, int off, byte[] q, int at) {
        byte[] kv = NonLinearQuants.KVALUES_IQ4NL;
        for (int w = 0; w < 2; w++) {
            long v = (long) LONGS.get(x, off + 8 * w);
            long lo = 0;
            long hi = 0;
            for (int j = 0; j < 8; j++) {
                int b = (int) (v >>> (8 * j));
                lo |= (kv[b & 0xF] & 0xFFL) << (8 * j);
                hi |= (kv[(b >>> 4) & 0xF] & 0xFFL) << (8 * j);
            }
            put(q, at + 8 * w, lo);
            put(q, at + 16 + 8 * w, hi);
        }
    }

    static void decodeIQ4_NL(MemorySegment x, long off, float[] y, int yi, int blocks) {
        int full = blocks - blocks % BATCH;
        if (full > 0) {
            Scratch s = SCRATCH.get();
            byte[] q = s.q;
            long[] h = s.h;
            MemorySegment hs = s.hs;
            byte[] raw = s.raw;
            for (int b = 0; b < full; b += BATCH, yi += BATCH_ELEMENTS) {
                // one bounds and liveness check per batch instead of one per word (a confined arena's
                // check is not hoisted out of the block loop: 3x slower)
                MemorySegment.copy(x, ValueLayout.JAVA_BYTE, off, raw, 0, BATCH * 18);
                off += BATCH * 18;
                // one staging loop here: its table look-ups dominate, and split from the broadcast it measured 5% slower
                for (int i = 0, r = 0; i < BATCH; i++, r += 18) {
                    broadcastHalf(raw, r, h, i);
                    iq4Codes(raw, r + 2, q, 32 * i);
                }
                // ggml: d * kvalues[...]; the product commutes bit for bit
                for (int k = 0; k < BATCH_ELEMENTS; k++) y[yi + k] = q[k] * half(hs, k);
            }
        }
        NonLinearQuants.decodeIQ4_NL(x, off, y, yi, blocks - full);
    }

    // ---- 256-element super-blocks: codes, scales and mins staged per super-block, one loop per super-block ----

    /**
     * The 6-bit scales of the eight sub-blocks of a Q4_K/Q5_K block whose 12 scale bytes are at {@code s} of
     * {@code x} ({@code get_scale_min_k4}), one per byte of the result, sub-block 0 in the lowest.
     */
    private static long scalesK4(byte[] x, int s) {
        long s01 = (long) LONGS.get(x, s);
        long s2 = (int) INTS.get(x, s + 8) & 0xFFFFFFFFL;
        return (s01 & 0x3F3F3F3FL) | (((s2 & 0x0F0F0F0FL) | ((s01 >>> 2) & 0x30303030L)) << 32);
    }

    /** The 6-bit mins, as {@link #scalesK4} gives the scales. */
    private static long minsK4(byte[] x, int s) {
        long s01 = (long) LONGS.get(x, s);
        long s2 = (int) INTS.get(x, s + 8) & 0xFFFFFFFFL;
        return ((s01 >>> 32) & 0x3F3F3F3FL) | ((((s2 >>> 4) & 0x0F0F0F0FL) | ((s01 >>> 34) & 0x30303030L)) << 32);
    }

    /** {@link #scalesK4(byte[], int)} of a block read in place from {@code x}. */
    private static long scalesK4(MemorySegment x, long s) {
        long s01 = x.get(LittleEndian.LONG, s);
        long s2 = x.get(LittleEndian.INT, s + 8) & 0xFFFFFFFFL;
        return (s01 & 0x3F3F3F3FL) | (((s2 & 0x0F0F0F0FL) | ((s01 >>> 2) & 0x30303030L)) << 32);
    }

    /** {@link #minsK4(byte[], int)} of a block read in place from {@code x}. */
    private static long minsK4(MemorySegment x, long s) {
        long s01 = x.get(LittleEndian.LONG, s);
        long s2 = x.get(LittleEndian.INT, s + 8) & 0xFFFFFFFFL;
        return ((s01 >>> 32) & 0x3F3F3F3FL) | ((((s2 >>> 4) & 0x0F0F0F0FL) | ((s01 >>> 34) & 0x30303030L)) << 32);
    }

    /** Byte {@code j} of {@code v}, unsigned. */
    private static int byteOf(long v, int j) {
        return (int) (v >>> (8 * j)) & 0xFF;
    }

    /**
     * The per-element staging of {@link #decodeQ5_K}, one set per thread: the codes, and the 6-bit scale and min
     * of each code's sub-block broadcast into bytes, so that a whole super-block is one 256-trip loop whose only
     * loop-invariant factors are {@code d} and {@code dmin}.
     */
    private static final class KStaging {
        final byte[] q = new byte[256];
        final byte[] sc = new byte[256];
        final byte[] m = new byte[256];
        /** A copy of the block being staged: 210 bytes, the largest K block (Q6_K). */
        final byte[] raw = new byte[210];
        /** A copy of {@link #K_BATCH} Q4_K blocks. */
        final byte[] batch = new byte[K_BATCH * 144];
    }

    /** Q4_K blocks copied out of the segment at a time: 2.25 KiB, L1-resident beside the output. */
    private static final int K_BATCH = 16;

    private static final ThreadLocal<KStaging> K_STAGING = ThreadLocal.withInitial(KStaging::new);

    /**
     * Broadcasts the scales ({@code sc}) and mins ({@code m}) of sub-blocks {@code 2t} and {@code 2t+1} (one per
     * byte of {@code scales}, {@code mins}) into bytes {@code 64t..64t+64} of {@code sc} and {@code m}.
     */
    private static void broadcastScalesMins(long scales, long mins, int t, byte[] sc, byte[] m) {
        long sa = byteOf(scales, 2 * t) * LO1;
        long sb = byteOf(scales, 2 * t + 1) * LO1;
        long ma = byteOf(mins, 2 * t) * LO1;
        long mb = byteOf(mins, 2 * t + 1) * LO1;
        int o = 64 * t;
        for (int w = 0; w < 32; w += 8) {
            put(sc, o + w, sa);
            put(sc, o + 32 + w, sb);
            put(m, o + w, ma);
            put(m, o + 32 + w, mb);
        }
    }

    /**
     * ggml's {@code (d*sc)*q - dmin*m} as {@code d*(sc*q) - dmin*m}: {@code sc*q} (at most 63 * 31) is exact in
     * float32 and so is {@code d*(sc*q)} (11 + 11 significant bits), as ggml's {@code d*sc} and {@code (d*sc)*q} are,
     * so the two products are the same number and the one rounding, at the subtraction, is the same too. Written
     * so, the factor that changes every 32 elements is a staged byte per element and the whole super-block is one
     * 256-trip loop (512-bit vectors); four 32-trip loops per 128 elements got 128-bit vectors and a scalar pre- and
     * post-loop per statement (see the class comment).
     */
    private static void scaledMinusMin(byte[] q, byte[] sc, byte[] m, float d, float dmin, float[] y, int yi) {
        for (int k = 0; k < 256; k++) y[yi + k] = d * ((float) sc[k] * q[k]) - dmin * m[k];
    }

    static void decodeQ4_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        KStaging st = K_STAGING.get();
        byte[] q = st.q;
        byte[] raw = st.batch;
        for (int done = 0; done < blocks; ) {
            int n = Math.min(K_BATCH, blocks - done);
            // one copy per batch: the reads below are array reads whatever kind of segment the caller has passed,
            // where reads from the segment itself slow down 3x once this code has seen heap, native and mapped ones
            MemorySegment.copy(x, ValueLayout.JAVA_BYTE, off, raw, 0, 144 * n);
            off += 144L * n;
            done += n;
            for (int i = 0, r = 0; i < n; i++, r += 144, yi += 256) {
                for (int t = 0; t < 4; t++) {
                    for (int w = 0; w < 4; w++) {
                        long v = (long) LONGS.get(raw, r + 16 + 32 * t + 8 * w);
                        put(q, 64 * t + 8 * w, v & LO4);
                        put(q, 64 * t + 32 + 8 * w, (v >>> 4) & LO4);
                    }
                }
                // y = (d*sc)*q - dmin*m, ggml's d1 * q - m1, four sub-blocks per loop
                float d = Float.float16ToFloat((short) SHORTS.get(raw, r));
                float dmin = Float.float16ToFloat((short) SHORTS.get(raw, r + 2));
                long sc = scalesK4(raw, r + 4);
                long m = minsK4(raw, r + 4);
                float d0 = d * byteOf(sc, 0);
                float m0 = dmin * byteOf(m, 0);
                float d1 = d * byteOf(sc, 1);
                float m1 = dmin * byteOf(m, 1);
                float d2 = d * byteOf(sc, 2);
                float m2 = dmin * byteOf(m, 2);
                float d3 = d * byteOf(sc, 3);
                float m3 = dmin * byteOf(m, 3);
                for (int j = 0; j < 32; j++) {
                    y[yi + j] = d0 * q[j] - m0;
                    y[yi + 32 + j] = d1 * q[32 + j] - m1;
                    y[yi + 64 + j] = d2 * q[64 + j] - m2;
                    y[yi + 96 + j] = d3 * q[96 + j] - m3;
                }
                d0 = d * byteOf(sc, 4);
                m0 = dmin * byteOf(m, 4);
                d1 = d * byteOf(sc, 5);
                m1 = dmin * byteOf(m, 5);
                d2 = d * byteOf(sc, 6);
                m2 = dmin * byteOf(m, 6);
                d3 = d * byteOf(sc, 7);
                m3 = dmin * byteOf(m, 7);
                for (int j = 0; j < 32; j++) {
                    y[yi + 128 + j] = d0 * q[128 + j] - m0;
                    y[yi + 160 + j] = d1 * q[160 + j] - m1;
                    y[yi + 192 + j] = d2 * q[192 + j] - m2;
                    y[yi + 224 + j] = d3 * q[224 + j] - m3;
                }
            }
        }
    }

    static void decodeQ5_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        KStaging s = K_STAGING.get();
        byte[] q = s.q;
        byte[] sc = s.sc;
        byte[] m = s.m;
        byte[] raw = s.raw;
        for (int i = 0; i < blocks; i++, off += 176, yi += 256) {
            // one bounds and liveness check per block; the staging below then reads the copy with constant offsets
            MemorySegment.copy(x, ValueLayout.JAVA_BYTE, off, raw, 0, 176);
            for (int w = 0; w < 4; w++) {
                long h = (long) LONGS.get(raw, 16 + 8 * w);   // qh[8w..8w+8): bit s is the fifth bit of sub-block s
                long v0 = (long) LONGS.get(raw, 48 + 8 * w);
                long v1 = (long) LONGS.get(raw, 80 + 8 * w);
                long v2 = (long) LONGS.get(raw, 112 + 8 * w);
                long v3 = (long) LONGS.get(raw, 144 + 8 * w);
                put(q, 8 * w, (v0 & LO4) | ((h & LO1) << 4));
                put(q, 32 + 8 * w, ((v0 >>> 4) & LO4) | (((h >>> 1) & LO1) << 4));
                put(q, 64 + 8 * w, (v1 & LO4) | (((h >>> 2) & LO1) << 4));
                put(q, 96 + 8 * w, ((v1 >>> 4) & LO4) | (((h >>> 3) & LO1) << 4));
                put(q, 128 + 8 * w, (v2 & LO4) | (((h >>> 4) & LO1) << 4));
                put(q, 160 + 8 * w, ((v2 >>> 4) & LO4) | (((h >>> 5) & LO1) << 4));
                put(q, 192 + 8 * w, (v3 & LO4) | (((h >>> 6) & LO1) << 4));
                put(q, 224 + 8 * w, ((v3 >>> 4) & LO4) | (((h >>> 7) & LO1) << 4));
            }
            long scales = scalesK4(raw, 4);
            long mins = minsK4(raw, 4);
            for (int t = 0; t < 4; t++) broadcastScalesMins(scales, mins, t, sc, m);
            float d = Float.float16ToFloat((short) SHORTS.get(raw, 0));
            float dmin = Float.float16ToFloat((short) SHORTS.get(raw, 2));
            scaledMinusMin(q, sc, m, d, dmin, y, yi);
        }
    }

    /** The eight (signed) scale bytes of {@code scales}, each broadcast into 16 bytes of {@code sc} from {@code at}. */
    private static void broadcast16(long scales, byte[] sc, int at) {
        for (int j = 0; j < 8; j++) {
            long v = byteOf(scales, j) * LO1;
            put(sc, at + 16 * j, v);
            put(sc, at + 16 * j + 8, v);
        }
    }

    /**
     * {@code y = d * (sc*q)} over a super-block of signed codes and their staged signed scales, one 256-trip loop:
     * ggml's {@code (d*sc)*q} with the same exact product (see {@link #decodeQ6_K}); {@code sc*q} is formed in
     * float, not int, so that a zero gets the sign ggml gives it: {@code (d*sc)*0} takes the sign of {@code d*sc},
     * an int product of 0 would leave that of {@code d} alone.
     */
    private static void scaled(byte[] q, byte[] sc, float d, float[] y, int yi) {
        for (int k = 0; k < 256; k++) y[yi + k] = d * ((float) sc[k] * q[k]);
    }

    /**
     * ggml computes {@code d * sc * q} as {@code (d*sc)*q}; here it is {@code d*(sc*q)} ({@link #scaled}), the
     * same float: |d| has 11 significant bits, |sc| ≤ 128 and |q| ≤ 32 make the exact product at most 23 bits,
     * representable, so neither order rounds, and the signs multiply alike. The same holds for Q3_K (|sc| ≤ 32,
     * |q| ≤ 4) and for the products of Q2_K, Q4_K and Q5_K.
     */
    static void decodeQ6_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        KStaging st = K_STAGING.get();
        byte[] q = st.q;
        byte[] sc = st.sc;
        byte[] raw = st.raw;
        for (int i = 0; i < blocks; i++, off += 210, yi += 256) {
            // one bounds and liveness check per block; the staging below then reads the copy with constant offsets
            MemorySegment.copy(x, ValueLayout.JAVA_BYTE, off, raw, 0, 210);
            for (int n = 0; n < 2; n++) {
                for (int w = 0; w < 4; w++) {
                    long a = (long) LONGS.get(raw, 64 * n + 8 * w);
                    long b = (long) LONGS.get(raw, 64 * n + 32 + 8 * w);
                    long h = (long) LONGS.get(raw, 128 + 32 * n + 8 * w);
                    int o = 128 * n + 8 * w;
                    put(q, o, minus((a & LO4) | ((h & LO2) << 4), 32));
                    put(q, o + 32, minus((b & LO4) | (((h >>> 2) & LO2) << 4), 32));
                    put(q, o + 64, minus(((a >>> 4) & LO4) | (((h >>> 4) & LO2) << 4), 32));
                    put(q, o + 96, minus(((b >>> 4) & LO4) | (((h >>> 6) & LO2) << 4), 32));
                }
            }
            // group g covers y[16g..16g+16) and has scale g: each scale byte broadcast into 16 bytes
            broadcast16((long) LONGS.get(raw, 192), sc, 0);
            broadcast16((long) LONGS.get(raw, 200), sc, 128);
            scaled(q, sc, Float.float16ToFloat((short) SHORTS.get(raw, 208)), y, yi);
        }
    }

    /** ggml: {@code dl * ((q >> shift) & 3) - ml} with {@code dl = d * (sc & 0xF)}, {@code ml = dmin * (sc >> 4)}. */
    static void decodeQ2_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        KStaging st = K_STAGING.get();
        byte[] q = st.q;
        byte[] sc = st.sc;
        byte[] m = st.m;
        byte[] raw = st.raw;
        for (int i = 0; i < blocks; i++, off += 84, yi += 256) {
            // one bounds and liveness check per block; the staging below then reads the copy with constant offsets
            MemorySegment.copy(x, ValueLayout.JAVA_BYTE, off, raw, 0, 84);
            for (int n = 0; n < 2; n++) {
                for (int w = 0; w < 4; w++) {
                    long v = (long) LONGS.get(raw, 16 + 32 * n + 8 * w);
                    int o = 128 * n + 8 * w;
                    put(q, o, v & LO2);
                    put(q, o + 32, (v >>> 2) & LO2);
                    put(q, o + 64, (v >>> 4) & LO2);
                    put(q, o + 96, (v >>> 6) & LO2);
                }
            }
            // group g covers y[16g..16g+16); byte g of scales holds its scale (low nibble) and min (high nibble)
            for (int h = 0; h < 2; h++) {
                long s = (long) LONGS.get(raw, 8 * h);
                broadcast16(s & LO4, sc, 128 * h);
                broadcast16((s >>> 4) & LO4, m, 128 * h);
            }
            float d = Float.float16ToFloat((short) SHORTS.get(raw, 80));
            float dmin = Float.float16ToFloat((short) SHORTS.get(raw, 82));
            scaledMinusMin(q, sc, m, d, dmin, y, yi);
        }
    }

    /** ggml: {@code dl * (((q >> shift) & 3) - (hm & m ? 0 : 4))}, {@code dl = d_all * (scale - 32)}. */
    static void decodeQ3_K(MemorySegment x, long off, float[] y, int yi, int blocks) {
        KStaging st = K_STAGING.get();
        byte[] q = st.q;
        byte[] sc = st.sc;
        byte[] raw = st.raw;
        for (int i = 0; i < blocks; i++, off += 110, yi += 256) {
            // one bounds and liveness check per block; the staging below then reads the copy with constant offsets
            MemorySegment.copy(x, ValueLayout.JAVA_BYTE, off, raw, 0, 110);
            for (int w = 0; w < 4; w++) {
                long hm = (long) LONGS.get(raw, 8 * w);
                for (int n = 0; n < 2; n++) {
                    long v = (long) LONGS.get(raw, 32 + 32 * n + 8 * w);
                    int o = 128 * n + 8 * w;
                    for (int j = 0; j < 4; j++) {
                        // the two low bits, plus 4 where the hmask bit is set, minus 4: ggml's subtracting 4 where it is not
                        put(q, o + 32 * j, minus(((v >>> (2 * j)) & LO2) | (((hm >>> (4 * n + j)) & LO1) << 2), 4));
                    }
                }
            }
            // group j covers y[16j..16j+16); its 6-bit scale minus 32, as a signed byte broadcast into 16 bytes
            long sLo = (long) LONGS.get(raw, 96);
            int sHi = (int) INTS.get(raw, 104);
            for (int j = 0; j < 16; j++) {
                int low = j < 8 ? byteOf(sLo, j) & 0xF : byteOf(sLo, j - 8) >>> 4;
                int high = (sHi >>> (8 * (j % 4) + 2 * (j / 4))) & 3;
                long v = (((low | (high << 4)) - 32) & 0xFF) * LO1;
                put(sc, 16 * j, v);
                put(sc, 16 * j + 8, v);
            }
            scaled(q, sc, Float.float16ToFloat((short) SHORTS.get(raw, 108)), y, yi);
        }
    }

    /** ggml: {@code dl * kvalues[q]} with {@code dl = d * (ls - 32)}. */
    static void decodeIQ4_XS(MemorySegment x, long off, float[] y, int yi, int blocks) {
        byte[] q = new byte[256];
        byte[] raw = new byte[128];
        for (int i = 0; i < blocks; i++, off += 136, yi += 256) {
            float d = Bits.fp16(x, off);
            int scalesH = x.get(LittleEndian.SHORT, off + 2) & 0xFFFF;
            int scalesL = x.get(LittleEndian.INT, off + 4);
            MemorySegment.copy(x, ValueLayout.JAVA_BYTE, off + 8, raw, 0, 128);
            for (int ib = 0; ib < 8; ib++) iq4Codes(raw, 16 * ib, q, 32 * ib);
            for (int ib = 0; ib < 8; ib += 4) {
                float d0 = d * (iq4xsScale(scalesL, scalesH, ib) - 32);
                float d1 = d * (iq4xsScale(scalesL, scalesH, ib + 1) - 32);
                float d2 = d * (iq4xsScale(scalesL, scalesH, ib + 2) - 32);
                float d3 = d * (iq4xsScale(scalesL, scalesH, ib + 3) - 32);
                int o = 32 * ib;
                for (int j = 0; j < 32; j++) {
                    y[yi + o + j] = d0 * q[o + j];
                    y[yi + o + 32 + j] = d1 * q[o + 32 + j];
                    y[yi + o + 64 + j] = d2 * q[o + 64 + j];
                    y[yi + o + 96 + j] = d3 * q[o + 96 + j];
                }
            }
        }
    }

    private static int iq4xsScale(int scalesL, int scalesH, int ib) {
        return ((scalesL >>> (4 * ib)) & 0xF) | (((scalesH >>> (2 * ib)) & 3) << 4);
    }

    // ---- ternary types: the scale is per 256-element block, so one long loop per block ----

    /** ggml: {@code (q - 1) * d} with {@code q = (qs[32j + m] >> 2l) & 3} for element {@code 128j + 32l + m}. */
    static void decodeTQ2_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        byte[] q = new byte[256];
        byte[] raw = new byte[K_BATCH * 66];
        for (int done = 0; done < blocks; ) {
            int n = Math.min(K_BATCH, blocks - done);
            // one copy per batch, as in decodeQ4_K: reading the segment in place ran 5x slower once this code had
            // seen heap, native and mapped segments
            MemorySegment.copy(x, ValueLayout.JAVA_BYTE, off, raw, 0, 66 * n);
            off += 66L * n;
            done += n;
            for (int i = 0, r = 0; i < n; i++, r += 66, yi += 256) {
                for (int j = 0; j < 2; j++) {
                    for (int w = 0; w < 4; w++) {
                        long v = (long) LONGS.get(raw, r + 32 * j + 8 * w);
                        for (int l = 0; l < 4; l++) put(q, 128 * j + 32 * l + 8 * w, minus((v >>> (2 * l)) & LO2, 1));
                    }
                }
                float d = Float.float16ToFloat((short) SHORTS.get(raw, r + 64));
                for (int k = 0; k < 256; k++) y[yi + k] = q[k] * d;
            }
        }
    }

    /**
     * ggml's {@code (((uint8_t)(b * 3^n) * 3) >> 8) - 1} times {@code d}, in one vectorised int loop per block: each
     * element's source byte, already multiplied by its power of three, is staged as an int (two per long: the two
     * source bytes spread by one PDEP into the low bytes of the halves, times {@code 3^n} in one long multiply, since
     * {@code b * 81 < 2^32} cannot carry into the upper half), so the loop body has no per-element table or multiply;
     * it keeps the low byte and finishes the trit. (C2 vectorises the arithmetic on an {@code int} source, not on a
     * {@code byte[]} one.) Tried: the source bytes staged plainly and multiplied in the loop by a per-element power
     * read from an {@code int[]} (13.3 GB/s against 15 here); the trits computed eight at a time in SWAR on longs and
     * a plain {@code q * d} loop (11.8: about fifteen scalar operations per eight elements, which C2 does not pack
     * into vectors, not even in a loop over a batch of blocks); the product, mask and {@code *3} all staged (11.1: the
     * staging is scalar, the loop was not the bottleneck); the bytes staged plainly (32 long stores a block instead of
     * 128) and widened in the loop by {@code (int) (float) b} (vectorised, but the loop carries the float-to-int
     * fix-up and is not unrolled: 15.1, no gain); the trit computed in float from the signed byte, the power of three
     * read from a {@code byte[]} and two roundings by adding and subtracting 1.5 * 2^23 (bit-identical, 9 GB/s). The
     * arrays must be per thread here: allocated per call they cost 20%; TQ2_0 shows the opposite (its code array
     * taken from {@link Scratch} halves it, 28.6 to 14), so each kernel keeps what measured faster.
     */
    static void decodeTQ1_0(MemorySegment x, long off, float[] y, int yi, int blocks) {
        Scratch s = SCRATCH.get();   // arrays allocated per call cost 20% here (12 GB/s against 15)
        long[] u = s.tq;
        MemorySegment us = s.tqs;
        byte[] raw = s.raw;
        for (int i = 0; i < blocks; i++, off += 54, yi += 256) {
            MemorySegment.copy(x, ValueLayout.JAVA_BYTE, off, raw, 0, 54);
            for (int w = 0; w < 4; w++) {       // qs[0..32): byte m gives elements 32n + m
                long a = (long) LONGS.get(raw, 8 * w);
                long v0 = Long.expand(a, INT_PAIR);
                long v1 = Long.expand(a >>> 16, INT_PAIR);
                long v2 = Long.expand(a >>> 32, INT_PAIR);
                long v3 = Long.expand(a >>> 48, INT_PAIR);
                for (int n = 0, c = 1; n < 5; n++, c *= 3) {
                    int o = 16 * n + 4 * w;
                    u[o] = v0 * c;
                    u[o + 1] = v1 * c;
                    u[o + 2] = v2 * c;
                    u[o + 3] = v3 * c;
                }
            }
            for (int w = 0; w < 2; w++) {       // qs[32..48): byte 32 + m gives elements 160 + 16n + m
                long a = (long) LONGS.get(raw, 32 + 8 * w);
                long v0 = Long.expand(a, INT_PAIR);
                long v1 = Long.expand(a >>> 16, INT_PAIR);
                long v2 = Long.expand(a >>> 32, INT_PAIR);
                long v3 = Long.expand(a >>> 48, INT_PAIR);
                for (int n = 0, c = 1; n < 5; n++, c *= 3) {
                    int o = 80 + 8 * n + 4 * w;
                    u[o] = v0 * c;
                    u[o + 1] = v1 * c;
                    u[o + 2] = v2 * c;
                    u[o + 3] = v3 * c;
                }
            }
            long qh = (int) INTS.get(raw, 48);  // qh[0..4): byte j gives elements 240 + 4n + j, n < 4
            long h0 = Long.expand(qh, INT_PAIR);
            long h1 = Long.expand(qh >>> 16, INT_PAIR);
            for (int n = 0, c = 1; n < 4; n++, c *= 3) {
                u[120 + 2 * n] = h0 * c;
                u[121 + 2 * n] = h1 * c;
            }
            float d = Float.float16ToFloat((short) SHORTS.get(raw, 52));
            for (int k = 0; k < 256; k++) {
                y[yi + k] = (((us.getAtIndex(ValueLayout.JAVA_INT, k) & 0xFF) * 3 >> 8) - 1) * d;
            }
        }
    }

    /** PDEP mask: two bytes to the low bytes of the two int halves of a long. */
    private static final long INT_PAIR = 0x000000FF000000FFL;
}
