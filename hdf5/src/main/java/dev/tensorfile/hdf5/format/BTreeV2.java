package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.ByteCursor;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * A version 2 B-tree (spec III.A.2, {@code BTHD}, {@code BTIN}, {@code BTLF}), every node checksummed. Record
 * types used here: 1 (huge fractal heap objects), 5 and 6 (dense links by name hash and creation order), 8 and 9
 * (dense attributes), 10 and 11 (chunks of a dataset, unfiltered and filtered). Records are visited in key order;
 * the sizes of the child-count fields follow libhdf5's {@code H5B2__hdr_init}.
 */
public final class BTreeV2 {
    /** Receives each record, as a cursor over exactly its bytes. */
    public interface RecordVisitor { void record(ByteCursor record); }

    public final int type;
    final int nodeSize;
    final int recordSize;
    final int depth;
    final long root;
    final int rootRecords;
    private final AddressSpace space;
    private final long address;
    private final int[] maxRecords;
    private final int[] cumulativeSize;
    private final int countSize;

    public BTreeV2(AddressSpace space, long address) {
        this.space = space;
        this.address = address;
        ByteCursor c = space.at(address, "v2 B-tree header");
        AddressSpace.signature(c, "BTHD");
        int version = c.u8();
        if (version != 0) throw c.failAt(4, "v2 B-tree version " + version + " is not 0");
        type = c.u8();
        long ns = AddressSpace.u32(c);
        recordSize = AddressSpace.u16(c);
        depth = AddressSpace.u16(c);
        c.skip(2);
        root = space.offset(c);
        rootRecords = AddressSpace.u16(c);
        space.length(c);
        AddressSpace.checksum(c, space.baseAddress + address, c.position());
        if (ns < 16 || ns > (1 << 24) || recordSize == 0 || recordSize > ns) {
            throw space.malformed("v2 B-tree header", address, "node size " + ns + " / record size " + recordSize + " is invalid");
        }
        if (depth > 64) throw space.malformed("v2 B-tree header", address, "depth " + depth + " is absurd");
        nodeSize = (int) ns;
        maxRecords = new int[depth + 1];
        long[] cumMax = new long[depth + 1];
        cumulativeSize = new int[depth + 1];
        maxRecords[0] = (nodeSize - 10) / recordSize;
        cumMax[0] = maxRecords[0];
        countSize = AddressSpace.encodedSize(maxRecords[0]);
        for (int u = 1; u <= depth; u++) {
            int pointer = space.offsetSize + countSize + cumulativeSize[u - 1];
            maxRecords[u] = (nodeSize - (10 + pointer)) / (recordSize + pointer);
            if (maxRecords[u] <= 0) throw space.malformed("v2 B-tree header", address, "nodes of " + nodeSize + " bytes cannot hold depth " + depth);
            cumMax[u] = Math.min(Long.MAX_VALUE / 4, (maxRecords[u] + 1L) * cumMax[u - 1] + maxRecords[u]);
            cumulativeSize[u] = AddressSpace.encodedSize(cumMax[u]);
        }
    }

    /** Visits every record in key order. */
    public void forEach(RecordVisitor visitor) {
        if (root == AddressSpace.UNDEFINED || rootRecords == 0) return;
        Set<Long> seen = new HashSet<>();
        walk(root, rootRecords, depth, visitor, seen);
    }

    private void walk(long node, int records, int level, RecordVisitor visitor, Set<Long> seen) {
        if (!seen.add(node)) throw space.malformed("v2 B-tree node", node, "is reached twice: the B-tree has a cycle");
        if (records > maxRecords[level]) {
            throw space.malformed("v2 B-tree node", node, records + " records where a node holds at most " + maxRecords[level]);
        }
        ByteCursor c = space.range(node, nodeSize, level == 0 ? "v2 B-tree leaf node" : "v2 B-tree internal node");
        AddressSpace.signature(c, level == 0 ? "BTLF" : "BTIN");
        int version = c.u8();
        int t = c.u8();
        if (version != 0 || t != type) throw c.failAt(4, "node version " + version + " type " + t + " in a type " + type + " tree");
        long recordsAt = c.position();
        if (level == 0) {
            for (int i = 0; i < records; i++) visitor.record(c.split(recordSize));
            AddressSpace.checksum(c, 0, c.position());
            return;
        }
        c.skip((long) records * recordSize);
        long[] child = new long[records + 1];
        int[] childRecords = new int[records + 1];
        for (int i = 0; i <= records; i++) {
            child[i] = space.offset(c);
            childRecords[i] = (int) AddressSpace.unsigned(c, countSize);
            if (level > 1) AddressSpace.unsigned(c, cumulativeSize[level - 1]);
        }
        AddressSpace.checksum(c, 0, c.position());
        for (int i = 0; i <= records; i++) {
            walk(child[i], childRecords[i], level - 1, visitor, seen);
            if (i < records) {
                c.seek(recordsAt + (long) i * recordSize);
                visitor.record(c.split(recordSize));
            }
        }
    }

    long address() { return address; }
}
