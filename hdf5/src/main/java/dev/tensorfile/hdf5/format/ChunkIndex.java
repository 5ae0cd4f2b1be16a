package dev.tensorfile.hdf5.format;

import java.util.HashMap;
import java.util.Map;

/**
 * Where a chunked dataset's chunks are (spec IV.A.2.i, layout version 4 "Chunk Indexing Information", and the
 * version 1 B-tree of layouts 1–3). Chunks are named by their scaled coordinates (element offset / chunk size).
 */
public interface ChunkIndex {
    /**
     * One stored chunk.
     *
     * @param size bytes stored (after filters)
     * @param filterMask bit i set: filter i was not applied to this chunk
     */
    record ChunkRef(long address, long size, int filterMask) {}

    /** The chunk at {@code scaled}, or null when it was never written (it reads as the fill value). */
    ChunkRef find(long[] scaled);

    /**
     * Visits every stored chunk with its scaled coordinates (for {@code verify}); the default asks {@link #find} for
     * every grid position. The coordinates array is reused between calls.
     */
    default void forEach(long[] grid, java.util.function.BiConsumer<long[], ChunkRef> visitor) {
        long n = 1;
        for (long g : grid) n = Math.multiplyExact(n, g);
        long[] scaled = new long[grid.length];
        for (long i = 0; i < n; i++) {
            unlinear(i, grid, scaled);
            ChunkRef ref = find(scaled);
            if (ref != null) visitor.accept(scaled, ref);
        }
    }

    /** The scaled coordinates, into {@code scaled}, of row-major position {@code linear} in {@code grid}. */
    static void unlinear(long linear, long[] grid, long[] scaled) {
        long r = linear;
        for (int d = grid.length - 1; d >= 0; d--) {
            scaled[d] = r % grid[d];
            r /= grid[d];
        }
    }

    /** Row-major linear position of {@code scaled} in a grid of {@code grid} chunks per dimension. */
    static long linear(long[] scaled, long[] grid) {
        long idx = 0;
        for (int d = 0; d < grid.length; d++) idx = idx * grid[d] + scaled[d];
        return idx;
    }

    /** The one chunk of a dataset whose chunk is the whole dataset (layout v4 index type 1). */
    record SingleChunk(ChunkRef ref) implements ChunkIndex {
        @Override public ChunkRef find(long[] scaled) {
            for (long s : scaled) if (s != 0) return null;
            return ref;
        }
    }

    /**
     * Chunks laid out one after another in grid order, unfiltered (layout v4 index type 2, "implicit"); the grid
     * is that of the maximum dimensions (libhdf5 {@code H5D__none_idx_get_addr}).
     */
    record Implicit(long address, long chunkBytes, long[] maxGrid) implements ChunkIndex {
        @Override public ChunkRef find(long[] scaled) {
            if (address == AddressSpace.UNDEFINED) return null;
            return new ChunkRef(address + linear(scaled, maxGrid) * chunkBytes, chunkBytes, 0);
        }
    }

    /** Chunks listed by a B-tree (version 1 type 1, or version 2 types 10 and 11), read once into a map. */
    final class Listed implements ChunkIndex {
        private final long[] grid;
        private final Map<Long, ChunkRef> chunks = new HashMap<>();

        public Listed(long[] grid) { this.grid = grid; }

        public void put(AddressSpace space, long structureAddress, long[] scaled, ChunkRef ref) {
            for (int d = 0; d < grid.length; d++) {
                if (scaled[d] < 0 || scaled[d] >= grid[d]) {
                    throw space.malformed("chunk index", structureAddress, "chunk at scaled offset "
                            + java.util.Arrays.toString(scaled) + " is outside the dataset's chunk grid "
                            + java.util.Arrays.toString(grid));
                }
            }
            if (chunks.put(linear(scaled, grid), ref) != null) {
                throw space.malformed("chunk index", structureAddress, "chunk " + java.util.Arrays.toString(scaled) + " is listed twice");
            }
        }

        @Override public ChunkRef find(long[] scaled) { return chunks.get(linear(scaled, grid)); }

        /** Only the listed chunks: a grid of millions of positions with few chunks written costs only those. */
        @Override
        public void forEach(long[] g, java.util.function.BiConsumer<long[], ChunkRef> visitor) {
            long[] scaled = new long[grid.length];
            for (Map.Entry<Long, ChunkRef> e : chunks.entrySet()) {
                unlinear(e.getKey(), grid, scaled);
                visitor.accept(scaled, e.getValue());
            }
        }
    }
}
