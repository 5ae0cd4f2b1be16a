package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.ByteCursor;

import java.util.List;

/**
 * A symbol table node (spec III.B, {@code SNOD}): the leaf of an old-style group's B-tree, holding symbol table
 * entries (spec III.C): a name in the local heap and an object header address, or a soft link (cache type 2).
 */
final class SymbolTableNode {
    private SymbolTableNode() {}

    static void read(AddressSpace space, long address, LocalHeap heap, List<Link> out) {
        ByteCursor c = space.at(address, "symbol table node");
        AddressSpace.signature(c, "SNOD");
        int version = c.u8();
        if (version != 1) throw c.failAt(c.position() - 1, "symbol table node version " + version + " is not 1");
        c.skip(1);
        int count = AddressSpace.u16(c);
        c = space.more(c, count * (2L * space.offsetSize + 24));
        c.requireCount(count, 2L * space.offsetSize + 24, "symbol table entry");
        for (int i = 0; i < count; i++) {
            long nameOffset = space.length(c);
            long header = space.offset(c);
            int cacheType = AddressSpace.i32(c);
            c.skip(4);
            ByteCursor scratch = c.split(16);
            String name = heap.string(space, nameOffset);
            if (cacheType == 2) {
                long valueOffset = AddressSpace.u32(scratch);
                out.add(new Link(name, Link.Kind.SOFT, AddressSpace.UNDEFINED, heap.string(space, valueOffset), null));
            } else {
                out.add(new Link(name, Link.Kind.HARD, header, null, null));
            }
        }
    }
}
