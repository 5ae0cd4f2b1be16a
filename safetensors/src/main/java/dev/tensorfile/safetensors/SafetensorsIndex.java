package dev.tensorfile.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.RemoteFile;
import dev.tensorfile.core.spi.ShardedTensorFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A sharded checkpoint's index, {@code model.safetensors.index.json}: the Hugging Face convention (transformers,
 * huggingface_hub), not part of the safetensors format. {@code {"metadata": {"total_size": N, ...},
 * "weight_map": {tensor: shard file}}}. The index is an allow-list: every tensor it names must be in the shard it
 * names, and every tensor of a shard must be named (a stray tensor in a reused shard is an error, not loaded).
 *
 * <p>The set's tensors come shard by shard, shards in file-name order, each in its header order. Its metadata is
 * the first shard's {@code __metadata__} ({@code total_size} is not carried: it describes this set only).
 */
final class SafetensorsIndex {
    /** The file name ending that marks an index. */
    static final String SUFFIX = ".safetensors.index.json";

    private SafetensorsIndex() {}

    /**
     * Opens every shard {@code index} names, as one file.
     *
     * @throws TensorFileException if the index is malformed, a shard is missing or malformed, or index and shards
     *     disagree
     */
    static TensorFile open(Path index, ReadLimits limits) {
        Map<String, String> weightMap;
        try (MappedFile mapped = MappedFile.open(index, SafetensorsHeader.FORMAT)) {
            weightMap = read(index, mapped, limits);
        }
        Path dir = index.toAbsolutePath().getParent();
        List<SafetensorsFile> shards = new ArrayList<>();
        try {
            for (String shardName : new TreeSet<>(weightMap.values())) {
                shards.add(SafetensorsFile.open(dir.resolve(shardName), limits));
            }
        } catch (RuntimeException | Error e) {
            for (TensorFile s : shards) s.close();
            throw e;
        }
        return assemble(index, weightMap, new ArrayList<>(new TreeSet<>(weightMap.values())), shards);
    }

    /**
     * Opens a remote index and every shard it names, relative to the index's URL: the shards' headers are fetched
     * concurrently (at most {@code RemoteOptions.concurrency()} requests in flight), each in one or two requests.
     */
    static TensorFile open(RemoteFile index, ReadLimits limits) {
        List<SafetensorsFile> shards = new ArrayList<>();
        try {
            Map<String, String> weightMap = read(index.path(), MappedFile.remote(index), limits);
            List<Future<SafetensorsFile>> pending = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (String shardName : new TreeSet<>(weightMap.values())) {
                    pending.add(pool.submit(() -> SafetensorsFile.open(MappedFile.remote(index.sibling(shardName)), limits)));
                }
            }
            RuntimeException failure = null;
            for (Future<SafetensorsFile> f : pending) {
                try {
                    shards.add(f.get());
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException r ? r
                                : new TensorFileException(SafetensorsHeader.FORMAT, index.path(), String.valueOf(e.getCause()), e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    if (failure == null) failure = new TensorFileException(SafetensorsHeader.FORMAT, index.path(), "interrupted");
                }
            }
            if (failure != null) throw failure;
            return assemble(index.path(), weightMap, new ArrayList<>(new TreeSet<>(weightMap.values())), shards);
        } catch (RuntimeException | Error e) {
            for (TensorFile s : shards) s.close();
            throw e;
        } finally {
            index.close(); // the shards hold the client now
        }
    }

    /** The set of {@code shards}, checked against the index; closes the shards if they disagree. */
    private static TensorFile assemble(Path index, Map<String, String> weightMap, List<String> shardNames,
            List<SafetensorsFile> shards) {
        try {
            List<Tensor> tensors = new ArrayList<>();
            Map<String, String> seen = new java.util.HashMap<>();
            for (int i = 0; i < shards.size(); i++) {
                SafetensorsFile shard = shards.get(i);
                String shardName = shardNames.get(i);
                for (Tensor t : shard.tensors()) {
                    String other = seen.putIfAbsent(t.name(), shardName);
                    if (other != null) {
                        throw new MalformedFileException(SafetensorsHeader.FORMAT, index, "weight_map", -1, "tensor '"
                                + t.name() + "' is in two shards, " + other + " and " + shardName);
                    }
                    String listed = weightMap.get(t.name());
                    if (listed == null) {
                        throw new MalformedFileException(SafetensorsHeader.FORMAT, index, "weight_map", -1, "shard "
                                + shardName + " holds tensor '" + t.name() + "', which the weight_map does not list");
                    }
                    if (!listed.equals(shardName)) {
                        throw new MalformedFileException(SafetensorsHeader.FORMAT, index, "weight_map", -1, "tensor '"
                                + t.name() + "' is listed in " + listed + " but found in " + shardName);
                    }
                    tensors.add(t);
                }
            }
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                if (!seen.containsKey(e.getKey())) {
                    throw new MalformedFileException(SafetensorsHeader.FORMAT, index, "weight_map", -1, "tensor '"
                            + e.getKey() + "' is listed in " + e.getValue() + " but that shard does not hold it");
                }
            }
            return new ShardedTensorFile(index, SafetensorsHeader.FORMAT, shards.getFirst().metadata(),
                    List.copyOf(shards), tensors);
        } catch (RuntimeException | Error e) {
            for (TensorFile s : shards) s.close();
            throw e;
        }
    }

    /** The weight_map, checked: shard names are relative paths inside the index's directory. */
    private static Map<String, String> read(Path index, MappedFile mapped, ReadLimits limits) {
        Map<String, String> weightMap = new LinkedHashMap<>();
        {
            if (mapped.size() > limits.maxHeaderBytes()) {
                throw new MalformedFileException(SafetensorsHeader.FORMAT, index, "index", 0, "the index of "
                        + mapped.size() + " bytes is larger than the limit of " + limits.maxHeaderBytes());
            }
            if (Utf8.firstInvalid(mapped.segment()) >= 0) {
                throw new MalformedFileException(SafetensorsHeader.FORMAT, index, "index", Utf8.firstInvalid(mapped.segment()),
                        "the index is not valid UTF-8");
            }
            JsonFactory factory = JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(limits.maxNestingDepth()).build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build();
            boolean sawMap = false;
            try (JsonParser p = factory.createParser(new SegmentInputStream(mapped.segment()))) {
                if (p.nextToken() != JsonToken.START_OBJECT) throw bad(index, p, "the index is not a JSON object");
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken v = p.nextToken();
                    if (field.equals("weight_map")) {
                        if (v != JsonToken.START_OBJECT) throw bad(index, p, "weight_map is not an object");
                        sawMap = true;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String tensor = p.currentName();
                            if (p.nextToken() != JsonToken.VALUE_STRING) {
                                throw bad(index, p, "the shard of '" + tensor + "' is not a string");
                            }
                            String shard = p.getText();
                            checkShardName(index, p, shard);
                            weightMap.put(tensor, shard);
                        }
                    } else {
                        p.skipChildren(); // metadata (total_size) and anything else: informative only
                    }
                }
                if (p.nextToken() != null) throw bad(index, p, "content after the index's JSON object");
            } catch (JsonProcessingException e) {
                long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
                throw new MalformedFileException(SafetensorsHeader.FORMAT, index, "index", at,
                        "invalid JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
            } catch (IOException e) {
                throw new TensorFileException(SafetensorsHeader.FORMAT, index, "cannot read: " + e.getMessage(), e);
            }
            if (!sawMap) throw new MalformedFileException(SafetensorsHeader.FORMAT, index, "index", -1, "no weight_map");
        }
        if (weightMap.isEmpty()) throw new MalformedFileException(SafetensorsHeader.FORMAT, index, "weight_map", -1, "the weight_map is empty");
        return weightMap;
    }

    /** A shard must lie beside the index or below it: relative, no {@code ..}, no root. */
    private static void checkShardName(Path index, JsonParser p, String shard) {
        Path s;
        try {
            s = Path.of(shard);
        } catch (java.nio.file.InvalidPathException e) {
            throw bad(index, p, "shard name '" + shard + "' is not a valid path");
        }
        if (shard.isEmpty() || s.isAbsolute() || s.getRoot() != null || shard.startsWith("/") || shard.startsWith("\\")) {
            throw bad(index, p, "shard path '" + shard + "' must be relative to the index's directory");
        }
        for (Path part : s) {
            if (part.toString().equals("..")) throw bad(index, p, "shard path '" + shard + "' must not contain '..'");
        }
        if (shard.contains("\\")) throw bad(index, p, "shard path '" + shard + "' must use '/' separators");
    }

    private static MalformedFileException bad(Path index, JsonParser p, String what) {
        long at = p.currentTokenLocation() == null ? -1 : p.currentTokenLocation().getByteOffset();
        return new MalformedFileException(SafetensorsHeader.FORMAT, index, "index", at, what);
    }

    /** total_size and weight_map as transformers writes them: indent 2, keys sorted, a final newline. */
    static String write(long totalSize, Map<String, String> weightMap) {
        StringBuilder b = new StringBuilder("{\n  \"metadata\": {\n    \"total_size\": ").append(totalSize)
                .append("\n  },\n  \"weight_map\": {");
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(weightMap).entrySet()) {
            b.append(first ? "\n" : ",\n").append("    ");
            HeaderJson.string(b, e.getKey());
            b.append(": ");
            HeaderJson.string(b, e.getValue());
            first = false;
        }
        return b.append(first ? "}\n}\n" : "\n  }\n}\n").toString();
    }
}
