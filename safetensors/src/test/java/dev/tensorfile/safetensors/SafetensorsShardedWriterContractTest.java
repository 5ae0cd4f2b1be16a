package dev.tensorfile.safetensors;

import dev.tensorfile.core.WriteOptions;

import java.nio.file.Path;
import java.util.Map;

/**
 * The shared writer contract over the sharded safetensors writer: the destination names the index, shards of at
 * most 16 bytes sit beside it, and the whole set commits at once.
 */
class SafetensorsShardedWriterContractTest extends SafetensorsWriterContractTest {
    @Override protected String fileName() { return "model.safetensors.index.json"; }

    @Override protected WriteOptions options() { return new WriteOptions(Map.of(WriteOptions.MAX_SHARD_SIZE, "16")); }

    @Override
    protected boolean isPartOf(Path destination, Path file) {
        return file.getFileName().toString().matches("model-\\d+-of-\\d+\\.safetensors");
    }
}
