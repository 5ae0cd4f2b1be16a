package dev.tensorfile.hdf5;

import dev.tensorfile.core.spi.ByteCursor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * A group's links and an object's attributes, wherever they are stored: old-style symbol tables (symbol table
 * message → v1 B-tree type 0 → symbol table nodes, names in a local heap), new-style compact link messages, and
 * dense storage (link info / attribute info message → fractal heap, indexed by v2 B-trees 5/6 and 8/9).
 */
final class Group {
    private Group() {}

    static boolean isGroup(ObjectHeader h) {
        return h.first(ObjectHeader.SYMBOL_TABLE) != null || h.first(ObjectHeader.LINK_INFO) != null
                || h.first(ObjectHeader.LINK) != null || h.first(ObjectHeader.GROUP_INFO) != null;
    }

    /** The links, by name, or in creation order where the group tracks it. */
    static List<Link> links(AddressSpace space, ObjectHeader h) {
        List<Link> out = new ArrayList<>();
        ObjectHeader.Message st = h.first(ObjectHeader.SYMBOL_TABLE);
        boolean creationOrder = false;
        if (st != null) {
            ByteCursor c = st.cursor(space, "symbol table message");
            long btree = space.offset(c);
            long heapAddress = space.offset(c);
            LocalHeap heap = LocalHeap.read(space, heapAddress);
            BTreeV1.walkGroup(space, btree, node -> SymbolTableNode.read(space, node, heap, out));
        } else {
            for (ObjectHeader.Message m : h.all(ObjectHeader.LINK)) out.add(LinkMessage.read(space, m.cursor(space, "link message")));
            ObjectHeader.Message li = h.first(ObjectHeader.LINK_INFO);
            if (li != null) {
                ByteCursor c = li.cursor(space, "link info message");
                int version = c.u8();
                if (version != 0) throw c.failAt(0, "link info version " + version + " is not 0");
                int flags = c.u8();
                if ((flags & 1) != 0) c.skip(8);
                long heapAddress = space.offset(c);
                long nameIndex = space.offset(c);
                long orderIndex = (flags & 2) != 0 ? space.offset(c) : AddressSpace.UNDEFINED;
                creationOrder = (flags & 1) != 0;
                if (heapAddress != AddressSpace.UNDEFINED) {
                    FractalHeap heap = new FractalHeap(space, heapAddress);
                    boolean byOrder = orderIndex != AddressSpace.UNDEFINED;
                    BTreeV2 tree = new BTreeV2(space, byOrder ? orderIndex : nameIndex);
                    int expected = byOrder ? 6 : 5;
                    if (tree.type != expected) {
                        throw space.malformed("v2 B-tree header", tree.address(), "type " + tree.type + " where a link index of type " + expected + " was expected");
                    }
                    tree.forEach(r -> {
                        r.skip(byOrder ? 8 : 4);
                        out.add(LinkMessage.read(space, heap.object(r)));
                        if (out.size() > space.limits.maxCollectionSize()) throw r.fail("too many links");
                    });
                    if (!byOrder) creationOrder = false;
                }
            }
        }
        if (!creationOrder) out.sort(Comparator.comparing(Link::name));
        return out;
    }

    /** The attributes, by name (or in creation order where tracked). */
    static List<AttributeMessage> attributes(AddressSpace space, ObjectHeader h) {
        List<AttributeMessage> out = new ArrayList<>();
        for (ObjectHeader.Message m : h.all(ObjectHeader.ATTRIBUTE)) {
            out.add(AttributeMessage.read(space, m.cursor(space, "attribute message")));
        }
        boolean creationOrder = false;
        ObjectHeader.Message ai = h.first(ObjectHeader.ATTRIBUTE_INFO);
        if (ai != null) {
            ByteCursor c = ai.cursor(space, "attribute info message");
            int version = c.u8();
            if (version != 0) throw c.failAt(0, "attribute info version " + version + " is not 0");
            int flags = c.u8();
            if ((flags & 1) != 0) c.skip(2);
            long heapAddress = space.offset(c);
            long nameIndex = space.offset(c);
            long orderIndex = (flags & 2) != 0 ? space.offset(c) : AddressSpace.UNDEFINED;
            creationOrder = (flags & 1) != 0;
            if (heapAddress != AddressSpace.UNDEFINED) {
                FractalHeap heap = new FractalHeap(space, heapAddress);
                boolean byOrder = orderIndex != AddressSpace.UNDEFINED;
                if (!byOrder) creationOrder = false;
                BTreeV2 tree = new BTreeV2(space, byOrder ? orderIndex : nameIndex);
                int expected = byOrder ? 9 : 8;
                if (tree.type != expected) {
                    throw space.malformed("v2 B-tree header", tree.address(), "type " + tree.type + " where an attribute index of type " + expected + " was expected");
                }
                tree.forEach(r -> {
                    out.add(AttributeMessage.read(space, heap.object(r.split(8))));
                    if (out.size() > space.limits.maxCollectionSize()) throw r.fail("too many attributes");
                });
            }
        }
        if (!creationOrder) {
            TreeMap<String, AttributeMessage> sorted = new TreeMap<>();
            for (AttributeMessage a : out) sorted.put(a.name(), a);
            return new ArrayList<>(sorted.values());
        }
        return out;
    }
}
