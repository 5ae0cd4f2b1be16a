package dev.tensorfile.hdf5;

import dev.tensorfile.hdf5.filter.Filters;
import dev.tensorfile.hdf5.format.AddressSpace;
import dev.tensorfile.hdf5.format.ChunkIndex;
import dev.tensorfile.hdf5.format.DataLayoutMessage;
import dev.tensorfile.hdf5.format.FilterPipelineMessage;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * A chunked dataset's data: a range read decodes only the chunks it touches; a read touching many chunks decodes
 * them on the file's decode threads (at most {@code threads} in flight), copying on the caller's thread.
 */
final class ChunkedStorage implements DataStorage {
    private final AddressSpace space;
    private final String name;
    private final long[] dims;
    private final long[] chunk;
    private final int elementSize;
    private final int chunkBytes;
    private final long[] grid;
    private final Supplier<ChunkIndex> indexSupplier;
    private volatile ChunkIndex index;
    private final FilterPipelineMessage pipeline;
    private final byte[] fill;
    private final boolean unfilteredEdges;
    private final Supplier<ExecutorService> executor;

    ChunkedStorage(AddressSpace space, String name, long[] dims, DataLayoutMessage.Chunked layout,
            FilterPipelineMessage pipeline, byte[] fill, Supplier<ChunkIndex> index, Supplier<ExecutorService> executor) {
        this.space = space;
        this.name = name;
        this.dims = dims;
        this.chunk = layout.chunkDims();
        this.elementSize = (int) layout.elementSize();
        this.chunkBytes = (int) layout.chunkBytes();
        this.pipeline = pipeline;
        this.fill = fill;
        this.indexSupplier = index;
        this.unfilteredEdges = (layout.flags() & 1) != 0;
        this.executor = executor;
        grid = gridOf(dims, chunk);
    }

    static long[] gridOf(long[] dims, long[] chunk) {
        long[] g = new long[dims.length];
        for (int d = 0; d < dims.length; d++) g[d] = (dims[d] + chunk[d] - 1) / chunk[d];
        return g;
    }

    private ChunkIndex index() {
        ChunkIndex i = index;
        if (i == null) {
            synchronized (this) {
                if (index == null) index = indexSupplier.get();
                i = index;
            }
        }
        return i;
    }

    @Override
    public void read(long byteOffset, MemorySegment dst, int threads) {
        long length = dst.byteSize();
        if (length == 0) return;
        long rowBytes = elementSize;
        for (int d = 1; d < dims.length; d++) rowBytes *= dims[d];
        long firstRow = byteOffset / rowBytes;
        long lastRow = (byteOffset + length - 1) / rowBytes;
        List<long[]> touched = new ArrayList<>();
        long c0 = firstRow / chunk[0], c1 = lastRow / chunk[0];
        long others = 1;
        for (int d = 1; d < dims.length; d++) others *= grid[d];
        for (long r = c0; r <= c1; r++) {
            for (long k = 0; k < others; k++) {
                long[] s = new long[dims.length];
                s[0] = r;
                long rest = k;
                for (int d = dims.length - 1; d >= 1; d--) {
                    s[d] = rest % grid[d];
                    rest /= grid[d];
                }
                touched.add(s);
            }
        }
        ChunkIndex idx = index();
        if (threads <= 1 || touched.size() < 2) {
            for (long[] s : touched) copy(s, decode(idx, s), byteOffset, dst);
            return;
        }
        ExecutorService pool = executor.get();
        Deque<Future<byte[]>> inFlight = new ArrayDeque<>();
        Deque<long[]> order = new ArrayDeque<>();
        int next = 0;
        try {
            while (next < touched.size() || !inFlight.isEmpty()) {
                while (next < touched.size() && inFlight.size() < threads * 2) {
                    long[] s = touched.get(next++);
                    inFlight.add(pool.submit(() -> decode(idx, s)));
                    order.add(s);
                }
                byte[] data = inFlight.poll().get();
                copy(order.poll(), data, byteOffset, dst);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted while decoding chunks", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } finally {
            for (Future<byte[]> f : inFlight) f.cancel(true);
        }
    }

    /**
     * Decodes every chunk the index lists (filters and checksums included): that is where corruption can be. A chunk
     * never written is the fill value by definition, so none is built for it; a dataset claiming terabytes with no
     * chunks written verifies in the time its index takes to read.
     */
    @Override
    public void verify() {
        ChunkIndex idx = index();
        idx.forEach(grid, (scaled, ref) -> decode(ref, scaled));
    }

    /** Every decoded or filled chunk is at least {@code chunkBytes} long; {@link #copy} reads no further. */
    private byte[] decode(ChunkIndex idx, long[] scaled) {
        ChunkIndex.ChunkRef ref = idx.find(scaled);
        return ref == null ? fillChunk() : decode(ref, scaled);
    }

    /** A chunk of the fill value, repeated in doubling bulk copies (a chunk can be megabytes). */
    private byte[] fillChunk() {
        byte[] b = new byte[chunkBytes];
        if (fill == null || chunkBytes == 0) return b;
        boolean zero = true;
        for (byte x : fill) zero &= x == 0;
        if (zero) return b;
        int n = Math.min(fill.length, chunkBytes);
        System.arraycopy(fill, 0, b, 0, n);
        // b[0, n) is whole copies of fill (or its prefix, when the chunk is shorter), so doubling keeps the pattern
        while (n < chunkBytes) {
            int k = Math.min(n, chunkBytes - n);
            System.arraycopy(b, 0, b, n, k);
            n += k;
        }
        return b;
    }

    private byte[] decode(ChunkIndex.ChunkRef ref, long[] scaled) {
        boolean edge = false;
        for (int d = 0; d < dims.length; d++) if ((scaled[d] + 1) * chunk[d] > dims[d]) edge = true;
        boolean filtered = !pipeline.filters().isEmpty() && !(edge && unfilteredEdges);
        if (ref.size() <= 0 || ref.size() > Integer.MAX_VALUE - 8) {
            throw space.malformed("chunk", ref.address(), "stored size " + ref.size() + " is invalid");
        }
        if (!filtered && ref.size() < chunkBytes) {
            throw space.malformed("chunk", ref.address(), "holds " + ref.size() + " bytes but the dataspace and chunk shape need " + chunkBytes);
        }
        if (!space.contains(ref.address(), ref.size())) {
            throw space.malformed("chunk", ref.address(), "of " + ref.size() + " bytes lies past the end of the file (" + space.size() + " bytes)");
        }
        MemorySegment stored = space.data(ref.address(), filtered ? ref.size() : chunkBytes, "chunk");
        byte[] raw = stored.toArray(ValueLayout.JAVA_BYTE);
        if (!filtered) return raw;
        long where = space.fileOffset + space.baseAddress + ref.address();
        return Filters.decode(space, pipeline.filters(), ref.filterMask(), raw, chunkBytes, where);
    }

    /** Copies the part of a decoded chunk that falls in {@code [byteOffset, byteOffset + dst.byteSize())}. */
    private void copy(long[] scaled, byte[] data, long byteOffset, MemorySegment dst) {
        int rank = dims.length;
        long[] origin = new long[rank];
        long[] extent = new long[rank];
        for (int d = 0; d < rank; d++) {
            origin[d] = scaled[d] * chunk[d];
            extent[d] = Math.min(chunk[d], dims[d] - origin[d]);
            if (extent[d] <= 0) return;
        }
        long[] stride = new long[rank];
        long[] cstride = new long[rank];
        stride[rank - 1] = 1;
        cstride[rank - 1] = 1;
        for (int d = rank - 2; d >= 0; d--) {
            stride[d] = stride[d + 1] * dims[d + 1];
            cstride[d] = cstride[d + 1] * chunk[d + 1];
        }
        long end = byteOffset + dst.byteSize();
        long runBytes = extent[rank - 1] * elementSize;
        long rows = 1;
        for (int d = 0; d < rank - 1; d++) rows *= extent[d];
        long[] i = new long[rank];
        MemorySegment src = MemorySegment.ofArray(data);
        for (long r = 0; r < rows; r++) {
            long g = 0, c = 0;
            for (int d = 0; d < rank; d++) {
                g += (origin[d] + i[d]) * stride[d];
                c += i[d] * cstride[d];
            }
            long gb = g * elementSize, cb = c * elementSize;
            long lo = Math.max(gb, byteOffset), hi = Math.min(gb + runBytes, end);
            if (lo < hi) MemorySegment.copy(src, cb + (lo - gb), dst, lo - byteOffset, hi - lo);
            for (int d = rank - 2; d >= 0; d--) {
                if (++i[d] < extent[d]) break;
                i[d] = 0;
            }
        }
    }

    String name() { return name; }
}
