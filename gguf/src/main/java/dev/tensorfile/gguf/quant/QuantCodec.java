package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.spi.BlockCodec;
import dev.tensorfile.core.spi.NativeStaging;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The {@link BlockCodec} of one ggml type: the chosen implementation's decoder (the plain-Java one where the Vector
 * API path has no kernel for the type), its segment decoder if it has one (null: a tile at a time through an
 * array) and, for the types ggml has a reference quantizer for here, the encoder.
 *
 * <p>Sources on the heap are copied into core's {@link NativeStaging} buffer, {@value NativeStaging#CHUNK_BYTES}
 * bytes at a time, before the kernels see them: once a heap source had been decoded as well as native and mapped
 * ones, every later decode of a mapped file ran megamorphic (thread CPU time, Vector API: Q8_0 53 to 6.4 GB/s, Q6_K
 * 35 to 4.4, Q4_K 40 to 13).
 */
record QuantCodec(DType dtype, BlockDecoder decoder, SegmentDecoder segmentDecoder, BlockEncoder encoder)
        implements BlockCodec {
    QuantCodec {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(decoder, "decoder");
    }

    /** One run of the kernels over native source bytes. */
    private interface NativeRun {
        void decode(MemorySegment src, long srcOffset, int firstBlock, int blocks);
    }

    /** Runs {@code run} over the blocks, through the staging buffer when the source is on the heap. */
    private void fromNative(MemorySegment src, long srcOffset, int blocks, NativeRun run) {
        if (src.isNative()) {
            run.decode(src, srcOffset, 0, blocks);
            return;
        }
        int bytes = dtype.blockBytes();
        int per = NativeStaging.CHUNK_BYTES / bytes;
        for (int done = 0; done < blocks; done += per) {
            int n = Math.min(per, blocks - done);
            run.decode(NativeStaging.nativeBytes(src, srcOffset + (long) done * bytes, (long) n * bytes), 0, done, n);
        }
    }

    @Override
    public void decode(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int blocks) {
        Objects.checkFromIndexSize(dstOffset, Math.multiplyExact(blocks, dtype.blockElements()), dst.length);
        Objects.checkFromIndexSize(srcOffset, Math.multiplyExact((long) blocks, dtype.blockBytes()), src.byteSize());
        int per = dtype.blockElements();
        fromNative(src, srcOffset, blocks, (s, o, first, n) -> decoder.decode(s, o, dst, dstOffset + first * per, n));
    }

    @Override
    public void decode(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        long floats = Math.multiplyExact((long) blocks, dtype.blockElements());
        Objects.checkFromIndexSize(dstOffset, Math.multiplyExact(floats, 4L), dst.byteSize());
        Objects.checkFromIndexSize(srcOffset, Math.multiplyExact((long) blocks, dtype.blockBytes()), src.byteSize());
        long per = dtype.blockElements();
        if (segmentDecoder != null && dstOffset % 4 == 0) {
            fromNative(src, srcOffset, blocks, (s, o, first, n) -> segmentDecoder.decode(s, o, dst, dstOffset / 4 + first * per, n));
        } else {
            fromNative(src, srcOffset, blocks,
                    (s, o, first, n) -> BlockCodec.super.decode(s, o, dst, dstOffset + 4 * first * per, n));
        }
    }

    @Override
    public boolean canEncode() {
        return encoder != null;
    }

    @Override
    public void encode(float[] src, int srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        if (encoder == null) throw new UnsupportedOperationException("no quantizer for " + dtype);
        Objects.checkFromIndexSize(srcOffset, Math.multiplyExact(blocks, dtype.blockElements()), src.length);
        Objects.checkFromIndexSize(dstOffset, Math.multiplyExact((long) blocks, dtype.blockBytes()), dst.byteSize());
        encoder.encode(src, srcOffset, dst, dstOffset, blocks);
    }

    @Override
    public String toString() {
        return "QuantCodec[" + dtype + (encoder != null ? ", encodes" : "") + "]";
    }
}
