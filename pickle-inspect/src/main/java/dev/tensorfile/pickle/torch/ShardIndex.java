package dev.tensorfile.pickle.torch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.spi.ShardedTensorFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * transformers' sharded checkpoints: {@code pytorch_model.bin.index.json} = {@code {"metadata": {"total_size": n},
 * "weight_map": {"<name>": "pytorch_model-00001-of-00002.bin"}}} (transformers {@code WEIGHTS_INDEX_NAME}), each
 * shard an ordinary {@code torch.save} of a flat state dict. Opened as one logical file.
 */
public final class ShardIndex {
    private ShardIndex() {}

    public static boolean isIndexName(String lowerFileName) {
        return lowerFileName.endsWith(".bin.index.json") || lowerFileName.endsWith(".pt.index.json")
                || lowerFileName.endsWith(".pth.index.json");
    }

    /** A local index: {@code openShard} opens each shard, named as the index names it, beside the index. */
    public static TensorFile open(Path index, ReadLimits limits, java.util.function.Function<Path, TensorFile> openShard) {
        JsonNode root;
        try {
            if (Files.size(index) > limits.maxHeaderBytes()) {
                throw new MalformedFileException("pytorch", index, "index", 0, "index JSON larger than " + limits.maxHeaderBytes() + " bytes");
            }
            root = new ObjectMapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new MalformedFileException("pytorch", index, "index", -1, "not valid JSON: " + e.getMessage());
        }
        Path dir = index.toAbsolutePath().getParent();
        return open(index, root, name -> openShard.apply(dir.resolve(name)));
    }

    /** A remote index: shards are opened relative to its URL by {@code openShard}. */
    public static TensorFile open(dev.tensorfile.core.spi.RemoteFile index, ReadLimits limits,
            java.util.function.Function<String, TensorFile> openShard) {
        JsonNode root;
        // Not closed here: the caller closes the index once its shards are open (they share its client).
        dev.tensorfile.core.spi.MappedFile mapped = dev.tensorfile.core.spi.MappedFile.remote(index);
        try {
            if (mapped.size() > limits.maxHeaderBytes()) {
                throw new MalformedFileException("pytorch", index.path(), "index", 0, "index JSON larger than " + limits.maxHeaderBytes() + " bytes");
            }
            root = new ObjectMapper().readTree(mapped.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        } catch (IOException e) {
            throw new MalformedFileException("pytorch", index.path(), "index", -1, "not valid JSON: " + e.getMessage());
        }
        return open(index.path(), root, openShard);
    }

    private static TensorFile open(Path index, JsonNode root, java.util.function.Function<String, TensorFile> openShard) {
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) throw new MalformedFileException("pytorch", index, "index", -1, "no weight_map object");
        Map<String, List<String>> byShard = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String shard = e.getValue().asText();
            if (!e.getValue().isTextual() || shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..")) {
                throw new MalformedFileException("pytorch", index, "weight_map['" + e.getKey() + "']", -1,
                        "shard '" + shard + "' is not a file name beside the index");
            }
            byShard.computeIfAbsent(shard, k -> new ArrayList<>()).add(e.getKey());
        }
        List<TensorFile> shards = new ArrayList<>();
        List<Tensor> tensors = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try {
            for (Map.Entry<String, List<String>> e : byShard.entrySet()) {
                TensorFile shard = openShard.apply(e.getKey());
                shards.add(shard);
                Set<String> wanted = new HashSet<>(e.getValue());
                for (Tensor t : shard.tensors()) {
                    if (!wanted.contains(t.name())) continue;
                    if (!seen.add(t.name())) {
                        throw new MalformedFileException("pytorch", index, "weight_map", -1, "tensor '" + t.name() + "' is in two shards");
                    }
                    tensors.add(t);
                }
                for (String w : e.getValue()) {
                    if (shard.find(w).isEmpty()) {
                        throw new MalformedFileException("pytorch", index, "weight_map", -1,
                                "tensor '" + w + "' is not in its shard " + e.getKey());
                    }
                }
            }
        } catch (RuntimeException ex) {
            for (TensorFile s : shards) s.close();
            throw ex instanceof TensorFileException t ? t : new TensorFileException("pytorch", index, ex.toString(), ex);
        }
        Metadata.Builder md = Metadata.builder();
        JsonNode total = root.path("metadata").path("total_size");
        if (total.isNumber()) md.put("pytorch.total_size", total.asText());
        md.put("pytorch.shards", Integer.toString(shards.size()));
        return new ShardedTensorFile(index, "pytorch", md.build(), shards, tensors);
    }
}
