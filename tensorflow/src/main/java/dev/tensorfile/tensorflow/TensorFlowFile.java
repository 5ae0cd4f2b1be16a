package dev.tensorfile.tensorflow;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.UnsupportedEntry;
import dev.tensorfile.core.ValueType;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.RemoteFile;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An open SavedModel or checkpoint: the bundle's index read whole at open (names, types, shapes, where each tensor
 * lies; no tensor data is touched), each data shard mapped, each tensor a view of its shard.
 */
final class TensorFlowFile implements TensorFile {
    static final String FORMAT = "tensorflow";

    private final Path path;
    /** The remote file opened, or null for a local one. */
    private final RemoteFile remote;
    private final List<Tensor> tensors;
    private volatile Map<String, Tensor> byName;
    private final List<UnsupportedEntry> unsupported;
    private final List<MappedFile> shards;
    private final Metadata metadata;
    private final List<String> details;
    private volatile boolean closed;

    private TensorFlowFile(Path path, RemoteFile remote, List<Tensor> tensors,
            List<UnsupportedEntry> unsupported, List<MappedFile> shards, Metadata metadata, List<String> details) {
        this.path = path;
        this.remote = remote;
        this.tensors = List.copyOf(tensors);
        this.unsupported = List.copyOf(unsupported);
        this.shards = shards;
        this.metadata = metadata;
        this.details = List.copyOf(details);
    }

    /** Tensors by name, built when first asked for: listing a 10,000-variable bundle need not hash every name. */
    private Map<String, Tensor> byName() {
        Map<String, Tensor> m = byName;
        if (m == null) {
            m = HashMap.newHashMap(tensors.size());
            for (Tensor t : tensors) m.put(t.name(), t);
            byName = m;
        }
        return m;
    }

    /** Opens what {@code path} names (see {@link Layout}). */
    static TensorFlowFile open(Path path, ReadLimits limits) {
        Layout layout = Layout.of(path);
        if (layout == null) {
            throw new TensorFileException(FORMAT, path, "is neither a SavedModel directory, a tensor bundle's .index file, "
                    + "nor a checkpoint prefix with a .index file beside it");
        }
        return open(path, new Source.Local(layout), null, limits);
    }

    /** Opens a remote {@code .index} or {@code saved_model.pb(txt)} and the files beside it (see {@link Source.Remote}). */
    static TensorFlowFile open(RemoteFile file, ReadLimits limits) {
        Source.Remote source;
        try {
            source = Source.Remote.of(file);
        } catch (RuntimeException | Error e) {
            file.close();
            throw e;
        }
        return open(file.path(), source, file, limits);
    }

    private static TensorFlowFile open(Path path, Source source, RemoteFile remote, ReadLimits limits) {
        List<MappedFile> shards = new ArrayList<>();
        if (source instanceof Source.Remote r) {
            // the remote files stay open with the file: their session counts what was fetched
            shards.add(r.firstMapped());
            if (r.indexMapped() != null && r.indexMapped() != r.firstMapped()) shards.add(r.indexMapped());
        }
        try {
            MappedFile index = source.index();
            Bundle bundle;
            if (index == null) {
                bundle = null;
            } else if (index.isRemote()) {
                bundle = Bundle.read(source, index, limits, shards);
            } else {
                try (index) {
                    bundle = Bundle.read(source, index, limits, shards);
                }
            }
            Metadata.Builder meta = Metadata.builder();
            List<String> details = new ArrayList<>();
            BundleHeader header = null;
            List<Tensor> tensors = List.of();
            List<UnsupportedEntry> unsupported = new ArrayList<>();
            if (bundle != null) {
                header = bundle.header();
                tensors = bundle.tensors();
                unsupported.addAll(bundle.unsupported());
                meta.put("tensorflow.bundle.num_shards", new MetadataValue.Int(ValueType.I32, header.numShards()));
                meta.put("tensorflow.bundle.endianness", header.bigEndian() ? "BIG" : "LITTLE");
                meta.put("tensorflow.bundle.version.producer", new MetadataValue.Int(ValueType.I32, header.producer()));
                meta.put("tensorflow.bundle.version.min_consumer", new MetadataValue.Int(ValueType.I32, header.minConsumer()));
                details.add("bundle: " + source.prefixName() + ", " + header.numShards() + " shard"
                        + (header.numShards() == 1 ? "" : "s") + ", " + (header.bigEndian() ? "big" : "little")
                        + "-endian, format version " + header.producer());
            } else {
                details.add("bundle: none (the SavedModel has no variables)");
            }
            SavedModel model = source.savedModel(limits);
            if (model != null) describe(model, meta, details);
            Tensor graph = null;
            for (Tensor t : tensors) if (t.dtype() == DType.STRING && t.name().equals(ObjectGraph.KEY)) graph = t;
            if (graph instanceof BundleTensor.Strings s && s.elementCount() == 1) {
                MemorySegment proto = s.values().getFirst();
                long at = s.fileOffset() + (proto.address() - s.bytes().address());
                List<ObjectGraph.Variable> variables = ObjectGraph.read(proto, at, s.file(), limits);
                details.add("object graph: " + variables.size() + " saved tensor" + (variables.size() == 1 ? "" : "s"));
                for (ObjectGraph.Variable v : variables) {
                    details.add("  " + v.checkpointKey() + ": variable " + (v.fullName().isEmpty() ? "(unnamed)" : v.fullName())
                            + ", object path " + (v.path().isEmpty() ? "(root)" : v.path()));
                }
            }
            return new TensorFlowFile(path, remote, tensors, unsupported, shards, meta.build(), details);
        } catch (RuntimeException | Error e) {
            for (MappedFile m : shards) m.close();
            throw e;
        }
    }

    /** The SavedModel's metadata keys (docs/tensorflow.md) and details lines. */
    private static void describe(SavedModel model, Metadata.Builder meta, List<String> details) {
        meta.put("tensorflow.saved_model.schema_version", new MetadataValue.Int(ValueType.I64, model.schemaVersion()));
        List<SavedModel.MetaGraph> graphs = model.metaGraphs();
        graphs.stream().map(SavedModel.MetaGraph::tensorflowVersion).filter(v -> !v.isEmpty()).findFirst()
                .ifPresent(v -> meta.put("tensorflow.version", v));
        graphs.stream().map(SavedModel.MetaGraph::gitVersion).filter(v -> !v.isEmpty()).findFirst()
                .ifPresent(v -> meta.put("tensorflow.git_version", v));
        for (int i = 0; i < graphs.size(); i++) meta.put("tensorflow.meta_graph." + i + ".tags", strings(graphs.get(i).tags()));
        SavedModel.MetaGraph main = graphs.stream().filter(g -> g.tags().contains("serve")).findFirst()
                .orElse(graphs.isEmpty() ? null : graphs.getFirst());
        if (main != null) {
            for (SavedModel.Signature s : main.signatures()) {
                String key = "tensorflow.signature." + s.key();
                meta.put(key + ".method_name", s.methodName());
                meta.put(key + ".inputs", strings(s.inputs().stream().map(SavedModel.TensorSpec::describe).toList()));
                meta.put(key + ".outputs", strings(s.outputs().stream().map(SavedModel.TensorSpec::describe).toList()));
            }
            if (!main.assets().isEmpty()) meta.put("tensorflow.assets", strings(main.assets()));
        }
        details.add("saved model: " + model.file().getFileName() + ", schema version " + model.schemaVersion() + ", "
                + graphs.size() + " meta graph" + (graphs.size() == 1 ? "" : "s"));
        for (int i = 0; i < graphs.size(); i++) {
            SavedModel.MetaGraph g = graphs.get(i);
            details.add("meta graph #" + i + " " + g.tags() + ": TensorFlow " + (g.tensorflowVersion().isEmpty() ? "(version not recorded)"
                    : g.tensorflowVersion()) + ", " + g.nodes() + " nodes, " + g.functions() + " functions");
            for (SavedModel.Signature s : g.signatures()) {
                details.add("  signature " + s.key() + (s.methodName().isEmpty() ? "" : " (" + s.methodName() + ")"));
                for (SavedModel.TensorSpec t : s.inputs()) details.add("    input " + t.describe());
                for (SavedModel.TensorSpec t : s.outputs()) details.add("    output " + t.describe());
            }
            for (String a : g.assets()) details.add("  asset " + a);
            for (SavedModel.PythonOp op : g.pythonOps()) {
                details.add("  python op " + op.op() + ": node '" + op.node() + "' in " + op.where());
            }
        }
    }

    private static MetadataValue strings(List<String> values) {
        List<MetadataValue> out = new ArrayList<>(values.size());
        for (String v : values) out.add(new MetadataValue.Str(v));
        return new MetadataValue.Array(ValueType.STRING, out);
    }

    /** The index read into tensors: what {@link #open} needs of the bundle. */
    private record Bundle(BundleHeader header, List<Tensor> tensors, List<UnsupportedEntry> unsupported) {
        static Bundle read(Source source, MappedFile index, ReadLimits limits, List<MappedFile> opened) {
            Path indexPath = index.path();
            List<Table.Entry> entries;
            BundleHeader header;
            List<Tensor> tensors = new ArrayList<>();
            List<UnsupportedEntry> unsupported = new ArrayList<>();
            entries = Table.read(content(index, limits), indexPath, limits);
            if (entries.isEmpty() || entries.getFirst().key().length != 0) {
                throw new MalformedFileException(FORMAT, indexPath, "index table", -1,
                        "has no BundleHeaderProto (the entry of the empty key, which comes first)");
            }
            Table.Entry first = entries.getFirst();
            header = BundleHeader.parse(cursor(first, indexPath), limits);
            MappedFile[] shards = new MappedFile[header.numShards()];
            int sliceKeys = 0;
            for (int i = 1; i < entries.size(); i++) {
                Table.Entry e = entries.get(i);
                byte[] key = e.key();
                // A slice of a partitioned variable is keyed by checkpoint::EncodeTensorNameSlice, which starts
                // with OrderedCode's 0 (byte 0x00); the variable's own entry lists the slices.
                if (key[0] == 0) {
                    sliceKeys++;
                    continue;
                }
                ByteCursor c = cursor(e, indexPath);
                String name = name(key, c);
                c.structure("BundleEntryProto", i); // named by number: a string per entry costs at 10,000 entries
                BundleEntry entry = BundleEntry.parse(c, limits);
                Tensor t = tensor(name, entry, header, source, indexPath, shards, opened, limits, unsupported);
                if (t != null) tensors.add(t);
            }
            if (sliceKeys > 0 && unsupported.stream().noneMatch(u -> u.description().contains("slices"))) {
                unsupported.add(new UnsupportedEntry("(slices)", sliceKeys + " tensor slice entries without a partitioned variable that lists them"));
            }
            return new Bundle(header, tensors, unsupported);
        }

        /**
         * The index's bytes, read into memory with one positional read: the index is the bundle's header, read whole,
         * and the first touch of each page of a mapping is a page fault (tens of microseconds on a virtualized host:
         * milliseconds for a 10,000-variable index), where one read costs a few.
         */
        private static MemorySegment content(MappedFile index, ReadLimits limits) {
            long size = index.size();
            if (size > limits.maxHeaderBytes() || size > Integer.MAX_VALUE - 8) {
                throw new MalformedFileException(FORMAT, index.path(), "index table", -1, "index of " + size
                        + " bytes is larger than the " + limits.maxHeaderBytes() + " a header may have");
            }
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) size);
            if (index.read(0, buffer) != size) return index.window(0, size); // not readable so (remote): the mapping holds them
            return MemorySegment.ofArray(buffer.array());
        }

        private static ByteCursor cursor(Table.Entry e, Path index) {
            return new ByteCursor(e.value(), e.offset(), FORMAT, index);
        }

        private static String name(byte[] key, ByteCursor c) {
            boolean ascii = true;
            for (byte b : key) ascii &= b >= 0;
            if (ascii) return new String(key, java.nio.charset.StandardCharsets.ISO_8859_1); // names mostly are
            ByteCursor k = new ByteCursor(MemorySegment.ofArray(key), c.absolutePosition(), FORMAT, null).structure("key");
            try {
                return k.utf8(key.length);
            } catch (MalformedFileException e) {
                throw c.fail("key '" + Table.printable(key) + "' is not valid UTF-8");
            }
        }

        private static Tensor tensor(String name, BundleEntry e, BundleHeader header, Source source, Path indexPath,
                MappedFile[] shards, List<MappedFile> opened, ReadLimits limits, List<UnsupportedEntry> unsupported) {
            DataType type = DataType.of(e.dtype());
            Shape shape;
            try {
                shape = Shape.of(e.shape());
            } catch (ArithmeticException x) {
                throw malformed(indexPath, name, e, "shape " + java.util.Arrays.toString(e.shape()) + " has more elements than a 64-bit count (it overflows)");
            }
            if (e.slices() > 0) {
                unsupported.add(new UnsupportedEntry(name, DataType.name(e.dtype()) + " " + shape + " partitioned variable saved in "
                        + e.slices() + " slices: slices are not assembled"));
                return null;
            }
            if (type == null || type.dtype == null) {
                unsupported.add(new UnsupportedEntry(name, DataType.name(e.dtype()) + " " + shape + ": no tensorfile DType has its meaning"));
                return null;
            }
            DType dtype = type.dtype;
            if (dtype != DType.STRING) {
                long want;
                try {
                    want = shape.byteSize(dtype);
                } catch (ArithmeticException x) {
                    throw malformed(indexPath, name, e, "shape " + shape + " of " + dtype + " overflows a 64-bit size");
                }
                if (want != e.size()) {
                    throw malformed(indexPath, name, e, "size " + e.size() + " is not the " + want + " bytes of " + DataType.name(e.dtype()) + " " + shape);
                }
            }
            if (e.shardId() < 0 || e.shardId() >= header.numShards()) {
                throw malformed(indexPath, name, e, "shard_id " + e.shardId() + " is outside the header's " + header.numShards() + " shards");
            }
            int id = (int) e.shardId();
            MappedFile shard = shards[id];
            if (shard == null) {
                shard = source.shard(Layout.shardName(source.prefixName(), id, header.numShards()));
                opened.add(shard);
                shards[id] = shard;
            }
            if (e.offset() > shard.size() || e.size() > shard.size() - e.offset()) {
                throw malformed(indexPath, name, e, "bytes [" + e.offset() + ", +" + e.size() + ") lie outside "
                        + shard.path().getFileName() + " of " + shard.size() + " bytes");
            }
            MemorySegment data = shard.dataSlice(e.offset(), e.size()); // a remote tensor is fetched when read
            TensorInfo info = new TensorInfo(name, dtype, shape, e.size());
            if (dtype == DType.STRING) return new BundleTensor.Strings(info, data, shard, e.crc32c());
            if (header.bigEndian() && dtype.blockBytes() > 1) return new BundleTensor.Swapped(info, data, shard, e.crc32c(), limits);
            return new BundleTensor.View(info, data, shard, e.crc32c());
        }

        private static MalformedFileException malformed(Path index, String name, BundleEntry e, String what) {
            return new MalformedFileException(FORMAT, index, "BundleEntryProto '" + name + "'", e.at(), what);
        }

    }

    @Override public Path path() { return path; }

    @Override
    public Optional<dev.tensorfile.core.RemoteTransfer> remoteTransfer() {
        return remote == null ? Optional.empty() : Optional.of(remote.transferred());
    }

    @Override public String format() { return FORMAT; }

    @Override public Metadata metadata() { return metadata; }

    @Override
    public List<Tensor> tensors() {
        ensureOpen();
        return tensors;
    }

    @Override
    public Optional<Tensor> find(String name) {
        ensureOpen();
        return Optional.ofNullable(byName().get(name));
    }

    @Override public List<String> details() { return details; }

    @Override public List<UnsupportedEntry> unsupported() { return unsupported; }

    /** Every tensor's bytes against the CRC-32C its entry records (and each string tensor's length checksum). */
    @Override
    public void verify() {
        ensureOpen();
        for (Tensor t : tensors) {
            BundleTensor b = (BundleTensor) t;
            int computed = b.computeCrc32c();
            if (computed != b.crc32c()) {
                throw new MalformedFileException(FORMAT, shardOf(t), "tensor '" + t.name() + "'", -1, "CRC-32C 0x"
                        + Integer.toHexString(computed) + " of its bytes differs from the 0x" + Integer.toHexString(b.crc32c())
                        + " its entry records (masked)");
            }
            if (t.dtype() == DType.STRING) t.strings();
        }
    }

    private static Path shardOf(Tensor t) {
        return t instanceof dev.tensorfile.core.spi.SegmentTensor s ? s.file() : null;
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException(path + " is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (MappedFile m : shards) m.close();
    }
}
