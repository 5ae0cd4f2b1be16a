package dev.tensorfile.tensorflow;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.WireReader;

/**
 * {@code BundleHeaderProto} ({@code tensorflow/core/protobuf/tensor_bundle.proto}), the value of the index's empty
 * key: how many data shards there are, their byte order, and the bundle format's version.
 *
 * @param numShards the number of {@code .data-NNNNN-of-NNNNN} files
 * @param bigEndian true when the data shards hold big-endian values ({@code Endianness.BIG})
 * @param producer {@code version.producer}
 * @param minConsumer {@code version.min_consumer}
 */
record BundleHeader(int numShards, boolean bigEndian, int producer, int minConsumer) {
    /** The most shards a bundle may name: TensorFlow prints the count with five digits. */
    static final int MAX_SHARDS = 99_999;

    static BundleHeader parse(ByteCursor c, ReadLimits limits) {
        WireReader r = new WireReader(c.structure("BundleHeaderProto"), 0, limits.maxNestingDepth());
        long shards = 0;
        long endianness = 0;
        int producer = 0;
        int minConsumer = 0;
        long shardsAt = c.position();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    shardsAt = r.fieldStart();
                    shards = r.int32("num_shards");
                }
                case 2 -> endianness = r.int32("endianness");
                case 3 -> {
                    WireReader v = r.message("version", "VersionDef");
                    while (v.next()) {
                        switch (v.field()) {
                            case 1 -> producer = v.int32("producer");
                            case 2 -> minConsumer = v.int32("min_consumer");
                            default -> v.skip();
                        }
                    }
                }
                default -> r.skip();
            }
        }
        if (shards < 1 || shards > MAX_SHARDS) {
            throw c.failAt(shardsAt, "num_shards " + shards + " is outside [1, " + MAX_SHARDS + "]");
        }
        if (endianness != 0 && endianness != 1) {
            throw c.fail("endianness " + endianness + " is neither LITTLE (0) nor BIG (1)");
        }
        return new BundleHeader((int) shards, endianness == 1, producer, minConsumer);
    }
}
