package dev.tensorfile.hdf5.format;

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
public final class GlobalHeap {
    private final AddressSpace space;
    private final Map<Long, Map<Integer, long[]>> collections = new ConcurrentHashMap<>();

    public GlobalHeap(AddressSpace space) { this.space = space; }

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

    /**
     * Writes global heap collections (what the writer emits, for variable-length strings) as one run starting at a
     * known address, so each string's (collection address, index) is known when it is added. Collections are at
     * least 4 KiB (libhdf5's {@code H5HG_MINSIZE}), end with a free-space object (index 0), and hold at most
     * 65535 objects.
     */
    public static final class Writer {
        private static final int MAX_CONTENT = 1 << 20;
        private final java.util.List<byte[]> done = new java.util.ArrayList<>();
        private ByteEncoder current;
        private long currentAddress;
        private int count;

        public Writer(long start) { this.currentAddress = start; }

        /** Adds an object; answers its heap ID: collection address and index. */
        long[] add(byte[] data) {
            long need = 16 + (data.length + 7L) / 8 * 8;
            if (current != null && (count == 65535 || current.size() + need > MAX_CONTENT)) close();
            if (current == null) {
                current = new ByteEncoder().ascii("GCOL").u8(1).zeros(3).u64(0); // size patched at close
                count = 0;
            }
            count++;
            current.u16(count).u16(1).u32(0).u64(data.length).bytes(data).zeros((8 - data.length % 8) % 8);
            return new long[] {currentAddress, count};
        }

        private void close() {
            long size = Math.max(4096, (current.size() + 16 + 7) / 8 * 8);
            long free = size - current.size();
            current.u16(0).u16(0).u32(0).u64(free).zeros((int) free - 16);
            byte[] b = current.toBytes();
            for (int i = 0; i < 8; i++) b[8 + i] = (byte) (size >>> (8 * i));
            done.add(b);
            currentAddress += size;
            current = null;
        }

        /** Every collection, to be written one after another at the start address. */
        public java.util.List<byte[]> collections() {
            if (current != null) close();
            return java.util.List.copyOf(done);
        }
    }
}
