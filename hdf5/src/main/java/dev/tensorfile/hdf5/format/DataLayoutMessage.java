package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.ByteCursor;

/**
 * The data layout message (spec IV.A.2.i), versions 1–4: where a dataset's raw data is.
 */
public sealed interface DataLayoutMessage {
    /** Data inside the message itself. */
    record Compact(long address, long size) implements DataLayoutMessage {}

    /** One block of the file; {@code address} undefined when never written. */
    record Contiguous(long address, long size) implements DataLayoutMessage {}

    /**
     * Chunks found through an index (spec IV.A.2.i, "Layout: Chunked Storage Property Description").
     *
     * @param chunkDims chunk dimensions in elements, one per dataset dimension
     * @param index 0 = version 1 B-tree (layout versions 1–3); 1 single chunk, 2 implicit, 3 fixed array,
     *     4 extensible array, 5 version 2 B-tree (layout version 4)
     * @param filteredSize the stored size of a filtered single chunk
     * @param filterMask the filter mask of a filtered single chunk
     * @param flags layout version 4 flags: bit 0 don't filter partial edge chunks, bit 1 single chunk is filtered
     */
    record Chunked(long[] chunkDims, long elementSize, int index, long address, long filteredSize, int filterMask,
            int flags) implements DataLayoutMessage {
        long chunkElements() {
            long n = 1;
            for (long d : chunkDims) n = Math.multiplyExact(n, d);
            return n;
        }
        public long chunkBytes() { return Math.multiplyExact(chunkElements(), elementSize); }
    }

    /** A virtual dataset (mapped from other datasets); never read. */
    record Virtual() implements DataLayoutMessage {}

    static DataLayoutMessage read(AddressSpace space, ObjectHeader.Message m) {
        ByteCursor c = m.cursor(space, "data layout message");
        int version = c.u8();
        if (version == 1 || version == 2) {
            int rank = c.u8();
            int cls = c.u8();
            c.skip(5);
            long address = cls == 0 ? AddressSpace.UNDEFINED : space.offset(c);
            if (rank < 1 || rank > 33) throw c.failAt(1, "layout dimensionality " + rank + " is not 1 to 33");
            long[] dims = new long[rank];
            for (int i = 0; i < rank; i++) dims[i] = AddressSpace.u32(c);
            return switch (cls) {
                case 0 -> {
                    long size = AddressSpace.u32(c);
                    yield new Compact(m.dataAddress() + c.position(), size);
                }
                case 1 -> {
                    long n = 1;
                    for (long d : dims) n = Math.multiplyExact(n, d);
                    yield new Contiguous(address, n);
                }
                case 2 -> {
                    // As libhdf5 1.4-1.8 write it (H5Olayout.c, version < 3): the last of the rank fields is the
                    // element size; the spec's separate "dataset element size" field is never written.
                    if (rank < 2) throw c.failAt(1, "chunked layout dimensionality " + rank + " leaves no element size");
                    long[] chunk = java.util.Arrays.copyOf(dims, rank - 1);
                    yield new Chunked(chunk, dims[rank - 1], 0, address, 0, 0, 0);
                }
                default -> throw c.failAt(2, "layout class " + cls + " is not compact, contiguous or chunked");
            };
        }
        if (version != 3 && version != 4) throw c.failAt(0, "data layout version " + version + " is not 1 to 4");
        int cls = c.u8();
        switch (cls) {
            case 0 -> {
                int size = AddressSpace.u16(c);
                return new Compact(m.dataAddress() + c.position(), size);
            }
            case 1 -> {
                long address = space.offset(c);
                long size = space.length(c);
                return new Contiguous(address, size);
            }
            case 2 -> {
                if (version == 3) {
                    int rank = c.u8() - 1;
                    if (rank < 0 || rank > 32) throw c.failAt(2, "chunk dimensionality " + (rank + 1) + " is not 1 to 33");
                    long address = space.offset(c);
                    long[] dims = new long[rank];
                    for (int i = 0; i < rank; i++) dims[i] = AddressSpace.u32(c);
                    long elementSize = AddressSpace.u32(c);
                    return new Chunked(dims, elementSize, 0, address, 0, 0, 0);
                }
                int flags = c.u8();
                int rank = c.u8() - 1;
                int width = c.u8();
                if (rank < 0 || rank > 32) throw c.failAt(3, "chunk dimensionality " + (rank + 1) + " is not 1 to 33");
                if (width < 1 || width > 8) throw c.failAt(4, "chunk dimension width " + width + " is not 1 to 8");
                long[] dims = new long[rank];
                for (int i = 0; i < rank; i++) dims[i] = AddressSpace.unsigned(c, width);
                long elementSize = AddressSpace.unsigned(c, width);
                int index = c.u8();
                long filteredSize = 0;
                int mask = 0;
                switch (index) {
                    case 1 -> {
                        if ((flags & 2) != 0) {
                            filteredSize = space.length(c);
                            mask = AddressSpace.i32(c);
                        }
                    }
                    case 2 -> { }
                    case 3 -> c.skip(1); // page bits: repeated in the fixed array header
                    case 4 -> c.skip(5); // extensible array parameters: repeated in its header
                    case 5 -> c.skip(6); // node size, split and merge percent: repeated in the B-tree header
                    default -> throw c.failAt(c.position() - 1, "chunk index type " + index + " is not 1 to 5");
                }
                long address = space.offset(c);
                return new Chunked(dims, elementSize, index, address, filteredSize, mask, flags);
            }
            case 3 -> {
                return new Virtual();
            }
            default -> throw c.failAt(1, "layout class " + cls + " is not compact, contiguous, chunked or virtual");
        }
    }

    /** Layout version 3, contiguous (what the writer emits): address (undefined when empty) and size. */
    static byte[] encodeContiguous(long address, long size) {
        return new ByteEncoder().u8(3).u8(1).u64(address).u64(size).toBytes();
    }

    /** Layout version 3, chunked with a version 1 B-tree (what the writer emits): the element size comes last. */
    static byte[] encodeChunked(long btree, long[] chunk, int elementSize) {
        ByteEncoder e = new ByteEncoder().u8(3).u8(2).u8(chunk.length + 1).u64(btree);
        for (long c : chunk) e.u32(c);
        return e.u32(elementSize).toBytes();
    }
}
