package dev.tensorfile.onnx;

import dev.tensorfile.core.spi.TensorIndex;
import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.RemoteTransfer;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.UnsupportedEntry;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.ValueType;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.RemoteFile;
import dev.tensorfile.core.spi.SegmentTensor;
import dev.tensorfile.core.spi.WireReader;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An open ONNX model: the top-level fields at open, the graph indexed when tensors or details are first asked for.
 *
 * <p>Tensors are, for the main graph, its initializers, its sparse initializers (densified) and the values of its
 * {@code Constant} nodes (in node order), then the same for every subgraph (attributes {@code g}/{@code graphs} of
 * the graph's nodes, depth first in node order). An initializer is named by its TensorProto name, a Constant's
 * value by the node's output; a name already taken by an earlier tensor gets {@code #2}, {@code #3}, ... appended.
 * The names of the Constant values are listed under the metadata key {@value #CONSTANTS_KEY}.
 */
final class OnnxFile implements TensorFile {
    static final String FORMAT = "onnx";
    /** Metadata key listing the tensors that are values of Constant nodes, not initializers. */
    static final String CONSTANTS_KEY = "onnx.constants";

    /**
     * One tensor and where its TensorProto lies (the writer copies models by these offsets).
     *
     * @param proto the initializer, a sparse tensor's values or a Constant's {@code value}; null for the other
     *     Constant attributes
     * @param sparse the sparse initializer or Constant {@code sparse_value}, or null
     * @param constant the Constant node whose value this is, or null for an initializer
     */
    record Entry(Tensor tensor, TensorProto proto, SparseTensorProto sparse, ConstantNode constant) {
        /** True for an initializer (dense): the tensors whose data a copy of the model rewrites. */
        boolean initializer() { return sparse == null && constant == null; }
    }

    private final Path path;
    private final MappedFile mapped;
    private final ReadLimits limits;
    private final ModelProto model;
    private volatile Metadata metadata;
    private final Map<Path, MappedFile> external = new HashMap<>();
    private volatile List<Entry> entries;
    private volatile TensorIndex tensors;
    private volatile boolean closed;

    /** The model's remote file, against whose URL external data is resolved; null for a local model. */
    private RemoteFile remote;

    private OnnxFile(Path path, MappedFile mapped, ReadLimits limits, ModelProto model) {
        this.path = path;
        this.mapped = mapped;
        this.limits = limits;
        this.model = model;
    }

    static OnnxFile open(Path path, ReadLimits limits) {
        return open(MappedFile.open(path, FORMAT), limits);
    }

    /**
     * Opens a remote model. Its protobuf is read through the mapping as a local one (so, for now, the model file is
     * fetched whole: its structure lies between the tensors' bytes); external data files are resolved against its
     * URL by the same lexical rules as locally, and their bytes are fetched when a tensor is read.
     */
    static OnnxFile open(RemoteFile remote, ReadLimits limits) {
        OnnxFile f = open(MappedFile.remote(remote), limits);
        f.remote = remote;
        return f;
    }

    private static OnnxFile open(MappedFile mapped, ReadLimits limits) {
        Path path = mapped.path();
        try {
            ModelProto model = ModelProto.parse(ByteCursor.of(mapped, FORMAT), path, limits,
                    new InitializerProbe(mapped, limits));
            return new OnnxFile(path, mapped, limits, model);
        } catch (RuntimeException | Error e) {
            mapped.close();
            throw e;
        }
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
                    for (Entry e : entries()) if (e.constant() != null) constants.add(new MetadataValue.Str(e.tensor().name()));
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
        return tensors.find(name);
    }

    /** The indexed tensors, built on first use. */
    List<Entry> entries() {
        List<Entry> e = entries;
        if (e == null) {
            synchronized (this) {
                e = entries;
                if (e == null) {
                    ensureOpen();
                    e = index();
                    tensors = TensorIndex.of(e.stream().map(Entry::tensor).toList());
                    entries = e;
                }
            }
        }
        return e;
    }

    private List<Entry> index() {
        List<Entry> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        GraphProto g = model.graph();
        if (g != null) index(g, out, seen);
        return List.copyOf(out);
    }

    private void index(GraphProto g, List<Entry> out, Map<String, Integer> seen) {
        for (TensorProto t : g.initializers()) {
            out.add(new Entry(tensor(unique(t.name, seen), t), t, null, null));
        }
        for (SparseTensorProto s : g.sparseInitializers()) {
            String label = "sparse initializer '" + s.values().name + "'";
            out.add(new Entry(sparse(unique(s.values().name, seen), s, label), s.values(), s, null));
        }
        for (NodeProto n : g.nodes()) {
            ConstantNode c = n.constant();
            if (c != null) out.add(new Entry(constant(unique(c.output, seen), c), c.tensor, c.sparse, c));
        }
        for (NodeProto n : g.nodes()) {
            for (GraphProto sub : n.subgraphs()) index(sub, out, seen);
        }
    }

    private static String unique(String name, Map<String, Integer> seen) {
        Integer n = seen.merge(name, 1, Integer::sum);
        if (n == 1) return name;
        String candidate = name + "#" + n;
        while (seen.containsKey(candidate)) candidate = name + "#" + seen.merge(name, 1, Integer::sum);
        seen.put(candidate, 1);
        return candidate;
    }

    private static String label(TensorProto t) {
        return "initializer '" + t.name + "'";
    }

    private MalformedFileException fail(TensorProto t, String what) {
        return fail(label(t), t, what);
    }

    private MalformedFileException fail(String label, TensorProto t, String what) {
        return new MalformedFileException(FORMAT, path, label, t.offset, what);
    }

    /** The DataType, shape and element count of {@code t}, checked. */
    private DataType type(String label, TensorProto t) {
        DataType type = DataType.of(t.dataType);
        if (type == null) {
            throw fail(label, t, "data_type " + t.dataType + " is not a TensorProto.DataType this reader knows (1-26)");
        }
        return type;
    }

    private Shape shape(String label, TensorProto t) {
        for (long d : t.dims) if (d < 0) throw fail(label, t, "negative dimension " + d + " in dims " + java.util.Arrays.toString(t.dims));
        try {
            return Shape.of(t.dims);
        } catch (ArithmeticException e) {
            throw fail(label, t, "dims " + java.util.Arrays.toString(t.dims) + " overflow a 64-bit element count");
        }
    }

    /** Builds the Tensor of one initializer under the rules of checker.cc {@code check_tensor}. */
    Tensor tensor(String name, TensorProto t) {
        return tensor(name, t, label(t));
    }

    /**
     * Builds the Tensor of one TensorProto under the rules of checker.cc {@code check_tensor}.
     *
     * @param label how errors name it: {@code initializer 'w'}, {@code Constant 'w' value}
     */
    private Tensor tensor(String name, TensorProto t, String label) {
        if (t.hasSegment) {
            throw new UnsupportedFeatureException(FORMAT, path, label + " at byte " + t.offset
                    + ": segment (field 3) is not supported, as in onnx.numpy_helper");
        }
        DataType type = type(label, t);
        Shape shape = shape(label, t);
        long n = shape.elementCount();
        if (t.dataLocation != 0 && t.dataLocation != 1) throw fail(label, t, "data_location " + t.dataLocation + " is neither DEFAULT (0) nor EXTERNAL (1)");
        boolean external = t.dataLocation == 1;
        if (type == DataType.STRING) {
            if (t.rawData != null || external) throw fail(label, t, "STRING tensors must use string_data, not raw_data or external data");
            if ((t.typedFields & ~(1 << 6)) != 0) throw fail(label, t, "STRING tensor carries a numeric typed field");
            if (t.typedEntries != n) throw fail(label, t, "string_data has " + t.typedEntries + " entries for " + n + " elements");
            return new StringTensor(new TensorInfo(name, DType.STRING, shape, t.typedBytes), mapped, t.message, t.offset, label,
                    TensorProto.STRING_DATA, path, limits);
        }
        long rawBytes;
        try {
            rawBytes = type.rawBytes(n);
        } catch (ArithmeticException e) {
            throw fail(label, t, n + " elements of " + type + " overflow a 64-bit byte count");
        }
        TensorInfo info = new TensorInfo(name, type.dtype, shape, rawBytes);
        if (external) {
            if (t.rawData != null || t.typedFields != 0) throw fail(label, t, "external tensor also carries inline data");
            return externalTensor(t, info, label);
        }
        if (t.rawData != null) {
            if (t.typedFields != 0) throw fail(label, t, "both raw_data and " + typedNames(t.typedFields) + " are set");
            if (t.rawData.byteSize() != rawBytes) {
                throw new MalformedFileException(FORMAT, path, label, t.rawDataOffset, "raw_data of "
                        + t.rawData.byteSize() + " bytes, but dims " + shape + " of " + type + " need " + rawBytes);
            }
            return new SegmentTensor(info, t.rawData, mapped);
        }
        if (t.typedFields == 0) {
            if (n == 0) return new SegmentTensor(info, mapped.segment().asSlice(0, 0), mapped);
            throw fail(label, t, "has no data: neither raw_data, " + TensorProto.fieldName(type.storage.field) + " nor external data");
        }
        if (t.typedFields != 1 << type.storage.field) {
            throw fail(label, t, type + " values belong in " + TensorProto.fieldName(type.storage.field) + ", not "
                    + typedNames(t.typedFields & ~(1 << type.storage.field) | (t.typedFields & (1 << type.storage.field))));
        }
        long want = type.typedEntries(n);
        if (t.typedEntries != want) {
            throw fail(label, t, TensorProto.fieldName(type.storage.field) + " has " + t.typedEntries + " entries, but dims "
                    + shape + " of " + type + " need " + want);
        }
        if (t.typedRun != null && t.typedRun.byteSize() == rawBytes
                && (type.storage == DataType.Storage.FLOAT_DATA || type.storage == DataType.Storage.DOUBLE_DATA)) {
            // one packed run of fixed32/fixed64 values is byte for byte raw_data's little-endian encoding: a view
            return new SegmentTensor(info, t.typedRun, mapped);
        }
        return new DecodedInitializer(info, mapped, new TypedData(t.message, t.offset, label, type.storage.field,
                TensorProto.fieldName(type.storage.field), type, path, limits), true);
    }

    private static String typedNames(int fields) {
        List<String> names = new ArrayList<>();
        for (int f : new int[] {4, 5, 6, 7, 10, 11}) if ((fields & (1 << f)) != 0) names.add(TensorProto.fieldName(f));
        return String.join(" and ", names);
    }

    private Tensor externalTensor(TensorProto t, TensorInfo info, String label) {
        Path dir = remote != null ? null : path.toAbsolutePath().getParent();
        ExternalData x = ExternalData.resolve(t.externalData, dir, path, label + " external_data", t.offset);
        MappedFile file;
        synchronized (external) {
            file = external.get(x.file());
            if (file == null) {
                file = remote == null ? MappedFile.open(x.file(), FORMAT) : openRemote(t, x, label);
                external.put(x.file(), file);
            }
        }
        long size = file.size();
        long length = x.length() < 0 ? size - x.offset() : x.length();
        if (x.offset() > size || length < 0 || length > size - x.offset()) {
            throw fail(label, t, "external data [" + x.offset() + ", " + (x.length() < 0 ? "end" : x.offset() + x.length())
                    + ") lies outside '" + x.location() + "' of " + size + " bytes");
        }
        if (length != info.byteLength()) {
            throw fail(label, t, "external data length " + length + ", but dims " + info.shape() + " of " + info.dtype()
                    + " need " + info.byteLength());
        }
        return new ExternalTensor(info, file.dataSlice(x.offset(), length), file, x);
    }

    private MappedFile openRemote(TensorProto t, ExternalData x, String label) {
        try {
            return MappedFile.remote(remote.sibling(x.file().toString().replace('\\', '/')));
        } catch (TensorFileException e) {
            throw new MalformedFileException(FORMAT, path, label + " external_data", t.offset, "external data file '"
                    + x.location() + "' does not exist or cannot be read", e); // the HTTP reason is the cause
        }
    }

    @Override
    public java.util.Optional<RemoteTransfer> remoteTransfer() {
        return remote == null ? java.util.Optional.empty() : java.util.Optional.of(remote.transferred());
    }

    /** A tensor whose bytes lie in an external file, mapped in place. */
    static final class ExternalTensor extends SegmentTensor {
        final ExternalData data;

        ExternalTensor(TensorInfo info, MemorySegment bytes, MappedFile owner, ExternalData data) {
            super(info, bytes, owner);
            this.data = data;
        }
    }

    /**
     * A STRING tensor, UTF-8: a TensorProto's string_data entries, or a Constant's {@code value_string(s)}
     * (AttributeProto {@code s}, {@code strings}). Each occurrence of the field is one element.
     */
    static final class StringTensor extends DecodedInitializer {
        private final Strings strings;

        /**
         * @param message the message holding the field, and the file offset of its first byte
         * @param structure how errors name the message
         */
        StringTensor(TensorInfo info, MappedFile owner, MemorySegment message, long offset, String structure,
                int field, Path file, ReadLimits limits) {
            this(info, owner, new Strings(message, offset, structure, field, file, limits));
        }

        private StringTensor(TensorInfo info, MappedFile owner, Strings strings) {
            super(info, owner, out -> strings.concat(out));
            this.strings = strings;
        }

        /** Where the entries lie: every occurrence of {@code field} in {@code message}. */
        private record Strings(MemorySegment message, long offset, String structure, int field, Path file, ReadLimits limits) {
            void concat(MemorySegment out) {
                long[] o = {0};
                each(s -> {
                    MemorySegment.copy(s, 0, out, o[0], s.byteSize());
                    o[0] += s.byteSize();
                });
            }

            void each(java.util.function.Consumer<MemorySegment> f) {
                ByteCursor c = new ByteCursor(message, offset, FORMAT, file).structure(structure);
                WireReader r = new WireReader(c, 0, limits.maxNestingDepth());
                while (r.next()) {
                    if (r.field() == field) f.accept(r.bytes(field == TensorProto.STRING_DATA ? "string_data" : "strings"));
                    else r.skip();
                }
            }
        }

        @Override
        public List<String> strings() {
            ensureOpen();
            List<String> out = new ArrayList<>();
            strings.each(s -> out.add(new String(s.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8)));
            // a rank-0 tensor has one element: value_string's s absent is protobuf's default, ""
            if (out.isEmpty() && info().shape().rank() == 0) out.add("");
            return out;
        }
    }

    /**
     * The value of a Constant node, as the operator defines its output: {@code value} as a TensorProto (with all
     * an initializer's rules), {@code sparse_value} densified, {@code value_float}/{@code value_int}/{@code
     * value_string} as a rank-0 F32/I64/STRING tensor, and their plural forms as rank-1 tensors.
     */
    private Tensor constant(String name, ConstantNode c) {
        String label = c.label();
        return switch (c.kind) {
            case VALUE -> tensor(name, c.tensor, label);
            case SPARSE_VALUE -> sparse(name, c.sparse, label);
            case VALUE_FLOAT -> {
                TensorInfo info = new TensorInfo(name, DType.F32, Shape.of(), 4);
                yield c.scalar != null ? new SegmentTensor(info, c.scalar, mapped)
                        : new DecodedInitializer(info, mapped, out -> out.fill((byte) 0)); // proto's default, 0.0
            }
            case VALUE_INT -> new DecodedInitializer(new TensorInfo(name, DType.I64, Shape.of(), 8), mapped,
                    out -> out.set(LittleEndian.LONG, 0, c.integer));
            case VALUE_FLOATS -> {
                TensorInfo info = new TensorInfo(name, DType.F32, Shape.of(c.entries), c.entryBytes);
                yield c.run != null ? new SegmentTensor(info, c.run, mapped)
                        : new DecodedInitializer(info, mapped, new TypedData(c.attribute, c.attributeOffset, label,
                                ConstantNode.Kind.VALUE_FLOATS.field, "floats", DataType.FLOAT, path, limits), true);
            }
            case VALUE_INTS -> new DecodedInitializer(new TensorInfo(name, DType.I64, Shape.of(c.entries), c.entryBytes),
                    mapped, new TypedData(c.attribute, c.attributeOffset, label, ConstantNode.Kind.VALUE_INTS.field,
                            "ints", DataType.INT64, path, limits), true);
            case VALUE_STRING -> new StringTensor(new TensorInfo(name, DType.STRING, Shape.of(), c.entryBytes), mapped,
                    c.attribute, c.attributeOffset, label, ConstantNode.Kind.VALUE_STRING.field, path, limits);
            case VALUE_STRINGS -> new StringTensor(new TensorInfo(name, DType.STRING, Shape.of(c.entries), c.entryBytes),
                    mapped, c.attribute, c.attributeOffset, label, ConstantNode.Kind.VALUE_STRINGS.field, path, limits);
        };
    }

    /**
     * A sparse initializer or Constant {@code sparse_value}, densified: zeros except at {@code indices}.
     *
     * @param label how errors name it
     */
    private Tensor sparse(String name, SparseTensorProto s, String label) {
        TensorProto v = s.values();
        TensorProto ix = s.indices();
        DataType type = type(label, v);
        if (type == DataType.STRING || type.elementsPerByte() > 1) {
            throw new UnsupportedFeatureException(FORMAT, path, label + " at byte " + s.offset()
                    + ": sparse " + type + " tensors are not supported");
        }
        for (long d : s.dims()) {
            if (d <= 0) throw new MalformedFileException(FORMAT, path, label, s.offset(), "dimension " + d + " is not positive");
        }
        Shape shape;
        long bytes;
        try {
            shape = Shape.of(s.dims());
            bytes = type.rawBytes(shape.elementCount());
        } catch (ArithmeticException e) {
            throw new MalformedFileException(FORMAT, path, label, s.offset(), "dims overflow a 64-bit size");
        }
        if (bytes > limits.maxDecodedBytes()) {
            throw new MalformedFileException(FORMAT, path, label, s.offset(), "dense size "
                    + bytes + " bytes exceeds the " + limits.maxDecodedBytes() + " a decode may produce");
        }
        Tensor values = tensor(v.name, v, label + " values");
        Tensor indices = tensor(ix.name, ix, label + " indices");
        long nnz = values.elementCount();
        if (values.shape().rank() != 1) throw fail(label + " values", v, "sparse values must have rank 1, not " + values.shape().rank());
        if (indices.dtype() != DType.I64) throw fail(label + " indices", ix, "sparse indices must be INT64, not " + indices.dtype());
        Shape is = indices.shape();
        int rank = shape.rank();
        boolean linear = is.rank() == 1;
        if (!(linear && is.dim(0) == nnz) && !(is.rank() == 2 && is.dim(0) == nnz && is.dim(1) == rank)) {
            throw fail(label + " indices", ix, "sparse indices of shape " + is + " do not fit " + nnz + " values of a rank-" + rank + " tensor");
        }
        int width = type.dtype.blockBytes();
        TensorInfo info = new TensorInfo(name, type.dtype, shape, bytes);
        long[] dims = s.dims();
        return new DecodedInitializer(info, mapped, out -> {
            out.fill((byte) 0);
            MemorySegment vb = values.bytes();
            MemorySegment ib = indices.bytes();
            ValueLayout.OfLong L = LittleEndian.LONG;
            long count = shape.elementCount();
            for (long k = 0; k < nnz; k++) {
                long at;
                if (linear) {
                    at = ib.getAtIndex(L, k);
                } else {
                    at = 0;
                    for (int d = 0; d < rank; d++) {
                        long c = ib.getAtIndex(L, k * rank + d);
                        if (c < 0 || c >= dims[d]) throw fail(label + " indices", ix, "sparse index " + c + " of value #" + k + " is outside dimension " + dims[d]);
                        at = at * dims[d] + c;
                    }
                }
                if (at < 0 || at >= count) throw fail(label + " indices", ix, "sparse index " + at + " of value #" + k + " is outside " + count + " elements");
                MemorySegment.copy(vb, k * width, out, at * width, width);
            }
        });
    }

    @Override
    public List<String> details() {
        List<String> lines = new ArrayList<>();
        lines.add("IR version: " + model.irVersion);
        List<String> opsets = new ArrayList<>();
        for (ModelProto.OpsetId o : model.opsets) opsets.add((o.domain().isEmpty() ? "ai.onnx" : o.domain()) + " " + o.version());
        lines.add("opsets: " + (opsets.isEmpty() ? "none" : String.join(", ", opsets)));
        if (model.producerName != null || model.producerVersion != null) {
            lines.add("producer: " + (model.producerName == null ? "" : model.producerName)
                    + (model.producerVersion == null || model.producerVersion.isEmpty() ? "" : " " + model.producerVersion));
        }
        if (!model.functions.isEmpty()) lines.add("functions: " + String.join(", ", model.functions));
        GraphProto g = model.graph();
        if (g == null) {
            lines.add("graph: none");
            return lines;
        }
        lines.add("graph: " + (g.name().isEmpty() ? "(unnamed)" : g.name()));
        for (ValueInfoProto v : g.inputs()) lines.add("input " + v.name() + ": " + v.type());
        for (ValueInfoProto v : g.outputs()) lines.add("output " + v.name() + ": " + v.type());
        Map<String, Integer> ops = new TreeMap<>();
        int[] count = {0};
        countOps(g, ops, count);
        lines.add("nodes: " + count[0]);
        for (Map.Entry<String, Integer> e : ops.entrySet()) lines.add("  " + e.getKey() + ": " + e.getValue());
        if (!g.sparseInitializers().isEmpty()) lines.add("sparse initializers: " + g.sparseInitializers().size());
        Map<String, Integer> constants = new LinkedHashMap<>();
        constants(g, "graph '" + g.name() + "'", constants);
        if (!constants.isEmpty()) {
            int total = constants.values().stream().mapToInt(Integer::intValue).sum();
            List<String> where = new ArrayList<>();
            constants.forEach((k, v) -> where.add(k + ": " + v));
            lines.add("Constant-node tensors (" + CONSTANTS_KEY + "): " + total + " (" + String.join(", ", where) + ")");
        }
        return lines;
    }

    /** How many Constant values each graph holds, the subgraphs named by the node and attribute that hold them. */
    private static void constants(GraphProto g, String label, Map<String, Integer> out) {
        int n = 0;
        for (NodeProto node : g.nodes()) if (node.constant() != null) n++;
        if (n > 0) out.merge(label, n, Integer::sum);
        for (NodeProto node : g.nodes()) {
            for (GraphProto sub : node.subgraphs()) {
                constants(sub, node.opType() + " '" + node.name() + "' graph '" + sub.name() + "'", out);
            }
        }
    }

    private static void countOps(GraphProto g, Map<String, Integer> ops, int[] count) {
        for (NodeProto n : g.nodes()) {
            count[0]++;
            ops.merge(n.domain().isEmpty() || n.domain().equals("ai.onnx") ? n.opType() : n.domain() + "." + n.opType(), 1, Integer::sum);
            for (GraphProto sub : n.subgraphs()) countOps(sub, ops, count);
        }
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
        MessageNesting.check(ByteCursor.of(mapped, FORMAT), Math.min(MessageNesting.PROTOBUF_RECURSION_LIMIT, limits.maxNestingDepth()));
        Map<Path, String> checksums = new LinkedHashMap<>();
        for (Entry e : entries()) {
            Tensor t = e.tensor();
            if (t.dtype() == DType.STRING) {
                t.strings();
            } else {
                MemorySegment all = t.bytes();
                long sink = 0;
                for (long i = 0; i < all.byteSize(); i += 4096) sink += all.get(ValueLayout.JAVA_BYTE, i);
                if (sink == Long.MIN_VALUE) throw new IllegalStateException();
            }
            if (t instanceof ExternalTensor x && x.data.checksum() != null) {
                String want = checksums.put(x.data.file(), x.data.checksum());
                if (want != null && !want.equalsIgnoreCase(x.data.checksum())) {
                    throw fail(e.proto(), "external data checksums of '" + x.data.location() + "' disagree");
                }
            }
        }
        for (Map.Entry<Path, String> c : checksums.entrySet()) {
            MappedFile f;
            synchronized (external) { f = external.get(c.getKey()); }
            String got = sha1(f.segment());
            if (!got.equalsIgnoreCase(c.getValue().trim())) {
                throw new MalformedFileException(FORMAT, path, "external data file '" + c.getKey().getFileName() + "'", -1,
                        "SHA-1 " + got + " differs from the checksum " + c.getValue() + " the model records");
            }
        }
    }

    private static String sha1(MemorySegment data) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            for (long at = 0; at < data.byteSize(); at += 1 << 26) {
                md.update(data.asSlice(at, Math.min(1 << 26, data.byteSize() - at)).asByteBuffer());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException(path + " is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        synchronized (external) {
            for (MappedFile f : external.values()) f.close();
            external.clear();
        }
        mapped.close();
    }
}
