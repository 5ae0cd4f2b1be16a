package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.spi.BlockCodec;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The {@link BlockCodec} of one ggml type: the chosen implementation's decoder (the plain-Java one where the Vector
 * API path has no kernel for the type), its segment decoder if it has one (null: a tile at a time through an
 * array) and, for the types ggml has a reference quantizer for here, the encoder.
 */
record QuantCodec(DType dtype, BlockDecoder decoder, SegmentDecoder segmentDecoder, BlockEncoder encoder)
        implements BlockCodec {
    QuantCodec {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(decoder, "decoder");
    }

    @Override
    public void decode(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int blocks) {
        Objects.checkFromIndexSize(dstOffset, Math.multiplyExact(blocks, dtype.blockElements()), dst.length);
        Objects.checkFromIndexSize(srcOffset, Math.multiplyExact((long) blocks, dtype.blockBytes()), src.byteSize());
        decoder.decode(src, srcOffset, dst, dstOffset, blocks);
    }

    @Override
    public void decode(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        long floats = Math.multiplyExact((long) blocks, dtype.blockElements());
        Objects.checkFromIndexSize(dstOffset, Math.multiplyExact(floats, 4L), dst.byteSize());
        Objects.checkFromIndexSize(srcOffset, Math.multiplyExact((long) blocks, dtype.blockBytes()), src.byteSize());
        if (segmentDecoder != null && dstOffset % 4 == 0) {
            segmentDecoder.decode(src, srcOffset, dst, dstOffset / 4, blocks);
        } else {
            BlockCodec.super.decode(src, srcOffset, dst, dstOffset, blocks);
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
