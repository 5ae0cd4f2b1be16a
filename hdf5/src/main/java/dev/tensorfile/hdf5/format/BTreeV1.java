package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.ByteCursor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A version 1 B-tree (spec III.A.1, {@code TREE}): node type 0 indexes a group's symbol table nodes, type 1 a
 * dataset's chunks. Traversal is iterative and remembers every node it read, so a tree whose pointers form a cycle
 * fails instead of looping, and depth is bounded by the node levels, which must decrease.
 */
public final class BTreeV1 {
    private BTreeV1() {}

    /** A chunk as a type 1 leaf describes it. */
    public record ChunkRecord(long[] offsets, long size, int filterMask, long address) {}

    public interface ChunkVisitor { void chunk(ChunkRecord record); }

    interface NodeVisitor { void leafChild(long address); }

    /** Visits the symbol table nodes of a group's tree (type 0). */
    static void walkGroup(AddressSpace space, long root, NodeVisitor visitor) {
        walk(space, root, 0, 0, visitor, null);
    }

    /** Visits the chunks of a dataset's tree (type 1) of {@code rank} dimensions. */
    public static void walkChunks(AddressSpace space, long root, int rank, ChunkVisitor visitor) {
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
            c = space.more(c, (long) entries * (keySize + space.offsetSize));
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

    /** libhdf5's default K for chunk trees (istore K): 2K entries per node. */
    static final int CHUNK_K = 32;

    /** A chunk to index: its offset in elements per dimension, its stored size and its address. */
    public record ChunkEntry(long[] offsets, long size, long address) {}

    /** Encoded nodes, leaves first then each parent level, to be written at the address given, and the root's. */
    public record Encoded(byte[] bytes, long root) {}

    /**
     * The type 1 tree (what the writer emits) over {@code chunks} in grid order, all filter masks 0: full nodes of
     * 2K entries (the last of a level fewer), each key the chunk's size and offsets with a final 0 for the element
     * dimension, the right key past the last chunk. Levels follow one another from {@code at}.
     *
     * @param rightKey the offsets (in elements) just past the last chunk in every dimension
     * @param chunkBytes the size of an unfiltered chunk, the right key's size
     */
    public static Encoded encodeChunks(long at, List<ChunkEntry> chunks, long[] rightKey, long chunkBytes) {
        int rank = rightKey.length;
        int keySize = 8 + 8 * (rank + 1);
        int nodeSize = 8 + 16 + 2 * CHUNK_K * 8 + (2 * CHUNK_K + 1) * keySize;
        ByteEncoder all = new ByteEncoder();
        List<ChunkEntry> level = chunks;
        for (int depth = 0; ; depth++) {
            int nodes = (level.size() + 2 * CHUNK_K - 1) / (2 * CHUNK_K);
            long first = at + all.size();
            List<ChunkEntry> parents = new ArrayList<>();
            for (int k = 0; k < nodes; k++) {
                int from = k * 2 * CHUNK_K, to = Math.min(level.size(), from + 2 * CHUNK_K);
                long address = first + (long) k * nodeSize;
                ByteEncoder e = new ByteEncoder();
                e.ascii("TREE").u8(1).u8(depth).u16(to - from);
                e.u64(k == 0 ? AddressSpace.UNDEFINED : address - nodeSize).u64(k == nodes - 1 ? AddressSpace.UNDEFINED : address + nodeSize);
                for (int i = from; i < to; i++) {
                    ChunkEntry en = level.get(i);
                    e.u32(en.size()).u32(0);
                    for (long o : en.offsets()) e.u64(o);
                    e.u64(0);
                    e.u64(en.address());
                }
                ChunkEntry next = to < level.size() ? level.get(to) : null;
                e.u32(chunkBytes).u32(0);
                for (int d = 0; d < rank; d++) e.u64(next != null ? next.offsets()[d] : rightKey[d]);
                e.u64(0);
                e.zeros(nodeSize - e.size());
                all.bytes(e.toBytes());
                // a parent's key is its child's first key
                parents.add(new ChunkEntry(level.get(from).offsets(), level.get(from).size(), address));
            }
            if (nodes == 1) return new Encoded(all.toBytes(), first);
            level = parents;
        }
    }
}
