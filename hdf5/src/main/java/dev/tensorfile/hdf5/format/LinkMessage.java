package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.ByteCursor;

/**
 * The link message (spec IV.A.2.g): one link of a new-style group, in the object header (compact storage) or in
 * the group's fractal heap (dense storage).
 */
public final class LinkMessage {
    private LinkMessage() {}

    static Link read(AddressSpace space, ByteCursor c) {
        long start = c.position();
        int version = c.u8();
        if (version != 1) throw c.failAt(start, "link message version " + version + " is not 1");
        int flags = c.u8();
        int type = (flags & 0x08) != 0 ? c.u8() : 0;
        if ((flags & 0x04) != 0) c.skip(8); // creation order
        if ((flags & 0x10) != 0) c.skip(1); // character set of the name
        long nameLength = AddressSpace.unsigned(c, 1 << (flags & 3));
        if (nameLength == 0 || nameLength > space.limits.maxStringBytes()) throw c.fail("link name length " + nameLength + " is invalid");
        String name = AddressSpace.utf8(c, nameLength);
        return switch (type) {
            case 0 -> new Link(name, Link.Kind.HARD, space.offset(c), null, null);
            case 1 -> {
                int n = AddressSpace.u16(c);
                yield new Link(name, Link.Kind.SOFT, AddressSpace.UNDEFINED, c.utf8(n), null);
            }
            case 64 -> {
                int n = AddressSpace.u16(c);
                ByteCursor v = c.split(n);
                v.u8(); // version and flags
                String file = cString(v);
                String path = cString(v);
                yield new Link(name, Link.Kind.EXTERNAL, AddressSpace.UNDEFINED, path, file);
            }
            default -> throw c.failAt(start + 2, "link type " + type + " is not hard (0), soft (1) or external (64)");
        };
    }

    private static String cString(ByteCursor c) {
        long start = c.position();
        int n = 0;
        while (c.remaining() > 0 && c.u8() != 0) n++;
        c.seek(start);
        String s = c.utf8(n);
        if (c.remaining() > 0) c.skip(1);
        return s;
    }

    /** A version 1 hard link message with a UTF-8 name (what the writer emits). */
    public static byte[] encodeHard(String name, long address) {
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteEncoder e = new ByteEncoder().u8(1);
        int width = n.length < 256 ? 0 : n.length < 65536 ? 1 : 2;
        e.u8(width | 0x10).u8(1); // flags: name length width, character set present; UTF-8
        if (width == 0) e.u8(n.length);
        else if (width == 1) e.u16(n.length);
        else e.u32(n.length);
        return e.bytes(n).u64(address).toBytes();
    }
}
