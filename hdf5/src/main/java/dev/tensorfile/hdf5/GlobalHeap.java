package dev.tensorfile.hdf5;

import dev.tensorfile.core.spi.ByteCursor;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Global heap collections (spec III.E, {@code GCOL}): where variable-length data (vlen strings) live. A
 * variable-length element refers to a collection address and an object index; each collection is indexed once
 * and kept for the life of the file.
 */
final class GlobalHeap {
    private final AddressSpace space;
    private final Map<Long, Map<Integer, long[]>> collections = new ConcurrentHashMap<>();

    GlobalHeap(AddressSpace space) { this.space = space; }

    /** The bytes of object {@code index} of the collection at {@code address}. */
    MemorySegment object(long address, int index) {
        Map<Integer, long[]> objects = collections.computeIfAbsent(address, this::index);
        long[] o = objects.get(index);
        if (o == null) {
            throw space.malformed("global heap collection", address, "has no object " + index);
        }
        return space.slice(o[0], o[1], "global heap object");
    }

    private Map<Integer, long[]> index(long address) {
        ByteCursor c = space.at(address, "global heap collection");
        AddressSpace.signature(c, "GCOL");
        int version = c.u8();
        if (version != 1) throw c.failAt(c.position() - 1, "global heap version " + version + " is not 1");
        c.skip(3);
        long size = space.length(c);
        long headerSize = 8 + space.lengthSize;
        if (size < headerSize) throw c.failAt(8, "collection size " + size + " is smaller than its header");
        ByteCursor body = space.range(address, size, "global heap collection");
        body.seek(headerSize);
        Map<Integer, long[]> objects = new HashMap<>();
        while (body.remaining() >= 8 + space.lengthSize) {
            int index = AddressSpace.u16(body);
            body.skip(6); // reference count, reserved
            long objectSize = space.length(body);
            if (index == 0) break; // free space runs to the end of the collection
            long dataAt = body.position();
            if (objectSize > body.remaining()) throw body.fail("object " + index + " of " + objectSize + " bytes overruns its collection");
            objects.put(index, new long[] {address + dataAt, objectSize});
            body.skip(Math.min(body.remaining(), (objectSize + 7) / 8 * 8));
        }
        return objects;
    }
}
