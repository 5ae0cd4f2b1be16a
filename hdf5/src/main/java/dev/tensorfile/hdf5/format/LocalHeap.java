package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.ByteCursor;

/**
 * A local heap (spec III.D, {@code HEAP}): the link names of a symbol-table group, null-terminated strings at
 * offsets into its data segment.
 */
record LocalHeap(long address, long dataAddress, long dataSize) {
    static LocalHeap read(AddressSpace space, long address) {
        ByteCursor c = space.at(address, "local heap");
        AddressSpace.signature(c, "HEAP");
        int version = c.u8();
        if (version != 0) throw c.failAt(c.position() - 1, "local heap version " + version + " is not 0");
        c.skip(3);
        long size = space.length(c);
        space.length(c); // free list head
        long data = space.offset(c);
        if (!space.contains(data, size)) throw c.failAt(8, "data segment [" + data + ", +" + size + ") is past the end of the file");
        return new LocalHeap(address, data, size);
    }

    /** The null-terminated string at {@code offset} of the data segment. */
    String string(AddressSpace space, long offset) {
        ByteCursor c = space.range(dataAddress, dataSize, "local heap data segment");
        if (offset < 0 || offset >= dataSize) throw c.fail("name offset " + offset + " is outside the heap's " + dataSize + " bytes");
        c.seek(offset);
        long n = 0;
        while (true) {
            if (c.remaining() == 0) throw c.fail("name at heap offset " + offset + " is not null-terminated");
            if (c.u8() == 0) break;
            n++;
            if (n > space.limits.maxStringBytes()) throw c.fail("name longer than " + space.limits.maxStringBytes() + " bytes");
        }
        c.seek(offset);
        return c.utf8(n);
    }
}
