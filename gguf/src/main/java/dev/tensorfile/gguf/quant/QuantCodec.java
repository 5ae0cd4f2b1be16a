package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.spi.BlockCodec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The {@link BlockCodec} of one ggml type: the chosen implementation's decoder (the plain-Java one where the Vector
 * API path has no kernel for the type), its segment decoder if it has one (null: a tile at a time through an
 * array) and, for the types ggml has a reference quantizer for here, the encoder.
 *
 * <p>Sources on the heap are copied into a native staging buffer, {@value #STAGE_BYTES} bytes at a time, before the
 * kernels see them. The kernels read their source through {@link MemorySegment} accesses, which C2 compiles for the
 * segment classes it has seen at each access: mapped (a file) and native (an arena) together cost little, but once
 * a heap segment has been decoded too the accesses go megamorphic and stay so for the life of the JVM (measured,
 * thread CPU time, mapped source after heap and native ones: Vector API Q8_0 53 to 6.4 GB/s, Q6_K 35 to 4.4, Q4_K
 * 40 to 13). Staging keeps every later mapped decode at full speed, for a copy of the input (a quarter of the
 * output's bytes or less) paid only by heap sources.
 */
record QuantCodec(DType dtype, BlockDecoder decoder, SegmentDecoder segmentDecoder, BlockEncoder encoder)
        implements BlockCodec {
    QuantCodec {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(decoder, "decoder");
    }

    /** Bytes of a heap source staged at a time: L2-resident, and far more than one block of any type. */
    static final int STAGE_BYTES = 1 << 16;
    /** One staging buffer per thread, freed with it (an automatic arena: no thread has to close it). */
    private static final ThreadLocal<MemorySegment> STAGE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STAGE_BYTES, 64));

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
        MemorySegment stage = STAGE.get();
        int bytes = dtype.blockBytes();
        int per = STAGE_BYTES / bytes;
        for (int done = 0; done < blocks; done += per) {
            int n = Math.min(per, blocks - done);
            MemorySegment.copy(src, srcOffset + (long) done * bytes, stage, 0, (long) n * bytes);
            run.decode(stage, 0, done, n);
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
