package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.ByteCursor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An object header (spec IV.A): version 1 (8-byte aligned messages, no signature) or version 2 ({@code OHDR},
 * lookup3 checksum), with its continuation blocks ({@code OCHK} in version 2) followed in order. Each message is
 * kept as its type, flags and place; message classes parse it when asked. A continuation chain that returns to a
 * block it already read is a cycle and fails.
 *
 * @param address the header's address (identifies the object, for hard-link cycles)
 * @param version 1 or 2
 * @param messages every message, in file order, continuation blocks included
 */
public record ObjectHeader(long address, int version, List<Message> messages) {
    public static final int NIL = 0x00, DATASPACE = 0x01, LINK_INFO = 0x02, DATATYPE = 0x03, FILL_VALUE_OLD = 0x04,
            FILL_VALUE = 0x05, LINK = 0x06, EXTERNAL_FILES = 0x07, DATA_LAYOUT = 0x08, GROUP_INFO = 0x0A,
            FILTER_PIPELINE = 0x0B, ATTRIBUTE = 0x0C, CONTINUATION = 0x10, SYMBOL_TABLE = 0x11,
            ATTRIBUTE_INFO = 0x15;

    /**
     * One header message: its type, flags, and where its data lies.
     *
     * @param flags bit 1: the message is shared (spec IV.A.2, "Header Message Flags")
     */
    public record Message(int type, int flags, long dataAddress, int size) {
        public boolean shared() { return (flags & 0x02) != 0; }

        public ByteCursor cursor(AddressSpace space, String structure) { return space.range(dataAddress, size, structure); }
    }

    public static ObjectHeader read(AddressSpace space, long address) {
        ByteCursor c = space.at(address, "object header");
        int first = c.u8();
        if (first == 1) return readV1(space, address, c);
        c.seek(c.position() - 1);
        AddressSpace.signature(c, "OHDR");
        return readV2(space, address, c);
    }

    private static ObjectHeader readV1(AddressSpace space, long address, ByteCursor c) {
        c.skip(1);
        c.skip(2); // message count: libhdf5 splits and merges NIL messages, so the blocks are read to their end
        c.skip(4); // reference count
        long size = AddressSpace.u32(c);
        c.skip(4); // pads the 12-byte prefix to 16 (spec IV.A.1.a)
        List<Message> out = new ArrayList<>();
        List<long[]> blocks = new ArrayList<>();
        blocks.add(new long[] {address + 16, size});
        Set<Long> seen = new HashSet<>();
        seen.add(address + 16);
        for (int b = 0; b < blocks.size(); b++) {
            long start = blocks.get(b)[0];
            long length = blocks.get(b)[1];
            ByteCursor m = space.range(start, length, "object header message block");
            while (m.remaining() >= 8) {
                long at = m.position();
                int type = AddressSpace.u16(m);
                int msize = AddressSpace.u16(m);
                int flags = m.u8();
                m.skip(3);
                if (msize > m.remaining()) throw m.failAt(at, "message of " + msize + " bytes overruns its header block");
                long dataAddress = start + m.position();
                m.skip(msize);
                addMessage(space, out, blocks, seen, new Message(type, flags, dataAddress, msize), 1);
            }
        }
        return new ObjectHeader(address, 1, List.copyOf(out));
    }

    private static ObjectHeader readV2(AddressSpace space, long address, ByteCursor c) {
        int version = c.u8();
        if (version != 2) throw c.failAt(c.position() - 1, "object header version " + version + " is not 2");
        int flags = c.u8();
        if ((flags & 0x20) != 0) c.skip(16); // access, modification, change, birth times
        if ((flags & 0x10) != 0) c.skip(4); // attribute phase change values
        long chunk0 = AddressSpace.unsigned(c, 1 << (flags & 3));
        boolean creationOrder = (flags & 0x04) != 0;
        long start = c.position() - space.baseAddress;
        long prefix = start - address;
        // the checksum covers the prefix and chunk 0 (spec IV.A.1.b)
        space.checksumAt(address, prefix + chunk0, "object header");
        List<Message> out = new ArrayList<>();
        List<long[]> blocks = new ArrayList<>();
        blocks.add(new long[] {start, chunk0});
        Set<Long> seen = new HashSet<>();
        seen.add(address);
        for (int b = 0; b < blocks.size(); b++) {
            long bstart = blocks.get(b)[0];
            long length = blocks.get(b)[1];
            if (b > 0) {
                ByteCursor k = space.range(bstart, length, "object header continuation block");
                AddressSpace.signature(k, "OCHK");
                if (length < 8) throw k.fail("continuation block of " + length + " bytes is too short");
                AddressSpace.checksum(k, 0, length - 4);
                bstart += 4;
                length -= 8;
            }
            ByteCursor m = space.range(bstart, length, "object header message block");
            int headerSize = creationOrder ? 6 : 4;
            while (m.remaining() >= headerSize) {
                long at = m.position();
                int type = m.u8();
                int msize = AddressSpace.u16(m);
                int mflags = m.u8();
                if (creationOrder) m.skip(2);
                if (msize > m.remaining()) throw m.failAt(at, "message of " + msize + " bytes overruns its header block");
                long dataAddress = bstart + m.position();
                m.skip(msize);
                addMessage(space, out, blocks, seen, new Message(type, mflags, dataAddress, msize), 2);
            }
        }
        return new ObjectHeader(address, 2, List.copyOf(out));
    }

    private static void addMessage(AddressSpace space, List<Message> out, List<long[]> blocks, Set<Long> seen,
            Message msg, int version) {
        if (out.size() >= space.limits.maxCollectionSize()) {
            throw space.malformed("object header", msg.dataAddress(), "more than " + space.limits.maxCollectionSize() + " messages");
        }
        if (msg.type() == CONTINUATION) {
            ByteCursor d = msg.cursor(space, "object header continuation message");
            long addr = space.offset(d);
            long len = space.length(d);
            if (!seen.add(addr)) {
                throw d.failAt(0, "continuation block at " + addr + " was already read: the continuation chain is a cycle");
            }
            if (!space.contains(addr, len)) {
                throw d.failAt(0, "continuation block [" + addr + ", +" + len + ") is past the end of the file");
            }
            blocks.add(new long[] {addr, len});
            return;
        }
        if (msg.type() != NIL) out.add(msg);
    }

    /** The first message of {@code type}, or null. */
    public Message first(int type) {
        for (Message m : messages) if (m.type() == type) return m;
        return null;
    }

    /** Every message of {@code type}. */
    List<Message> all(int type) {
        List<Message> l = new ArrayList<>();
        for (Message m : messages) if (m.type() == type) l.add(m);
        return l;
    }

    /** A message to encode: its type and its encoded body. */
    public record Body(int type, byte[] bytes) {}

    /**
     * A version 2 object header (spec IV.A.1.b, what the writer emits): {@code OHDR}, version 2, flags 2 (a 4-byte
     * size of chunk 0), the messages each with its type, size and no flags, then the lookup3 checksum. No
     * continuation: the writer's headers fit one chunk.
     */
    public static byte[] encodeV2(List<Body> messages) {
        ByteEncoder m = new ByteEncoder();
        for (Body b : messages) {
            if (b.bytes().length > 0xFFFF) throw new IllegalArgumentException("message of " + b.bytes().length + " bytes");
            m.u8(b.type()).u16(b.bytes().length).u8(0).bytes(b.bytes());
        }
        byte[] chunk = m.toBytes();
        byte[] header = new ByteEncoder().ascii("OHDR").u8(2).u8(2).u32(chunk.length).bytes(chunk).toBytes();
        int sum = Lookup3.hash(header, 0, header.length);
        return new ByteEncoder().bytes(header).u32(sum & 0xFFFFFFFFL).toBytes();
    }
}
