package dev.tensorfile.core.spi;

import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.UnsupportedEntry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Several shards opened as one logical file: tensors in shard order, one mapping per shard, all closed together.
 * The format checks names across shards before building one (a name in two shards is its error to report).
 * What a single file tells beside its tensors ({@link #details()}, {@link #aliases()}, {@link #unsupported()}) the
 * set tells of all its shards.
 */
public final class ShardedTensorFile implements TensorFile {
    private final Path path;
    private final String format;
    private final Metadata metadata;
    private final List<TensorFile> shards;
    private final TensorIndex tensors;

    /**
     * @param path the index file or first shard
     * @param metadata the set's metadata
     * @param shards the opened shards, which this object now owns
     * @param tensors the tensors in the set's order (from the shards)
     */
    public ShardedTensorFile(Path path, String format, Metadata metadata, List<TensorFile> shards, List<Tensor> tensors) {
        this.path = path;
        this.format = format;
        this.metadata = metadata;
        this.shards = List.copyOf(shards);
        this.tensors = TensorIndex.of(tensors);
    }

    @Override public Path path() { return path; }
    @Override public String format() { return format; }
    @Override public Metadata metadata() { return metadata; }
    @Override public List<Tensor> tensors() { return tensors.tensors(); }
    @Override public Optional<Tensor> find(String name) { return tensors.find(name); }

    /** The shards, in order. */
    public List<TensorFile> shards() { return shards; }

    @Override
    public List<UnsupportedEntry> unsupported() {
        List<UnsupportedEntry> all = new ArrayList<>();
        for (TensorFile s : shards) all.addAll(s.unsupported());
        return all;
    }

    /**
     * Each shard's details: as they are for a set of one, under a {@code shard NAME:} line each for more (so a
     * set shows what its files would show alone).
     */
    @Override
    public List<String> details() {
        if (shards.size() == 1) return shards.getFirst().details();
        List<String> all = new ArrayList<>();
        for (TensorFile s : shards) {
            List<String> lines = s.details();
            if (lines.isEmpty()) continue;
            all.add("shard " + s.path().getFileName() + ":");
            for (String line : lines) all.add("  " + line);
        }
        return all;
    }

    /**
     * The shards' aliases whose both names are tensors of the set (a shard may hold names the set does not list,
     * as when an index leaves one out).
     */
    @Override
    public Map<String, String> aliases() {
        Map<String, String> all = new LinkedHashMap<>();
        for (TensorFile s : shards) {
            for (Map.Entry<String, String> e : s.aliases().entrySet()) {
                if (tensors.find(e.getKey()).isPresent() && tensors.find(e.getValue()).isPresent()) all.putIfAbsent(e.getKey(), e.getValue());
            }
        }
        return Collections.unmodifiableMap(all);
    }

    /** The shards of a remote set share one client: any shard's count is the set's (its index's request included). */
    @Override
    public java.util.Optional<dev.tensorfile.core.RemoteTransfer> remoteTransfer() {
        return shards.isEmpty() ? java.util.Optional.empty() : shards.getFirst().remoteTransfer();
    }

    @Override
    public void verify() {
        for (TensorFile s : shards) s.verify();
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (TensorFile s : shards) {
            try {
                s.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }
}
