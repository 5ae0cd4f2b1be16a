package dev.tensorfile.gguf;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataStrings;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.ValueType;
import dev.tensorfile.core.WriteOptions;
import dev.tensorfile.core.spi.AbstractTensorWriter;
import dev.tensorfile.core.spi.AtomicFileOutput;
import dev.tensorfile.core.spi.AtomicFileSet;
import dev.tensorfile.core.spi.MappedFile;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF v3, streamed: the header (key/values and tensor infos with their offsets) first, then each tensor's
 * data in tensor-info order at exactly the aligned running offsets ggml's reader demands ({@code gguf.cpp}: "tensor
 * has offset X, expected Y"), each padded with zeros to the alignment. Split output follows llama.cpp's
 * {@code gguf-split}: shards {@code name-00001-of-0000N.gguf}, every key/value in the first shard only, and in
 * every shard {@code split.no} (UINT16, 0-based), {@code split.count} (UINT16) and {@code split.tensors.count}
 * (INT32, over the whole set). The splits are one {@link AtomicFileSet}: they replace the old files together or
 * not at all.
 */
final class GgufWriter extends AbstractTensorWriter {
    static final String SPLIT_NO = "split.no";
    static final String SPLIT_COUNT = "split.count";
    static final String SPLIT_TENSORS_COUNT = "split.tensors.count";
    static final String QUANTIZATION_VERSION = "general.quantization_version";
    /** {@code GGML_QUANT_VERSION} in ggml.h. */
    static final int GGML_QUANT_VERSION = 2;
    static final int VERSION = 3;
    /** {@code GGML_MAX_NAME} (64, with the terminating NUL): llama.cpp cannot load longer tensor names. */
    static final int MAX_NAME_BYTES = 63;

    private final long maxShardBytes;
    private final long maxShardTensors;
    private final List<String> notes = new ArrayList<>();
    /** The splits, one set: they replace the old files all together or not at all. */
    private final AtomicFileSet files = AtomicFileSet.create(GgufFormat.NAME);
    private final List<AtomicFileOutput> outputs = new ArrayList<>();
    private List<Shard> shards;
    private long alignment;
    private int shardIndex;
    private int tensorInShard;

    /** One output file: its path, its tensors and its header bytes (padded to the alignment). */
    private record Shard(Path path, List<TensorInfo> tensors, byte[] header) {}

    GgufWriter(Path destination, WriteOptions options) {
        super(destination, GgufFormat.NAME);
        try {
            this.maxShardBytes = options.byteSize("max-shard-size", Long.MAX_VALUE);
            String n = options.get("max-shard-tensors").orElse(null);
            this.maxShardTensors = n == null ? Long.MAX_VALUE : Long.parseLong(n.trim());
            if (maxShardTensors <= 0) throw new IllegalArgumentException("max-shard-tensors must be positive: " + n);
        } catch (IllegalArgumentException e) {
            throw new TensorFileException(GgufFormat.NAME, destination, "bad writer option: " + e.getMessage());
        }
    }

    @Override
    public List<String> notes() { return List.copyOf(notes); }

    @Override
    protected List<TensorInfo> plan(Metadata metadata, List<TensorInfo> tensors) {
        boolean quantized = false;
        for (TensorInfo t : tensors) {
            check(t);
            quantized |= t.dtype().isQuantized();
        }
        Map<String, MetadataValue> kv = prepare(metadata, quantized);
        List<List<TensorInfo>> groups = split(tensors);
        int count = groups.size();
        if (count > 0xFFFF) {
            throw new TensorFileException(format, destination, count + " shards exceed split.count's UINT16 range");
        }
        shards = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Map<String, MetadataValue> shardKv = new LinkedHashMap<>(i == 0 ? kv : Map.of());
            if (count > 1) {
                shardKv.put(SPLIT_NO, new MetadataValue.Int(ValueType.U16, i));
                shardKv.put(SPLIT_COUNT, new MetadataValue.Int(ValueType.U16, count));
                shardKv.put(SPLIT_TENSORS_COUNT, new MetadataValue.Int(ValueType.I32, tensors.size()));
            }
            Path path = count == 1 ? destination : shardPath(destination, i + 1, count);
            shards.add(new Shard(path, groups.get(i), header(shardKv, groups.get(i))));
        }
        startShard(0);
        return tensors;
    }

    /** Rejects what ggml cannot hold: another dtype, more than 4 dimensions, rows that are not whole blocks. */
    private void check(TensorInfo t) {
        DType type = t.dtype();
        if (GgmlType.id(type) < 0) {
            throw new UnsupportedFeatureException(format, destination, "tensor '" + t.name() + "': GGUF cannot store "
                    + type + " tensors");
        }
        if (t.shape().rank() > GgufHeader.MAX_DIMS) {
            throw new UnsupportedFeatureException(format, destination, "tensor '" + t.name() + "' has "
                    + t.shape().rank() + " dimensions; GGUF allows at most " + GgufHeader.MAX_DIMS);
        }
        int rank = t.shape().rank();
        long row = rank == 0 ? 1 : t.shape().dim(rank - 1);
        if (row % type.blockElements() != 0) {
            throw new TensorFileException(format, destination, "tensor '" + t.name() + "': row length " + row
                    + " is not a multiple of the " + type.blockElements() + "-element " + type + " block");
        }
        if (t.byteLength() != t.shape().byteSize(type)) {
            throw new TensorFileException(format, destination, "tensor '" + t.name() + "' declares "
                    + t.byteLength() + " bytes; " + type + " " + t.shape() + " takes " + t.shape().byteSize(type));
        }
        if (t.name().getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            notes.add("tensor '" + t.name() + "': a name longer than " + MAX_NAME_BYTES
                    + " bytes is written, but llama.cpp cannot load it");
        }
    }

    /**
     * The key/values to write: typed values decoded from a string-only format, the source's split keys dropped
     * (the writer writes its own), the alignment taken from {@code general.alignment}, and
     * {@code general.quantization_version} added when a tensor is quantized (the spec requires it then).
     */
    private Map<String, MetadataValue> prepare(Metadata metadata, boolean quantized) {
        Map<String, MetadataValue> kv = new LinkedHashMap<>(metadata.asMap());
        if (kv.containsKey(MetadataStrings.TYPES_KEY)) {
            if (kv.values().stream().allMatch(v -> v instanceof MetadataValue.Str)) {
                Map<String, String> strings = new LinkedHashMap<>();
                kv.forEach((k, v) -> strings.put(k, ((MetadataValue.Str) v).value()));
                kv = new LinkedHashMap<>(MetadataStrings.decode(strings).asMap());
            } else {
                kv.remove(MetadataStrings.TYPES_KEY);
                notes.add("key '" + MetadataStrings.TYPES_KEY + "' (a string-metadata type map) is not written");
            }
        }
        for (String key : List.of(SPLIT_NO, SPLIT_COUNT, SPLIT_TENSORS_COUNT)) {
            if (kv.remove(key) != null) notes.add("key '" + key + "' of the source's split is not written");
        }
        alignment = GgufHeader.DEFAULT_ALIGNMENT;
        MetadataValue a = kv.get(GgufHeader.ALIGNMENT_KEY);
        if (a != null) {
            long v = a instanceof MetadataValue.Int i ? i.value() : -1;
            if (v > 0 && v <= (1L << 30) && (v & (v - 1)) == 0) {
                alignment = v;
                if (a.type() != ValueType.U32) {
                    kv.put(GgufHeader.ALIGNMENT_KEY, new MetadataValue.Int(ValueType.U32, v));
                    notes.add("key '" + GgufHeader.ALIGNMENT_KEY + "' written as UINT32 (GGUF requires it)");
                }
            } else {
                kv.remove(GgufHeader.ALIGNMENT_KEY);
                notes.add("key '" + GgufHeader.ALIGNMENT_KEY + "' = " + a + " is not a power of two; not written, "
                        + "alignment " + GgufHeader.DEFAULT_ALIGNMENT + " used");
            }
        }
        kv.entrySet().removeIf(e -> {
            String why = e.getKey().isEmpty() ? "an empty key" : inconsistency(e.getValue());
            if (why != null) notes.add("key '" + e.getKey() + "' is not written: " + why);
            return why != null;
        });
        if (quantized && !kv.containsKey(QUANTIZATION_VERSION)) {
            kv.put(QUANTIZATION_VERSION, new MetadataValue.Int(ValueType.U32, GGML_QUANT_VERSION));
        }
        return kv;
    }

    /** Why an array cannot be encoded (an element of another type than the array's), or null. */
    private static String inconsistency(MetadataValue value) {
        List<MetadataValue> pending = new ArrayList<>();
        pending.add(value);
        while (!pending.isEmpty()) {
            if (pending.removeLast() instanceof MetadataValue.Array a) {
                for (MetadataValue e : a.values()) {
                    if (e.type() != a.elementType()) {
                        return "an array of " + a.elementType().jsonName() + " holds a " + e.type().jsonName();
                    }
                    if (e instanceof MetadataValue.Array) pending.add(e);
                }
            }
        }
        return null;
    }

    /** Tensors grouped into shards in order, as gguf-split does: a new shard when either limit would be passed. */
    private List<List<TensorInfo>> split(List<TensorInfo> tensors) {
        List<List<TensorInfo>> groups = new ArrayList<>();
        List<TensorInfo> current = new ArrayList<>();
        long bytes = 0;
        for (TensorInfo t : tensors) {
            long size = padded(t.byteLength(), alignment);
            if (!current.isEmpty() && (current.size() >= maxShardTensors || bytes + size > maxShardBytes)) {
                groups.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(t);
            bytes += size;
        }
        groups.add(current);
        return groups;
    }

    /** {@code model.gguf} → {@code model-00002-of-00005.gguf} ({@code llama_split_path}'s pattern). */
    static Path shardPath(Path destination, int no, int count) {
        String name = destination.getFileName().toString();
        String stem = name.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf") ? name.substring(0, name.length() - 5)
                : name;
        return destination.resolveSibling(String.format("%s-%05d-of-%05d.gguf", stem, no, count));
    }

    private byte[] header(Map<String, MetadataValue> kv, List<TensorInfo> tensors) {
        GgufHeaderBuffer b = new GgufHeaderBuffer();
        b.u32(GgufHeader.MAGIC).u32(VERSION).u64(tensors.size()).u64(kv.size());
        kv.forEach(b::keyValue);
        long offset = 0;
        for (TensorInfo t : tensors) {
            b.string(t.name());
            long[] dims = t.shape().dims();
            b.u32(dims.length);
            for (int d = dims.length - 1; d >= 0; d--) b.u64(dims[d]);
            b.u32(GgmlType.id(t.dtype()));
            b.u64(offset);
            offset += padded(t.byteLength(), alignment);
        }
        return b.pad(alignment).toArray();
    }

    private static long padded(long n, long alignment) {
        return n + (alignment - n % alignment) % alignment;
    }

    private void startShard(int index) {
        shardIndex = index;
        tensorInShard = 0;
        Shard s = shards.get(index);
        AtomicFileOutput out = files.add(s.path());
        outputs.add(out);
        out.write(s.header());
    }

    @Override
    protected void writeData(TensorInfo tensor, MemorySegment chunk) {
        outputs.getLast().write(chunk);
    }

    @Override
    protected boolean transferData(TensorInfo tensor, MappedFile file, long offset, long length) {
        return outputs.getLast().transferFrom(file, offset, length); // tensor data is stored as it comes
    }

    @Override
    protected void endTensor(TensorInfo tensor) {
        AtomicFileOutput out = outputs.getLast();
        out.pad((alignment - out.position() % alignment) % alignment);
        if (++tensorInShard == shards.get(shardIndex).tensors().size() && shardIndex + 1 < shards.size()) {
            startShard(shardIndex + 1);
        }
    }

    @Override
    protected void commit() {
        files.commit();
    }

    @Override
    protected void discard() {
        files.discard();
    }
}
