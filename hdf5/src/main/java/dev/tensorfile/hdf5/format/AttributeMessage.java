package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.ByteCursor;

import java.lang.foreign.MemorySegment;

/**
 * The attribute message (spec IV.A.2.m), versions 1–3: a name, a datatype, a dataspace and the raw value.
 *
 * @param data the value's bytes: elements × type size, in the file's byte order
 */
public record AttributeMessage(String name, DatatypeMessage type, DataspaceMessage dataspace, MemorySegment data) {

    static AttributeMessage read(AddressSpace space, ByteCursor c) {
        long start = c.position();
        int version = c.u8();
        if (version < 1 || version > 3) throw c.failAt(start, "attribute message version " + version + " is not 1, 2 or 3");
        int flags = c.u8();
        int nameSize = AddressSpace.u16(c);
        int typeSize = AddressSpace.u16(c);
        int spaceSize = AddressSpace.u16(c);
        if (version == 3) c.skip(1); // name character set
        boolean pad = version == 1;
        ByteCursor n = c.split(pad ? align8(nameSize) : nameSize);
        int len = nameSize;
        while (len > 0 && n.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, len - 1) == 0) len--;
        String name = AddressSpace.utf8(n, len);
        ByteCursor t = c.split(pad ? align8(typeSize) : typeSize);
        DatatypeMessage type = (flags & 1) != 0 ? SharedMessage.datatype(space, t) : DatatypeMessage.read(t, 0);
        ByteCursor s = c.split(pad ? align8(spaceSize) : spaceSize);
        if ((flags & 2) != 0) throw space.unsupported("attribute '" + name + "' has a shared dataspace, which is not supported");
        DataspaceMessage ds = DataspaceMessage.read(space, s);
        long bytes;
        try {
            bytes = Math.multiplyExact(ds.elementCount(), (long) type.size());
        } catch (ArithmeticException e) {
            throw c.failAt(start, "attribute '" + name + "' size overflows");
        }
        if (bytes > c.remaining()) {
            throw c.fail("attribute '" + name + "' needs " + bytes + " bytes of data but its message has " + c.remaining());
        }
        return new AttributeMessage(name, type, ds, c.slice(bytes));
    }

    private static long align8(long n) { return (n + 7) / 8 * 8; }

    /** Attribute message version 3 with a UTF-8 name (what the writer emits): type, space and value as given. */
    static byte[] encode(String name, byte[] type, byte[] space, byte[] data) {
        byte[] n = (name + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return new ByteEncoder().u8(3).u8(0).u16(n.length).u16(type.length).u16(space.length).u8(1)
                .bytes(n).bytes(type).bytes(space).bytes(data).toBytes();
    }
}
