package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.ByteCursor;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The extensible array chunk index (spec VII.A: header {@code EAHD}, index block {@code EAIB}, secondary blocks
 * {@code EASB}, data blocks {@code EADB}, paged when large), used for datasets with one unlimited dimension. The
 * block geometry follows libhdf5's {@code H5EA__hdr_init} and {@code H5EA__lookup_elmt}; chunk coordinates are
 * swizzled so the unlimited dimension comes first ({@code H5D__earray_idx_get_addr}).
 */
public final class ExtensibleArrayIndex implements ChunkIndex {
    private final AddressSpace space;
    private final long header;
    private final long[] swizzledGrid;
    private final int unlimited;
    private final long chunkBytes;
    private final boolean filtered;
    private final int elementSize;
    private final int indexElements;
    private final long dblkMin;
    private final long pageElements;
    private final int arrOffSize;
    private final long indexBlock;
    private final int firstSblk; // secondary blocks addressed from the index block's data block pointers
    private final int ndblkAddrs;
    private final int nsblkAddrs;
    private final long[] sblkDblks;
    private final long[] sblkDblkElements;
    private final long[] sblkStartIdx;
    private final long[] sblkStartDblk;
    private final Set<Long> verified = ConcurrentHashMap.newKeySet();

    public ExtensibleArrayIndex(AddressSpace space, long address, long[] grid, int unlimited, long chunkBytes) {
        this.space = space;
        this.header = address;
        this.unlimited = unlimited;
        this.chunkBytes = chunkBytes;
        swizzledGrid = swizzle(grid, unlimited);
        ByteCursor c = space.at(address, "extensible array header");
        long start = c.position();
        AddressSpace.signature(c, "EAHD");
        int version = c.u8();
        if (version != 0) throw c.failAt(start + 4, "extensible array version " + version + " is not 0");
        int client = c.u8();
        elementSize = c.u8();
        int maxBits = c.u8();
        indexElements = c.u8();
        int dblkMinElements = c.u8();
        int sblkMinPointers = c.u8();
        int pageBits = c.u8();
        for (int i = 0; i < 6; i++) space.length(c);
        indexBlock = space.offset(c);
        AddressSpace.checksum(c, start, c.position());
        filtered = client == 1;
        if (client > 1 || maxBits < 1 || maxBits > 64 || dblkMinElements == 0 || Long.bitCount(dblkMinElements) != 1
                || sblkMinPointers == 0 || Long.bitCount(sblkMinPointers) != 1 || pageBits > 32
                || elementSize < space.offsetSize || AddressSpace.log2(dblkMinElements) > maxBits) {
            throw c.failAt(start, "extensible array parameters are invalid");
        }
        dblkMin = dblkMinElements;
        pageElements = 1L << pageBits;
        arrOffSize = (maxBits + 7) / 8;
        int nsblks = 1 + (maxBits - AddressSpace.log2(dblkMinElements));
        sblkDblks = new long[nsblks];
        sblkDblkElements = new long[nsblks];
        sblkStartIdx = new long[nsblks];
        sblkStartDblk = new long[nsblks];
        long idx = 0, dblk = 0;
        for (int u = 0; u < nsblks; u++) {
            sblkDblks[u] = 1L << (u / 2);
            sblkDblkElements[u] = (1L << ((u + 1) / 2)) * dblkMin;
            sblkStartIdx[u] = idx;
            sblkStartDblk[u] = dblk;
            idx += sblkDblks[u] * sblkDblkElements[u];
            dblk += sblkDblks[u];
        }
        firstSblk = 2 * AddressSpace.log2(sblkMinPointers);
        ndblkAddrs = 2 * (sblkMinPointers - 1);
        nsblkAddrs = Math.max(0, nsblks - firstSblk);
    }

    private static long[] swizzle(long[] a, int unlimited) {
        long[] s = new long[a.length];
        s[0] = a[unlimited];
        for (int i = 0, j = 1; i < a.length; i++) if (i != unlimited) s[j++] = a[i];
        return s;
    }

    @Override
    public ChunkRef find(long[] scaled) {
        if (indexBlock == AddressSpace.UNDEFINED) return null;
        long idx = ChunkIndex.linear(swizzle(scaled, unlimited), swizzledGrid);
        long prefix = 4 + 1 + 1 + space.offsetSize;
        long blockLength = prefix + (long) indexElements * elementSize + (long) (ndblkAddrs + nsblkAddrs) * space.offsetSize + 4;
        ByteCursor ib = space.range(indexBlock, blockLength, "extensible array index block");
        if (verified.add(indexBlock)) {
            AddressSpace.signature(ib, "EAIB");
            AddressSpace.checksum(ib, 0, blockLength - 4);
        }
        if (idx < indexElements) {
            ib.seek(prefix + idx * elementSize);
            return entry(ib);
        }
        idx -= indexElements;
        int sblk = AddressSpace.log2(idx / dblkMin + 1);
        if (sblk >= sblkDblks.length) throw space.malformed("extensible array index block", indexBlock, "element " + idx + " is beyond the array");
        idx -= sblkStartIdx[sblk];
        long dblkAddress;
        long elements = sblkDblkElements[sblk];
        if (sblk < firstSblk) {
            long d = sblkStartDblk[sblk] + idx / elements;
            ib.seek(prefix + (long) indexElements * elementSize + d * space.offsetSize);
            dblkAddress = space.offset(ib);
        } else {
            ib.seek(prefix + (long) indexElements * elementSize + (long) ndblkAddrs * space.offsetSize
                    + (long) (sblk - firstSblk) * space.offsetSize);
            long sblkAddress = space.offset(ib);
            if (sblkAddress == AddressSpace.UNDEFINED) return null;
            long pagesPerDblk = elements > pageElements ? elements / pageElements : 0;
            long bitmap = pagesPerDblk > 0 ? sblkDblks[sblk] * ((pagesPerDblk + 7) / 8) : 0;
            long sLength = prefix + arrOffSize + bitmap + sblkDblks[sblk] * space.offsetSize + 4;
            ByteCursor sb = space.range(sblkAddress, sLength, "extensible array secondary block");
            if (verified.add(sblkAddress)) {
                AddressSpace.signature(sb, "EASB");
                AddressSpace.checksum(sb, 0, sLength - 4);
            }
            long d = idx / elements;
            if (pagesPerDblk > 0) {
                long page = (idx % elements) / pageElements;
                sb.seek(prefix + arrOffSize + d * ((pagesPerDblk + 7) / 8) + page / 8);
                if ((sb.u8() & (0x80 >> (page % 8))) == 0) return null; // H5VM_bit_get: MSB first
            }
            sb.seek(prefix + arrOffSize + bitmap + d * space.offsetSize);
            dblkAddress = space.offset(sb);
        }
        if (dblkAddress == AddressSpace.UNDEFINED) return null;
        long e = idx % elements;
        long dPrefix = prefix + arrOffSize;
        if (elements > pageElements) {
            long page = e / pageElements;
            long pageStart = dPrefix + 4 + page * (pageElements * elementSize + 4);
            ByteCursor pc = space.range(dblkAddress + pageStart, pageElements * elementSize + 4, "extensible array data block page");
            if (verified.add(dblkAddress + pageStart)) AddressSpace.checksum(pc, 0, pageElements * elementSize);
            pc.seek((e % pageElements) * elementSize);
            return entry(pc);
        }
        long dLength = dPrefix + elements * elementSize + 4;
        ByteCursor db = space.range(dblkAddress, dLength, "extensible array data block");
        if (verified.add(dblkAddress)) {
            AddressSpace.signature(db, "EADB");
            AddressSpace.checksum(db, 0, dLength - 4);
        }
        db.seek(dPrefix + e * elementSize);
        return entry(db);
    }

    private ChunkRef entry(ByteCursor c) {
        long address = space.offset(c);
        if (address == AddressSpace.UNDEFINED) return null;
        if (!filtered) return new ChunkRef(address, chunkBytes, 0);
        long size = AddressSpace.unsigned(c, elementSize - space.offsetSize - 4);
        return new ChunkRef(address, size, AddressSpace.i32(c));
    }

    long header() { return header; }
}
