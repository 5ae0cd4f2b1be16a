package dev.tensorfile.onnx;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.RemoteTransfer;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.UnsupportedEntry;
import dev.tensorfile.core.ValueType;
import dev.tensorfile.core.spi.TensorIndex;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.RemoteFile;
import dev.tensorfile.onnx.initializers.ExternalFiles;
import dev.tensorfile.onnx.initializers.InitializerProbe;
import dev.tensorfile.onnx.initializers.InitializerTensors;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An open ONNX model: the top-level fields at open ({@link ModelProto}), the graph indexed when tensors or details
 * are first asked for. This class owns the model's mapping and its lifetime; the rest is delegated, one job per
 * class: which tensors and under which names to {@link GraphIndex}, each TensorProto's Tensor to
 * {@link InitializerTensors}, the external data files and their checksums to {@link ExternalFiles}, the structure
 * for people to {@link GraphSummary}, the message nesting {@code verify} checks to {@link MessageNesting}.
 * The names of the tensors that are Constant values are listed under the metadata key {@value #CONSTANTS_KEY}.
 */
final class OnnxFile implements TensorFile {
    static final String FORMAT = "onnx";
    /** Metadata key listing the tensors that are values of Constant nodes, not initializers. */
    static final String CONSTANTS_KEY = "onnx.constants";

    private final Path path;
    private final MappedFile mapped;
    private final ReadLimits limits;
    private final ModelProto model;
    private volatile Metadata metadata;
    private final ExternalFiles external;
    private final InitializerTensors initializers;
    private volatile List<GraphIndex.Entry> entries;
    private volatile TensorIndex tensors;
    private volatile boolean closed;

    /** The model's remote file, against whose URL external data is resolved; null for a local model. */
    private final RemoteFile remote;
    /** What fetches the remote model's structure as it is walked; null for a local model. */
    private final StructureFetch fetch;

    private OnnxFile(Path path, MappedFile mapped, ReadLimits limits, ModelProto model, RemoteFile remote,
            StructureFetch fetch) {
        this.path = path;
        this.mapped = mapped;
        this.limits = limits;
        this.model = model;
        this.remote = remote;
        this.fetch = fetch;
        this.external = new ExternalFiles(path, remote);
        this.initializers = new InitializerTensors(path, mapped, limits, external);
    }

    static OnnxFile open(Path path, ReadLimits limits) {
        return open(MappedFile.open(path, FORMAT), limits, null);
    }

    /**
     * Opens a remote model, fetching only what the protobuf walk reads ({@link StructureFetch}): tensor data, inline
     * or external, is fetched by range when a tensor is read. External data files are resolved against the model's
     * URL by the same lexical rules as locally.
     */
    static OnnxFile open(RemoteFile remote, ReadLimits limits) {
        return open(MappedFile.remote(remote), limits, remote);
    }

    private static OnnxFile open(MappedFile mapped, ReadLimits limits, RemoteFile remote) {
        Path path = mapped.path();
        try {
            StructureFetch fetch = remote == null ? null : new StructureFetch(remote, limits);
            ModelProto model = ModelProto.parse(cursor(mapped, fetch), path, limits, new InitializerProbe(mapped, limits),
                    fetch);
            return new OnnxFile(path, mapped, limits, model, remote, fetch);
        } catch (RuntimeException | Error e) {
            mapped.close();
            throw e;
        }
    }

    /**
     * A cursor over the whole model: the mapping of a local one; of a remote one, the cache, not fetched, for readers
     * that fetch each range before they read it ({@code fetch}).
     */
    private static ByteCursor cursor(MappedFile mapped, StructureFetch fetch) {
        if (fetch == null) return ByteCursor.of(mapped, FORMAT);
        return new ByteCursor(mapped.dataSlice(0, mapped.size()), 0, FORMAT, mapped.path());
    }

    @Override public Path path() { return path; }

    @Override public String format() { return FORMAT; }

    /** The model's fields and metadata_props, and {@value #CONSTANTS_KEY} when the graph has Constant values. */
    @Override
    public Metadata metadata() {
        Metadata m = metadata;
        if (m == null) {
            synchronized (this) {
                m = metadata;
                if (m == null) {
                    m = model.metadata();
                    List<MetadataValue> constants = new ArrayList<>();
                    for (GraphIndex.Entry e : entries()) if (e.constant() != null) constants.add(new MetadataValue.Str(e.tensor().name()));
                    if (!constants.isEmpty()) {
                        m = Metadata.builder().putAll(m).put(CONSTANTS_KEY, new MetadataValue.Array(ValueType.STRING, List.copyOf(constants))).build();
                    }
                    metadata = m;
                }
            }
        }
        return m;
    }

    ModelProto model() { return model; }

    MappedFile mapped() { return mapped; }

    /** The limits this file was opened with; a copy of the model reads it within them. */
    ReadLimits limits() { return limits; }

    @Override
    public List<Tensor> tensors() {
        entries();
        return tensors.tensors();
    }

    @Override
    public java.util.Optional<Tensor> find(String name) {
        entries();
        return tensors.find(name); // names are unique: GraphIndex gives a repeated one a #N suffix
    }

    /** The indexed tensors, built on first use. */
    List<GraphIndex.Entry> entries() {
        List<GraphIndex.Entry> e = entries;
        if (e == null) {
            synchronized (this) {
                e = entries;
                if (e == null) {
                    ensureOpen();
                    e = GraphIndex.index(model.graph(), initializers);
                    tensors = TensorIndex.of(e.stream().map(GraphIndex.Entry::tensor).toList());
                    entries = e;
                }
            }
        }
        return e;
    }

    @Override
    public java.util.Optional<RemoteTransfer> remoteTransfer() {
        return remote == null ? java.util.Optional.empty() : java.util.Optional.of(remote.transferred());
    }

    @Override
    public List<String> details() {
        return GraphSummary.lines(model);
    }

    @Override
    public List<UnsupportedEntry> unsupported() {
        List<UnsupportedEntry> out = new ArrayList<>();
        if (model.trainingInfos > 0) {
            out.add(new UnsupportedEntry("training_info", model.trainingInfos + " TrainingInfoProto(s): their graphs' initializers are not listed"));
        }
        return out;
    }

    /**
     * Walks every message of the model within protobuf's recursion limit, as onnx.load parses it
     * ({@link MessageNesting}), reads every tensor end to end and checks each external file's SHA-1 checksum,
     * where one is given.
     */
    @Override
    public void verify() {
        ensureOpen();
        MessageNesting.check(cursor(mapped, fetch), Math.min(MessageNesting.PROTOBUF_RECURSION_LIMIT, limits.maxNestingDepth()),
                fetch);
        for (GraphIndex.Entry e : entries()) {
            Tensor t = e.tensor();
            if (t.dtype() == DType.STRING) {
                t.strings();
            } else {
                MemorySegment all = t.bytes();
                long sink = 0;
                for (long k = 0; k < all.byteSize(); k += 4096) sink += all.get(ValueLayout.JAVA_BYTE, k);
                if (sink == Long.MIN_VALUE) throw new IllegalStateException();
            }
        }
        external.verifyChecksums(tensors());
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException(path + " is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        external.close();
        mapped.close();
    }
}
