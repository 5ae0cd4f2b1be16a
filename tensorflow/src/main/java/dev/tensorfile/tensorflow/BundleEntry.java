package dev.tensorfile.tensorflow;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.WireReader;

import java.util.Arrays;

/**
 * {@code BundleEntryProto} ({@code tensor_bundle.proto}): where one saved tensor lies and what it is.
 *
 * @param dtype the {@link DataType} code
 * @param shape the dims, outermost first ({@code TensorShapeProto.dim[].size})
 * @param shardId which data shard holds the bytes
 * @param offset where the bytes start in that shard
 * @param size how many bytes
 * @param crc32c the masked CRC-32C of those bytes
 * @param slices how many {@code TensorSliceProto}s the entry lists (a partitioned variable), 0 for a whole tensor
 * @param at the entry's absolute byte offset in the index (for a snappy block, the block's)
 */
record BundleEntry(long dtype, long[] shape, long shardId, long offset, long size, int crc32c, int slices, long at) {

    static BundleEntry parse(ByteCursor c, ReadLimits limits) {
        WireReader r = new WireReader(c, 0, limits.maxNestingDepth());
        long dtype = 0;
        long[] shape = new long[0];
        long shard = 0;
        long offset = 0;
        long size = 0;
        int crc = 0;
        int slices = 0;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> dtype = r.int32("dtype");
                case 2 -> shape = shape(r.message("shape", "TensorShapeProto"));
                case 3 -> shard = r.int32("shard_id");
                case 4 -> {
                    offset = r.int64("offset");
                    if (offset < 0) throw r.failField("offset " + offset + " is negative");
                }
                case 5 -> {
                    size = r.int64("size");
                    if (size < 0) throw r.failField("size " + size + " is negative");
                }
                case 6 -> {
                    r.expect(WireReader.I32, "crc32c");
                    crc = c.i32();
                }
                case 7 -> {
                    slices++;
                    r.skip();
                }
                default -> r.skip();
            }
        }
        return new BundleEntry(dtype, shape, shard, offset, size, crc, slices, c.absolutePosition() - c.position());
    }

    /** {@code TensorShapeProto}: {@code dim} (2) messages with a {@code size} (1); {@code unknown_rank} (3) is refused. */
    static long[] shape(WireReader r) {
        long[] dims = new long[4];
        int rank = 0;
        while (r.next()) {
            switch (r.field()) {
                case 2 -> {
                    WireReader d = r.message("dim", "TensorShapeProto.Dim");
                    long size = 0;
                    while (d.next()) {
                        if (d.field() == 1) size = d.int64("size");
                        else d.skip();
                    }
                    if (size < 0) throw r.failField("dimension " + rank + " is " + size + ": a saved tensor's shape is known");
                    if (rank == dims.length) dims = Arrays.copyOf(dims, rank * 2);
                    dims[rank++] = size;
                }
                case 3 -> {
                    long unknown = r.int64("unknown_rank");
                    if (unknown != 0) throw r.failField("unknown_rank is set: a saved tensor's shape is known");
                }
                default -> r.skip();
            }
        }
        return Arrays.copyOf(dims, rank);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BundleEntry e && dtype == e.dtype && Arrays.equals(shape, e.shape) && shardId == e.shardId
                && offset == e.offset && size == e.size && crc32c == e.crc32c && slices == e.slices && at == e.at;
    }

    @Override
    public int hashCode() { return Arrays.hashCode(shape) * 31 + Long.hashCode(offset); }

    @Override
    public String toString() {
        return "BundleEntry[" + DataType.name(dtype) + " " + Arrays.toString(shape) + " shard " + shardId + " @" + offset + "+" + size + "]";
    }
}
