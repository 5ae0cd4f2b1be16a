package dev.tensorfile.gguf.kernels;

/**
 * The staging arrays of one thread's dot products, allocated once per matrix–vector product rather than per row
 * (zero-based small arrays are what C2 vectorises best, see {@link ScalarDots}).
 */
final class Scratch {
    /** Partial sums, one per lane: element {@code i} of a row is added into {@code acc[i % TILE]}. */
    final float[] acc = new float[ScalarDots.TILE];
    /** Raw bytes of the blocks of one tile (8 Q8_0 blocks are the most: 272 bytes). */
    final byte[] raw = new byte[ScalarDots.TILE * 2];
    /** The integer codes of one tile, one per element. */
    final byte[] q = new byte[ScalarDots.TILE];
    /** One tile of F16/BF16 bits. */
    final short[] h = new short[ScalarDots.TILE];
    /** One tile of float32 weights, or the scale of each element. */
    final float[] d = new float[ScalarDots.TILE];
    /** One tile of the activations, at the index of the accumulator it is added into. */
    final float[] x = new float[ScalarDots.TILE];
    /** The min subtracted from each element (Q4_K, Q5_K). */
    final float[] m = new float[ScalarDots.TILE];
}
