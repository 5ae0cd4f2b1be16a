package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.ByteCursor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fractal heap (spec III.G, {@code FRHP}): where dense groups keep their link messages and dense attribute
 * storage its attribute messages. Objects are found by heap ID: managed objects through the doubling table of
 * direct ({@code FHDB}) and indirect ({@code FHIB}) blocks, tiny objects inside the ID itself, huge objects
 * directly by address or through the heap's v2 B-tree (record type 1). Every block's checksum is verified.
 */
final class FractalHeap {
    private final AddressSpace space;
    private final long address;
    private final int idLength;
    private final int filterLength;
    private final boolean checksumDirect;
    private final long maxManagedSize;
    private final long hugeTree;
    private final int width;
    private final long startBlockSize;
    private final long maxDirectBlockSize;
    private final int maxHeapBits;
    private final long rootBlock;
    private final int rootRows;
    private final int offsetBytes;
    private final int lengthBytes;
    private final int maxDirectRows;
    private final Set<Long> verified = ConcurrentHashMap.newKeySet();

    FractalHeap(AddressSpace space, long address) {
        this.space = space;
        this.address = address;
        ByteCursor c = space.at(address, "fractal heap header");
        long start = c.position();
        AddressSpace.signature(c, "FRHP");
        int version = c.u8();
        if (version != 0) throw c.failAt(start + 4, "fractal heap version " + version + " is not 0");
        idLength = AddressSpace.u16(c);
        filterLength = AddressSpace.u16(c);
        int flags = c.u8();
        checksumDirect = (flags & 2) != 0;
        maxManagedSize = AddressSpace.u32(c);
        space.length(c); // next huge object ID
        hugeTree = space.offset(c);
        space.length(c); // free space in managed blocks
        space.offset(c); // free space manager
        space.length(c); // managed space
        space.length(c); // allocated managed space
        space.length(c); // direct block allocation iterator
        space.length(c); // managed objects
        space.length(c); // huge objects size
        space.length(c); // huge objects
        space.length(c); // tiny objects size
        space.length(c); // tiny objects
        width = AddressSpace.u16(c);
        startBlockSize = space.length(c);
        maxDirectBlockSize = space.length(c);
        maxHeapBits = AddressSpace.u16(c);
        AddressSpace.u16(c); // starting rows of the root indirect block
        rootBlock = space.offset(c);
        rootRows = AddressSpace.u16(c);
        if (filterLength > 0) {
            c = space.more(c, space.lengthSize + 4L + filterLength + 4);
            space.length(c);
            c.skip(4);
            c.skip(filterLength);
        }
        AddressSpace.checksum(c, start, c.position());
        if (width == 0 || width > 65536 || Long.bitCount(width) != 1 || startBlockSize <= 0
                || Long.bitCount(startBlockSize) != 1 || maxDirectBlockSize < startBlockSize
                || Long.bitCount(maxDirectBlockSize) != 1 || maxHeapBits <= 0 || maxHeapBits > 64 || idLength < 1) {
            throw c.failAt(start, "doubling table (width " + width + ", start block " + startBlockSize
                    + ", max direct block " + maxDirectBlockSize + ", heap bits " + maxHeapBits + ") is invalid");
        }
        offsetBytes = (maxHeapBits + 7) / 8;
        lengthBytes = Math.min((AddressSpace.log2(maxDirectBlockSize) + 7) / 8, AddressSpace.encodedSize(maxManagedSize));
        maxDirectRows = AddressSpace.log2(maxDirectBlockSize) - AddressSpace.log2(startBlockSize) + 2;
    }

    /** The object a heap ID names, as a cursor over exactly its bytes. */
    ByteCursor object(ByteCursor id) {
        long idAt = id.position();
        int b0 = id.u8();
        if ((b0 & 0xC0) != 0) throw id.failAt(idAt, "heap ID version " + (b0 >> 6) + " is not 0");
        int type = (b0 >> 4) & 3;
        switch (type) {
            case 0 -> {
                long offset = AddressSpace.unsigned(id, offsetBytes);
                long length = AddressSpace.unsigned(id, lengthBytes);
                if (filterLength > 0) throw space.unsupported("filtered fractal heaps (I/O filters on dense storage) are not supported");
                return managed(offset, length);
            }
            case 1 -> {
                if (filterLength == 0 && idLength >= 1 + space.offsetSize + space.lengthSize) {
                    long addr = space.offset(id);
                    long len = space.length(id);
                    return space.range(addr, len, "huge fractal heap object");
                }
                int n = Math.min(idLength - 1, 8);
                long key = AddressSpace.unsigned(id, n);
                return huge(key);
            }
            case 2 -> {
                int len = idLength <= 18 ? (b0 & 0x0F) + 1 : (((b0 & 0x0F) << 8) | id.u8()) + 1;
                return id.split(len);
            }
            default -> throw id.failAt(idAt, "heap ID type 3 is reserved");
        }
    }

    private ByteCursor huge(long key) {
        if (hugeTree == AddressSpace.UNDEFINED) throw space.malformed("fractal heap header", address, "huge object " + key + " but no huge object B-tree");
        BTreeV2 tree = new BTreeV2(space, hugeTree);
        long[] found = null;
        if (tree.type != 1) {
            throw space.unsupported("huge fractal heap objects in a type " + tree.type + " B-tree (filtered) are not supported");
        }
        long[][] hit = new long[1][];
        tree.forEach(r -> {
            long a = space.offset(r);
            long l = space.length(r);
            long k = space.length(r);
            if (k == key && hit[0] == null) hit[0] = new long[] {a, l};
        });
        found = hit[0];
        if (found == null) throw space.malformed("fractal heap huge object B-tree", hugeTree, "has no huge object " + key);
        return space.range(found[0], found[1], "huge fractal heap object");
    }

    private long rowBlockSize(int row) { return row == 0 ? startBlockSize : startBlockSize << (row - 1); }

    private ByteCursor managed(long offset, long length) {
        if (rootBlock == AddressSpace.UNDEFINED) throw space.malformed("fractal heap header", address, "the heap is empty but an object is asked for");
        if (rootRows == 0) return direct(rootBlock, startBlockSize, 0, offset, length);
        long block = rootBlock;
        int rows = rootRows;
        long blockOffset = 0;
        for (int depth = 0; depth < 64; depth++) {
            ByteCursor c = indirectBlock(block, rows);
            long pos = blockOffset;
            int found = -1;
            long entryOffset = 0;
            for (int r = 0; r < rows && found < 0; r++) {
                long size = rowBlockSize(r);
                long rowSpan = size * width;
                if (offset < pos + rowSpan) {
                    int col = (int) ((offset - pos) / size);
                    found = r * width + col;
                    entryOffset = pos + col * size;
                } else {
                    pos += rowSpan;
                }
            }
            if (found < 0) throw c.fail("heap offset " + offset + " is outside the indirect block");
            int row = found / width;
            int directEntries = Math.min(rows, maxDirectRows) * width;
            int entrySize = space.offsetSize + (filterLength > 0 ? space.lengthSize + 4 : 0);
            long child;
            if (found < directEntries) {
                c.seek(c.position() + (long) found * entrySize);
                child = space.offset(c);
            } else {
                c.seek(c.position() + (long) directEntries * entrySize + (long) (found - directEntries) * space.offsetSize);
                child = space.offset(c);
            }
            if (child == AddressSpace.UNDEFINED) throw c.fail("heap offset " + offset + " lies in a block that was never allocated");
            long size = rowBlockSize(row);
            if (row < maxDirectRows) return direct(child, size, entryOffset, offset, length);
            block = child;
            rows = AddressSpace.log2(size) - AddressSpace.log2(startBlockSize * width) + 1;
            blockOffset = entryOffset;
        }
        throw space.malformed("fractal heap indirect block", block, "indirect blocks nest deeper than 64");
    }

    /** A cursor at the first child entry of the indirect block. */
    private ByteCursor indirectBlock(long block, int rows) {
        ByteCursor c = space.at(block, "fractal heap indirect block");
        int directRows = Math.min(rows, maxDirectRows);
        long entries = (long) directRows * width * (space.offsetSize + (filterLength > 0 ? space.lengthSize + 4 : 0))
                + (long) (rows - directRows) * width * space.offsetSize;
        // a block already checked (signature, owner, checksum) is not parsed again: a dense group's B-tree walk
        // looks up every link through the same root indirect block
        if (verified.contains(block)) {
            c.seek(c.position() + 5 + space.offsetSize + offsetBytes);
            return space.more(c, entries);
        }
        long start = c.position();
        AddressSpace.signature(c, "FHIB");
        int version = c.u8();
        if (version != 0) throw c.failAt(start + 4, "indirect block version " + version + " is not 0");
        long header = space.offset(c);
        if (header != address) throw c.failAt(start + 5, "belongs to heap " + header + ", not " + address);
        c.skip(offsetBytes);
        long entriesAt = c.position();
        if (!verified.contains(block)) {
            c = space.more(c, entries + 4);
            if (entries > c.remaining()) throw c.fail("indirect block of " + rows + " rows runs past the end of the file");
            AddressSpace.checksum(c, start, entriesAt + entries);
            verified.add(block);
        }
        return c.seek(entriesAt);
    }

    private ByteCursor direct(long block, long size, long blockOffset, long offset, long length) {
        ByteCursor c = space.range(block, size, "fractal heap direct block");
        if (verified.contains(block)) return object(c, size, offset - blockOffset, offset, length);
        AddressSpace.signature(c, "FHDB");
        int version = c.u8();
        if (version != 0) throw c.failAt(4, "direct block version " + version + " is not 0");
        long header = space.offset(c);
        if (header != address) throw c.failAt(5, "belongs to heap " + header + ", not " + address);
        c.skip(offsetBytes);
        if (checksumDirect) {
            long at = c.position();
            long stored = AddressSpace.u32(c);
            // the checksum covers the whole block with its own field zeroed (libhdf5 H5HF__cache_dblock_verify_chksum)
            byte[] copy = c.segment().toArray(ValueLayout.JAVA_BYTE);
            for (int i = 0; i < 4; i++) copy[(int) at + i] = 0;
            int actual = Lookup3.hash(copy, 0, copy.length);
            if ((int) stored != actual) throw c.failAt(at, String.format("checksum 0x%08x does not match the computed 0x%08x", stored, actual));
        }
        verified.add(block);
        return object(c, size, offset - blockOffset, offset, length);
    }

    /** The object at {@code within} bytes into the direct block {@code c}, checked to lie past the block's header. */
    private ByteCursor object(ByteCursor c, long size, long within, long offset, long length) {
        long headerSize = 5 + space.offsetSize + offsetBytes + (checksumDirect ? 4 : 0);
        if (within < headerSize || length > size - within) {
            throw c.failAt(0, "object at heap offset " + offset + " of " + length + " bytes is outside its direct block");
        }
        c.seek(within);
        return c.split(length);
    }
}
