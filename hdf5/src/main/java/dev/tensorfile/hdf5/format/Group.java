package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.spi.ByteCursor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A group's links and an object's attributes, wherever they are stored: old-style symbol tables (symbol table
 * message → v1 B-tree type 0 → symbol table nodes, names in a local heap), new-style compact link messages, and
 * dense storage (link info / attribute info message → fractal heap, indexed by v2 B-trees 5/6 and 8/9).
 */
public final class Group {
    private Group() {}

    public static boolean isGroup(ObjectHeader h) {
        return h.first(ObjectHeader.SYMBOL_TABLE) != null || h.first(ObjectHeader.LINK_INFO) != null
                || h.first(ObjectHeader.LINK) != null || h.first(ObjectHeader.GROUP_INFO) != null;
    }

    /** The links, by name, or in creation order where the group tracks it. */
    public static List<Link> links(AddressSpace space, ObjectHeader h) {
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
                DenseIndex index = DenseIndex.read(space, li, "link info", 8);
                creationOrder = index.creationOrderTracked();
                if (index.heapAddress() != AddressSpace.UNDEFINED) {
                    FractalHeap heap = new FractalHeap(space, index.heapAddress());
                    boolean byOrder = index.byOrder();
                    index.tree(space, 5, "link").forEach(r -> {
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

    /**
     * The attributes, by name (or in creation order where tracked). An attribute message that cannot be read (a
     * shared dataspace, a datatype we do not parse, a value that overruns it) goes to {@code unreadable} and the
     * others are still read: one attribute never makes an object, or the file, unreadable.
     */
    public static List<AttributeMessage> attributes(AddressSpace space, ObjectHeader h, Consumer<TensorFileException> unreadable) {
        List<AttributeMessage> out = new ArrayList<>();
        for (ObjectHeader.Message m : h.all(ObjectHeader.ATTRIBUTE)) {
            try {
                out.add(AttributeMessage.read(space, m.cursor(space, "attribute message")));
            } catch (TensorFileException e) {
                unreadable.accept(e);
            }
        }
        boolean creationOrder = false;
        ObjectHeader.Message ai = h.first(ObjectHeader.ATTRIBUTE_INFO);
        if (ai != null) {
            DenseIndex index = DenseIndex.read(space, ai, "attribute info", 2);
            creationOrder = index.creationOrderTracked();
            if (index.heapAddress() != AddressSpace.UNDEFINED) {
                FractalHeap heap = new FractalHeap(space, index.heapAddress());
                index.tree(space, 8, "attribute").forEach(r -> {
                    ByteCursor message = heap.object(r.split(8));
                    try {
                        out.add(AttributeMessage.read(space, message));
                    } catch (TensorFileException e) {
                        unreadable.accept(e);
                    }
                    if (out.size() > space.limits.maxCollectionSize()) throw r.fail("too many attributes");
                });
                if (!index.byOrder()) creationOrder = false;
            }
        }
        if (!creationOrder) {
            TreeMap<String, AttributeMessage> sorted = new TreeMap<>();
            for (AttributeMessage a : out) sorted.put(a.name(), a);
            return new ArrayList<>(sorted.values());
        }
        return out;
    }

    /**
     * A link info or attribute info message (spec IV.A.2.c, IV.A.2.v): the same layout but for the width of the
     * maximum creation index — where dense storage keeps a group's links or an object's attributes.
     */
    private record DenseIndex(long heapAddress, long nameIndex, long orderIndex, boolean creationOrderTracked) {
        static DenseIndex read(AddressSpace space, ObjectHeader.Message m, String what, int maxCreationIndexBytes) {
            ByteCursor c = m.cursor(space, what + " message");
            int version = c.u8();
            if (version != 0) throw c.failAt(0, what + " version " + version + " is not 0");
            int flags = c.u8();
            if ((flags & 1) != 0) c.skip(maxCreationIndexBytes);
            long heapAddress = space.offset(c);
            long nameIndex = space.offset(c);
            long orderIndex = (flags & 2) != 0 ? space.offset(c) : AddressSpace.UNDEFINED;
            return new DenseIndex(heapAddress, nameIndex, orderIndex, (flags & 1) != 0);
        }

        boolean byOrder() { return orderIndex != AddressSpace.UNDEFINED; }

        /** The index to walk: by creation order where there is one (type {@code byNameType + 1}), by name otherwise. */
        BTreeV2 tree(AddressSpace space, int byNameType, String what) {
            BTreeV2 tree = new BTreeV2(space, byOrder() ? orderIndex : nameIndex);
            int expected = byOrder() ? byNameType + 1 : byNameType;
            if (tree.type != expected) {
                throw space.malformed("v2 B-tree header", tree.address(), "type " + tree.type + " where " + article(what)
                        + " " + what + " index of type " + expected + " was expected");
            }
            return tree;
        }

        private static String article(String what) { return what.startsWith("a") ? "an" : "a"; }

        /**
         * Version 0, no creation order, no dense storage (what the writer emits: every link and attribute is
         * compact). The link info and attribute info messages encode alike.
         */
        static byte[] encodeCompact() {
            return new ByteEncoder().u8(0).u8(0).u64(-1L).u64(-1L).toBytes();
        }
    }

    /** Link info message of a group whose links are all compact link messages (what the writer emits). */
    public static byte[] encodeLinkInfo() { return DenseIndex.encodeCompact(); }

    /**
     * Attribute info message of an object whose attributes are all compact: libhdf5 counts a version 2 header's
     * attributes from it (H5O__attr_count_real), so without one h5py's {@code len(attrs)} answers 0.
     */
    public static byte[] encodeAttributeInfo() { return DenseIndex.encodeCompact(); }

    /** Group info message version 0 with no link phase change or estimates: libhdf5's defaults. */
    public static byte[] encodeGroupInfo() { return new ByteEncoder().u8(0).u8(0).toBytes(); }
}
