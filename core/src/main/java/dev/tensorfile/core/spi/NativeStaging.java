package dev.tensorfile.core.spi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A per-thread native buffer that kernels read heap bytes from, so that they only ever see native segments.
 *
 * <p>Why: a kernel that reads its input through {@link MemorySegment} accesses is compiled by C2 for the segment
 * classes it has seen at each access. Mapped (a file) and native (an arena) segments together cost little, but once
 * a heap segment ({@link MemorySegment#ofArray}) has been read there too, the accesses go megamorphic and stay so
 * for the life of the JVM: every later read of a mapped file through them runs several times slower (GGUF's
 * Vector API dequantizers: Q8_0 53 to 6.4 GB/s; its dot kernels: Q8_0 31.7 to 7.4 GFLOP/s). Copying heap input
 * here first keeps the kernels' profile to native classes, for a copy that only heap input pays.
 */
public final class NativeStaging {
    /** Bytes a caller should stage at a time: L2-resident, and far more than one block of any quantized type. */
    public static final int CHUNK_BYTES = 1 << 16;

    /** This thread's buffer, grown to the largest copy it has had to hold. */
    private static final class Buffer {
        MemorySegment segment = MemorySegment.NULL;
    }

    private static final ThreadLocal<Buffer> BUFFER = ThreadLocal.withInitial(Buffer::new);

    private NativeStaging() {}

    /**
     * Bytes {@code [offset, offset + bytes)} of {@code src} as native memory: a slice of {@code src} itself if it is
     * native, else a copy in this thread's buffer (from an automatic arena, so freed with the thread), valid until
     * this thread's next call.
     */
    public static MemorySegment nativeBytes(MemorySegment src, long offset, long bytes) {
        if (src.isNative()) return src.asSlice(offset, bytes);
        Buffer b = BUFFER.get();
        if (b.segment.byteSize() < bytes) b.segment = Arena.ofAuto().allocate(Math.max(bytes, CHUNK_BYTES), 64);
        MemorySegment.copy(src, offset, b.segment, 0, bytes);
        return b.segment.asSlice(0, bytes);
    }
}
