package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.ByteCursor;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fixed array chunk index (spec VII.B, {@code FAHD} header and {@code FADB} data block, paged when it holds
 * more than 2^page-bits entries): one entry per chunk of the maximum-dimension grid, in row-major order.
 */
public final class FixedArrayIndex implements ChunkIndex {
    private final AddressSpace space;
    private final long[] maxGrid;
    private final boolean filtered;
    private final int entrySize;
    private final long maxEntries;
    private final long dataBlock;
    private final long pageEntries;
    private final boolean paged;
    private final long prefix;
    private final Set<Long> verified = ConcurrentHashMap.newKeySet();
    private final long chunkBytes;

    public FixedArrayIndex(AddressSpace space, long address, long[] maxGrid, long chunkBytes) {
        this.space = space;
        this.maxGrid = maxGrid;
        this.chunkBytes = chunkBytes;
        ByteCursor c = space.at(address, "fixed array header");
        long start = c.position();
        AddressSpace.signature(c, "FAHD");
        int version = c.u8();
        if (version != 0) throw c.failAt(start + 4, "fixed array version " + version + " is not 0");
        int client = c.u8();
        entrySize = c.u8();
        int pageBits = c.u8();
        maxEntries = space.length(c);
        dataBlock = space.offset(c);
        AddressSpace.checksum(c, start, c.position());
        if (client > 1) throw c.failAt(start + 5, "fixed array client " + client + " is not 0 or 1");
        filtered = client == 1;
        if (entrySize < space.offsetSize + (filtered ? 5 : 0) || pageBits > 32) {
            throw c.failAt(start + 6, "entry size " + entrySize + " / page bits " + pageBits + " are invalid");
        }
        long grid = 1;
        for (long g : maxGrid) grid = Math.multiplyExact(grid, g);
        if (maxEntries < grid) throw c.failAt(start + 8, maxEntries + " entries for a grid of " + grid + " chunks");
        pageEntries = 1L << pageBits;
        paged = maxEntries > pageEntries;
        long pages = (maxEntries + pageEntries - 1) / pageEntries;
        prefix = 4 + 1 + 1 + space.offsetSize + (paged ? (pages + 7) / 8 : 0);
        if (dataBlock != AddressSpace.UNDEFINED) {
            long total = paged ? prefix + 4 + Math.multiplyExact(maxEntries, entrySize) + 4 * pages
                    : prefix + Math.multiplyExact(maxEntries, entrySize) + 4;
            if (!space.contains(dataBlock, total)) {
                throw space.malformed("fixed array data block", dataBlock, "of " + total + " bytes runs past the end of the file");
            }
            ByteCursor d = space.range(dataBlock, prefix + 4, "fixed array data block");
            AddressSpace.signature(d, "FADB");
        }
    }

    @Override
    public ChunkRef find(long[] scaled) {
        if (dataBlock == AddressSpace.UNDEFINED) return null;
        long i = ChunkIndex.linear(scaled, maxGrid);
        ByteCursor c;
        if (!paged) {
            long length = prefix + maxEntries * entrySize + 4;
            c = space.range(dataBlock, length, "fixed array data block");
            if (verified.add(dataBlock)) AddressSpace.checksum(c, 0, length - 4);
            c.seek(prefix + i * entrySize);
        } else {
            long page = i / pageEntries;
            ByteCursor head = space.range(dataBlock, prefix + 4, "fixed array data block");
            if (verified.add(dataBlock)) AddressSpace.checksum(head, 0, prefix);
            head.seek(4 + 1 + 1 + space.offsetSize + page / 8);
            // H5VM_bit_get: the page-init bitmap is MSB-first (0x80 >> page % 8)
            if ((head.u8() & (0x80 >> (page % 8))) == 0) return null; // page never initialised
            long pageStart = prefix + 4 + page * (pageEntries * entrySize + 4);
            long inPage = Math.min(pageEntries, maxEntries - page * pageEntries);
            c = space.range(dataBlock + pageStart, inPage * entrySize + 4, "fixed array data block page");
            if (verified.add(dataBlock + pageStart)) AddressSpace.checksum(c, 0, inPage * entrySize);
            c.seek((i % pageEntries) * entrySize);
        }
        long address = space.offset(c);
        if (address == AddressSpace.UNDEFINED) return null;
        if (!filtered) return new ChunkRef(address, chunkBytes, 0);
        long size = AddressSpace.unsigned(c, entrySize - space.offsetSize - 4);
        int mask = AddressSpace.i32(c);
        return new ChunkRef(address, size, mask);
    }
}
