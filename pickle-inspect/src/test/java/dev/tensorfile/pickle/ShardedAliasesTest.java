package dev.tensorfile.pickle;

import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;

import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sharded checkpoint tells what its shards tell: torch reads {@code embed.weight} and {@code lm_head.weight} of
 * the first shard as one storage (make_sharded_tied.py prints it), so the set lists the alias (and a
 * {@code Converter} writes the data once).
 */
class ShardedAliasesTest {
    static Path index() throws URISyntaxException {
        return Path.of(ShardedAliasesTest.class.getResource("/sharded-tied/pytorch_model.bin.index.json").toURI());
    }

    @Test
    void theSetListsTheTiedWeightsOfItsShards() throws Exception {
        try (TensorFile set = TensorFiles.open(index())) {
            assertEquals(3, set.tensors().size());
            assertEquals(Map.of("lm_head.weight", "embed.weight"), set.aliases());
        }
    }

    @Test
    void theSetShowsEachShardsDetails() throws Exception {
        try (TensorFile set = TensorFiles.open(index())) {
            List<String> d = set.details();
            List<String> expected = new java.util.ArrayList<>();
            for (String shard : List.of("pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin")) {
                try (TensorFile alone = TensorFiles.open(index().resolveSibling(shard))) {
                    if (alone.details().isEmpty()) continue;
                    expected.add("shard " + shard + ":");
                    alone.details().forEach(l -> expected.add("  " + l));
                }
            }
            assertEquals("shard pytorch_model-00001-of-00002.bin:", d.getFirst(), "a torch zip shows its archive");
            assertEquals(expected, d, "what the shards show alone, each under its name");
        }
    }
}
