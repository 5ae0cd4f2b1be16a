package dev.tensorfile.hdf5;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFormat;
import dev.tensorfile.core.TensorWriter;
import dev.tensorfile.core.WriteOptions;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.ZipArchive;
import dev.tensorfile.core.spi.ShardedTensorFile;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Keras 3 archives ({@code .keras}: a zip whose {@code model.weights.h5} member is stored, so it is read in place
 * from the mapping) and sharded Keras weights ({@code .weights.json} naming {@code .weights.h5} shards, opened as
 * one file). {@code config.json} and {@code metadata.json} become the metadata strings {@code keras.config} and
 * {@code keras.metadata}; they are never evaluated.
 * <pre>{@code
 * try (TensorFile f = TensorFiles.open(Path.of("model.keras"))) {
 *     f.tensors().forEach(t -> System.out.println(t.name() + " " + t.shape()));
 * }
 * }</pre>
 */
public final class KerasFormat implements TensorFormat {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** For {@link java.util.ServiceLoader}. */
    public KerasFormat() {}

    @Override public String name() { return "keras"; }

    @Override public List<String> extensions() { return List.of(".keras", ".weights.json"); }

    @Override
    public Recognition recognize(Path path, MemorySegment content) {
        String n = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (content.byteSize() >= 22 && ZipArchive.startsWithLocalHeader(content)) {
            try {
                for (ZipArchive.Entry e : ZipArchive.read(content, path, "keras", Long.MAX_VALUE).entries()) {
                    if (e.name().equals("model.weights.h5")) return Recognition.CONTENT;
                }
            } catch (RuntimeException e) {
                return n.endsWith(".keras") ? Recognition.NAME : Recognition.NO;
            }
        }
        if (n.endsWith(".weights.json") && content.byteSize() > 0 && content.get(ValueLayout.JAVA_BYTE, 0) == '{') {
            return Recognition.CONTENT;
        }
        return n.endsWith(".keras") ? Recognition.NAME : Recognition.NO;
    }

    /**
     * A remote archive is recognised from its central directory, read from the end through windows: the first
     * fetched bytes of a large {@code .keras} hold no end record.
     */
    @Override
    public Recognition recognize(MappedFile file, MemorySegment prefix) {
        if (prefix.byteSize() < file.size() && prefix.byteSize() >= 22 && ZipArchive.startsWithLocalHeader(prefix)) {
            try {
                ZipArchive zip = ZipArchive.read(file, "keras", ReadLimits.DEFAULT.maxCollectionSize(),
                        ReadLimits.DEFAULT.maxHeaderBytes());
                for (ZipArchive.Entry e : zip.entries()) if (e.name().equals("model.weights.h5")) return Recognition.CONTENT;
            } catch (RuntimeException e) {
                // not a zip this reader reads: by name, as locally
            }
        }
        return recognize(file.path(), prefix);
    }

    @Override
    public TensorFile open(Path path, ReadLimits limits) {
        String n = path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (n.endsWith(".weights.json")) return openSharded(path, limits);
        return openArchive(MappedFile.open(path, "keras"), limits);
    }

    /**
     * The archive in {@code mapped} (closed on failure): its directory, {@code config.json} and
     * {@code metadata.json}, and the stored {@code model.weights.h5} read in place. For a remote file each is
     * fetched by range: the directory from the end, the two JSON members, the HDF5 structures through windows.
     */
    private static TensorFile openArchive(MappedFile mapped, ReadLimits limits) {
        Path path = mapped.path();
        try {
            ZipArchive zip = ZipArchive.read(mapped, "keras", limits.maxCollectionSize(), limits.maxHeaderBytes());
            List<ZipArchive.Entry> entries = zip.entries();
            ZipArchive.Entry weights = null;
            Metadata.Builder md = Metadata.builder();
            List<String> details = new ArrayList<>();
            details.add("Keras archive: " + entries.size() + " members");
            for (ZipArchive.Entry e : entries) {
                details.add("  " + e.name() + " (" + e.size() + " bytes, " + (e.method() == 0 ? "stored" : "deflated") + ")");
                switch (e.name()) {
                    case "model.weights.h5" -> weights = e;
                    case "config.json" -> md.put("keras.config", text(zip, e, limits, path));
                    case "metadata.json" -> md.put("keras.metadata", text(zip, e, limits, path));
                    default -> { }
                }
            }
            if (weights == null) {
                throw new UnsupportedFeatureException("keras", path, "archive has no model.weights.h5 (weights in "
                        + entries.stream().map(ZipArchive.Entry::name).filter(s -> s.startsWith("model.weights")).toList() + ")");
            }
            if (weights.method() != 0) {
                throw new UnsupportedFeatureException("keras", path, "model.weights.h5 is compressed in the archive (method "
                        + weights.method() + "); only stored members are read in place");
            }
            return new Hdf5TensorFile(mapped, zip.dataOffset(weights), weights.size(), "keras", limits, md.build(), details);
        } catch (RuntimeException | StackOverflowError e) {
            mapped.close();
            throw Hdf5Format.wrap(path, e);
        }
    }

    @Override public boolean canWrite() { return true; }

    @Override public boolean canStore(DType type) { return new Hdf5Format().canStore(type); }

    /**
     * A writer of a Keras 3 archive: {@code model.weights.h5} stored in the zip (options as for HDF5), with
     * {@code config.json} and {@code metadata.json} from the metadata strings {@code keras.config} and
     * {@code keras.metadata} when they are present.
     */
    @Override
    public TensorWriter newWriter(Path destination, WriteOptions options) {
        return new KerasWriter(destination, options);
    }

    static String text(ZipArchive zip, ZipArchive.Entry e, ReadLimits limits, Path path) {
        if (e.size() > limits.maxHeaderBytes()) {
            throw new TensorFileException("keras", path, e.name() + " of " + e.size() + " bytes is larger than the limit");
        }
        if (!e.stored() && !e.deflated()) {
            throw new UnsupportedFeatureException("keras", path, e.name() + " uses zip compression method " + e.method()
                    + ZipArchive.methodName(e.method()));
        }
        byte[] bytes = zip.content(e, limits.maxHeaderBytes(), false).toArray(ValueLayout.JAVA_BYTE);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * A remote archive is read as a local one is, through windows (see {@link #openArchive}); a shard index's
     * shards are each opened remotely, relative to the index's URL, by the same name rules as locally.
     */
    @Override
    public TensorFile open(dev.tensorfile.core.spi.RemoteFile remote, ReadLimits limits) {
        Path path = remote.path();
        String n = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (!n.endsWith(".weights.json")) return openArchive(MappedFile.remote(remote), limits);
        try (dev.tensorfile.core.spi.MappedFile mapped = dev.tensorfile.core.spi.MappedFile.remote(remote)) {
            if (mapped.size() > limits.maxHeaderBytes()) throw new TensorFileException("keras", path, "index is larger than the limit");
            JsonNode root;
            try {
                root = JSON.readTree(mapped.segment().toArray(ValueLayout.JAVA_BYTE));
            } catch (IOException e) {
                throw new TensorFileException("keras", path, "cannot read the shard index: " + why(e), e);
            }
            return openSharded(path, root, s -> new Hdf5Format().open(remote.sibling(s), limits));
        }
    }

    private static TensorFile openSharded(Path path, ReadLimits limits) {
        JsonNode root;
        try {
            if (Files.size(path) > limits.maxHeaderBytes()) throw new TensorFileException("keras", path, "index is larger than the limit");
            root = JSON.readTree(Files.readAllBytes(path));
        } catch (IOException e) {
            throw new TensorFileException("keras", path, "cannot read the shard index: " + why(e), e);
        }
        Path dir = path.toAbsolutePath().getParent();
        return openSharded(path, root, s -> new Hdf5Format().open(dir.resolve(s).normalize(), limits));
    }

    /** The set an index names; {@code openShard} opens a shard by its name, which is checked here first. */
    private static TensorFile openSharded(Path path, JsonNode root, java.util.function.Function<String, TensorFile> openShard) {
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject()) throw new TensorFileException("keras", path, "shard index has no weight_map object");
        Set<String> shardNames = new LinkedHashSet<>();
        for (var it = map.properties().iterator(); it.hasNext(); ) {
            JsonNode v = it.next().getValue();
            if (v.isTextual()) shardNames.add(v.textValue());
            else if (v.isArray()) v.forEach(x -> shardNames.add(x.asText()));
        }
        List<TensorFile> shards = new ArrayList<>();
        try {
            List<Tensor> tensors = new ArrayList<>();
            Set<String> names = new HashSet<>();
            Metadata.Builder md = Metadata.builder();
            JsonNode meta = root.get("metadata");
            if (meta != null) md.put("keras.shards.metadata", meta.toString());
            for (String s : shardNames) {
                Path shard = Path.of("").toAbsolutePath().resolve(s).normalize();
                if (!shard.startsWith(Path.of("").toAbsolutePath()) || s.contains("..")) {
                    throw new TensorFileException("keras", path, "shard '" + s + "' is outside the index's directory");
                }
                TensorFile f = openShard.apply(s);
                shards.add(f);
                for (Tensor t : f.tensors()) if (names.add(t.name())) tensors.add(t);
                for (var e : f.metadata().asMap().entrySet()) if (!md.contains(e.getKey())) md.put(e.getKey(), e.getValue());
            }
            return new ShardedTensorFile(path, "keras", md.build(), shards, tensors);
        } catch (RuntimeException e) {
            for (TensorFile f : shards) f.close();
            throw e;
        }
    }

    /** One line: Jackson's messages carry the location on a second line; its original message and place do not. */
    private static String why(IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
            var at = j.getLocation();
            return j.getOriginalMessage().replaceAll("\\s*\\(start marker at \\[Source:[^]]*]\\)", "")
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr());
        }
        return e.getMessage();
    }
}
