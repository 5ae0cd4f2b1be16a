package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.ByteCursor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads string elements: fixed-length (spec IV.A.2.d class 3: null-terminated, null-padded or space-padded) and
 * variable-length (class 9: a length, then a global heap ID of collection address and object index).
 */
public final class StringDecoder {
    private final AddressSpace space;
    private final GlobalHeap heap;

    public StringDecoder(AddressSpace space, GlobalHeap heap) {
        this.space = space;
        this.heap = heap;
    }

    public List<String> decode(DatatypeMessage type, MemorySegment raw, long count) {
        if (count > Integer.MAX_VALUE - 8) throw space.unsupported(count + " strings do not fit one list");
        List<String> out = new ArrayList<>((int) Math.min(count, 1 << 16));
        int size = type.size();
        for (long i = 0; i < count; i++) {
            MemorySegment e = raw.asSlice(i * size, size);
            out.add(type.isVlenString() ? vlen(e) : fixed(type, e));
        }
        return out;
    }

    String fixed(DatatypeMessage type, MemorySegment e) {
        byte[] b = e.toArray(ValueLayout.JAVA_BYTE);
        int n = b.length;
        if (type.stringPadding() == 2) {
            while (n > 0 && b[n - 1] == ' ') n--;
        } else {
            int z = 0;
            while (z < n && b[z] != 0) z++;
            n = z;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    String vlen(MemorySegment e) {
        ByteCursor c = new ByteCursor(e, -1, AddressSpace.FORMAT, space.path).structure("variable-length string");
        long length = AddressSpace.u32(c);
        long collection = space.offset(c);
        int index = AddressSpace.i32(c);
        // An empty string is never read from the heap, whatever its ID says: libhdf5 writes a null ID (1.12+), an
        // empty object (1.8, 1.10) or nothing at all (an attribute never written), and reads none of them.
        if (length == 0) return "";
        MemorySegment obj = heap.object(collection, index);
        if (length > obj.byteSize()) {
            throw space.malformed("global heap collection", collection, "object " + index + " holds " + obj.byteSize()
                    + " bytes but the string says " + length);
        }
        if (length > space.limits.maxStringBytes()) throw space.malformed("global heap collection", collection, "string of " + length + " bytes is too long");
        return new String(obj.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }
}
