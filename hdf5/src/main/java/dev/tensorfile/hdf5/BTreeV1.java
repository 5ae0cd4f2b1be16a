package dev.tensorfile.hdf5;

import dev.tensorfile.core.spi.ByteCursor;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * A version 1 B-tree (spec III.A.1, {@code TREE}): node type 0 indexes a group's symbol table nodes, type 1 a
 * dataset's chunks. Traversal is iterative and remembers every node it read, so a tree whose pointers form a cycle
 * fails instead of looping, and depth is bounded by the node levels, which must decrease.
 */
final class BTreeV1 {
    private BTreeV1() {}

    /** A chunk as a type 1 leaf describes it. */
    record ChunkRecord(long[] offsets, long size, int filterMask, long address) {}

    interface ChunkVisitor { void chunk(ChunkRecord record); }

    interface NodeVisitor { void leafChild(long address); }

    /** Visits the symbol table nodes of a group's tree (type 0). */
    static void walkGroup(AddressSpace space, long root, NodeVisitor visitor) {
        walk(space, root, 0, 0, visitor, null);
    }

    /** Visits the chunks of a dataset's tree (type 1) of {@code rank} dimensions. */
    static void walkChunks(AddressSpace space, long root, int rank, ChunkVisitor visitor) {
        walk(space, root, 1, rank, null, visitor);
    }

    private static void walk(AddressSpace space, long root, int type, int rank, NodeVisitor groups, ChunkVisitor chunks) {
        Set<Long> seen = new HashSet<>();
        Deque<long[]> stack = new ArrayDeque<>();
        stack.push(new long[] {root, -1});
        int keySize = type == 0 ? space.lengthSize : 8 + 8 * (rank + 1);
        while (!stack.isEmpty()) {
            long[] next = stack.pop();
            long address = next[0];
            if (!seen.add(address)) throw space.malformed("v1 B-tree node", address, "is reached twice: the B-tree has a cycle");
            if (seen.size() > space.limits.maxCollectionSize()) throw space.malformed("v1 B-tree node", address, "too many nodes");
            ByteCursor c = space.at(address, "v1 B-tree node");
            AddressSpace.signature(c, "TREE");
            int nodeType = c.u8();
            if (nodeType != type) throw c.failAt(4, "node type " + nodeType + " where type " + type + " was expected");
            int level = c.u8();
            if (next[1] >= 0 && level != next[1] - 1) {
                throw c.failAt(5, "node level " + level + " under a node of level " + next[1] + ": levels must decrease by one");
            }
            int entries = AddressSpace.u16(c);
            space.offset(c);
            space.offset(c);
            c.requireCount(entries, keySize + space.offsetSize, "B-tree entry");
            long[] children = new long[entries];
            for (int i = 0; i < entries; i++) {
                if (type == 1 && level == 0) {
                    long size = AddressSpace.u32(c);
                    int mask = AddressSpace.i32(c);
                    long[] offsets = new long[rank];
                    for (int d = 0; d < rank; d++) offsets[d] = c.u64Size("chunk offset");
                    c.skip(8);
                    long child = space.offset(c);
                    chunks.chunk(new ChunkRecord(offsets, size, mask, child));
                } else {
                    c.skip(keySize);
                    children[i] = space.offset(c);
                }
            }
            if (type == 1 && level == 0) continue;
            if (level == 0) {
                for (long child : children) groups.leafChild(child);
            } else {
                for (int i = entries - 1; i >= 0; i--) stack.push(new long[] {children[i], level});
            }
        }
    }
}
