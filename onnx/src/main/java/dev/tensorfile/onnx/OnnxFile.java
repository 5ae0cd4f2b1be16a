package dev.tensorfile.onnx;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.UnsupportedEntry;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.SegmentTensor;
import dev.tensorfile.core.spi.WireReader;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
 * <p>Tensors are the initializers of the main graph, then its sparse initializers (densified), then those of every
 * subgraph (attributes {@code g}/{@code graphs} of the graph's nodes, depth first in node order). Each is named by
 * its TensorProto name; a name already taken by an earlier tensor gets {@code #2}, {@code #3}, ... appended.
 */
final class OnnxFile implements TensorFile {
    static final String FORMAT = "onnx";

    /** One tensor and where its TensorProto lies (the writer copies models by these offsets). */
    record Entry(Tensor tensor, TensorProto proto, SparseTensorProto sparse) {}

    private final Path path;
    private final MappedFile mapped;
    private final ReadLimits limits;
    private final ModelProto model;
    private final Metadata metadata;
    private final Map<Path, MappedFile> external = new HashMap<>();
    private volatile List<Entry> entries;
    private volatile Map<String, Tensor> byName;
    private volatile boolean closed;

    private OnnxFile(Path path, MappedFile mapped, ReadLimits limits, ModelProto model) {
        this.path = path;
        this.mapped = mapped;
        this.limits = limits;
        this.model = model;
        this.metadata = model.metadata();
    }

    static OnnxFile open(Path path, ReadLimits limits) {
        MappedFile mapped = MappedFile.open(path, FORMAT);
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

    @Override public Metadata metadata() { return metadata; }

    ModelProto model() { return model; }

    MappedFile mapped() { return mapped; }

    /** The limits this file was opened with; a copy of the model reads it within them. */
    ReadLimits limits() { return limits; }

    @Override
    public List<Tensor> tensors() {
        return entries().stream().map(Entry::tensor).toList();
    }

    @Override
    public java.util.Optional<Tensor> find(String name) {
        entries();
        return java.util.Optional.ofNullable(byName.get(name));
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
                    Map<String, Tensor> names = new HashMap<>();
                    for (Entry x : e) names.put(x.tensor().name(), x.tensor());
                    byName = names;
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
            out.add(new Entry(tensor(unique(t.name, seen), t), t, null));
        }
        for (SparseTensorProto s : g.sparseInitializers()) {
            out.add(new Entry(sparse(unique(s.values().name, seen), s), s.values(), s));
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

    private String label(TensorProto t) {
        return "initializer '" + t.name + "'";
    }

    private MalformedFileException fail(TensorProto t, String what) {
        return new MalformedFileException(FORMAT, path, label(t), t.offset, what);
    }

    /** The DataType, shape and element count of {@code t}, checked. */
    private DataType type(TensorProto t) {
        DataType type = DataType.of(t.dataType);
        if (type == null) {
            throw fail(t, "data_type " + t.dataType + " is not a TensorProto.DataType this reader knows (1-26)");
        }
        return type;
    }

    private Shape shape(TensorProto t) {
        for (long d : t.dims) if (d < 0) throw fail(t, "negative dimension " + d + " in dims " + java.util.Arrays.toString(t.dims));
        try {
            return Shape.of(t.dims);
        } catch (ArithmeticException e) {
            throw fail(t, "dims " + java.util.Arrays.toString(t.dims) + " overflow a 64-bit element count");
        }
    }

    /** Builds the Tensor of one TensorProto under the rules of checker.cc {@code check_tensor}. */
    Tensor tensor(String name, TensorProto t) {
        if (t.hasSegment) {
            throw new UnsupportedFeatureException(FORMAT, path, label(t) + " at byte " + t.offset
                    + ": segment (field 3) is not supported, as in onnx.numpy_helper");
        }
        DataType type = type(t);
        Shape shape = shape(t);
        long n = shape.elementCount();
        if (t.dataLocation != 0 && t.dataLocation != 1) throw fail(t, "data_location " + t.dataLocation + " is neither DEFAULT (0) nor EXTERNAL (1)");
        boolean external = t.dataLocation == 1;
        if (type == DataType.STRING) {
            if (t.rawData != null || external) throw fail(t, "STRING tensors must use string_data, not raw_data or external data");
            if ((t.typedFields & ~(1 << 6)) != 0) throw fail(t, "STRING tensor carries a numeric typed field");
            if (t.typedEntries != n) throw fail(t, "string_data has " + t.typedEntries + " entries for " + n + " elements");
            return new StringTensor(new TensorInfo(name, DType.STRING, shape, t.typedBytes), mapped, t, path, limits);
        }
        long rawBytes;
        try {
            rawBytes = type.rawBytes(n);
        } catch (ArithmeticException e) {
            throw fail(t, n + " elements of " + type + " overflow a 64-bit byte count");
        }
        TensorInfo info = new TensorInfo(name, type.dtype, shape, rawBytes);
        if (external) {
            if (t.rawData != null || t.typedFields != 0) throw fail(t, "external tensor also carries inline data");
            return externalTensor(t, info);
        }
        if (t.rawData != null) {
            if (t.typedFields != 0) throw fail(t, "both raw_data and " + typedNames(t.typedFields) + " are set");
            if (t.rawData.byteSize() != rawBytes) {
                throw new MalformedFileException(FORMAT, path, label(t), t.rawDataOffset, "raw_data of "
                        + t.rawData.byteSize() + " bytes, but dims " + shape + " of " + type + " need " + rawBytes);
            }
            return new SegmentTensor(info, t.rawData, mapped);
        }
        if (t.typedFields == 0) {
            if (n == 0) return new SegmentTensor(info, mapped.segment().asSlice(0, 0), mapped);
            throw fail(t, "has no data: neither raw_data, " + TensorProto.fieldName(type.storage.field) + " nor external data");
        }
        if (t.typedFields != 1 << type.storage.field) {
            throw fail(t, type + " values belong in " + TensorProto.fieldName(type.storage.field) + ", not "
                    + typedNames(t.typedFields & ~(1 << type.storage.field) | (t.typedFields & (1 << type.storage.field))));
        }
        long want = type.typedEntries(n);
        if (t.typedEntries != want) {
            throw fail(t, TensorProto.fieldName(type.storage.field) + " has " + t.typedEntries + " entries, but dims "
                    + shape + " of " + type + " need " + want);
        }
        if (t.typedRun != null && t.typedRun.byteSize() == rawBytes
                && (type.storage == DataType.Storage.FLOAT_DATA || type.storage == DataType.Storage.DOUBLE_DATA)) {
            // one packed run of fixed32/fixed64 values is byte for byte raw_data's little-endian encoding: a view
            return new SegmentTensor(info, t.typedRun, mapped);
        }
        return new DecodedInitializer(info, mapped, new TypedData(t, type, path, limits), true);
    }

    private static String typedNames(int fields) {
        List<String> names = new ArrayList<>();
        for (int f : new int[] {4, 5, 6, 7, 10, 11}) if ((fields & (1 << f)) != 0) names.add(TensorProto.fieldName(f));
        return String.join(" and ", names);
    }

    private Tensor externalTensor(TensorProto t, TensorInfo info) {
        Path dir = path.toAbsolutePath().getParent();
        ExternalData x = ExternalData.resolve(t.externalData, dir, path, label(t) + " external_data", t.offset);
        MappedFile file;
        synchronized (external) {
            file = external.get(x.file());
            if (file == null) {
                file = MappedFile.open(x.file(), FORMAT);
                external.put(x.file(), file);
            }
        }
        long size = file.size();
        long length = x.length() < 0 ? size - x.offset() : x.length();
        if (x.offset() > size || length < 0 || length > size - x.offset()) {
            throw fail(t, "external data [" + x.offset() + ", " + (x.length() < 0 ? "end" : x.offset() + x.length())
                    + ") lies outside '" + x.location() + "' of " + size + " bytes");
        }
        if (length != info.byteLength()) {
            throw fail(t, "external data length " + length + ", but dims " + info.shape() + " of " + info.dtype()
                    + " need " + info.byteLength());
        }
        return new ExternalTensor(info, file.segment().asSlice(x.offset(), length), file, x);
    }

    /** A tensor whose bytes lie in an external file, mapped in place. */
    static final class ExternalTensor extends SegmentTensor {
        final ExternalData data;

        ExternalTensor(TensorInfo info, MemorySegment bytes, MappedFile owner, ExternalData data) {
            super(info, bytes, owner);
            this.data = data;
        }
    }

    /** A STRING tensor: string_data entries, UTF-8. */
    static final class StringTensor extends DecodedInitializer {
        private final TensorProto proto;
        private final Path file;
        private final ReadLimits limits;

        StringTensor(TensorInfo info, MappedFile owner, TensorProto proto, Path file, ReadLimits limits) {
            super(info, owner, out -> concat(proto, out, file, limits));
            this.proto = proto;
            this.file = file;
            this.limits = limits;
        }

        private static void concat(TensorProto t, MemorySegment out, Path file, ReadLimits limits) {
            long[] o = {0};
            each(t, file, limits, s -> {
                MemorySegment.copy(s, 0, out, o[0], s.byteSize());
                o[0] += s.byteSize();
            });
        }

        private static void each(TensorProto t, Path file, ReadLimits limits, java.util.function.Consumer<MemorySegment> f) {
            ByteCursor c = new ByteCursor(t.message, t.offset, FORMAT, file).structure("initializer '" + t.name + "'");
            WireReader r = new WireReader(c, 0, limits.maxNestingDepth());
            while (r.next()) {
                if (r.field() == 6) f.accept(r.bytes("string_data"));
                else r.skip();
            }
        }

        @Override
        public List<String> strings() {
            ensureOpen();
            List<String> out = new ArrayList<>();
            each(proto, file, limits, s -> out.add(new String(s.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8)));
            return out;
        }
    }

    /** A sparse initializer, densified: zeros except at {@code indices}. */
    private Tensor sparse(String name, SparseTensorProto s) {
        TensorProto v = s.values();
        TensorProto ix = s.indices();
        DataType type = type(v);
        if (type == DataType.STRING || type.elementsPerByte() > 1) {
            throw new UnsupportedFeatureException(FORMAT, path, "sparse initializer '" + v.name + "' at byte " + s.offset()
                    + ": sparse " + type + " tensors are not supported");
        }
        for (long d : s.dims()) {
            if (d <= 0) throw new MalformedFileException(FORMAT, path, "sparse initializer '" + v.name + "'", s.offset(), "dimension " + d + " is not positive");
        }
        Shape shape;
        long bytes;
        try {
            shape = Shape.of(s.dims());
            bytes = type.rawBytes(shape.elementCount());
        } catch (ArithmeticException e) {
            throw new MalformedFileException(FORMAT, path, "sparse initializer '" + v.name + "'", s.offset(), "dims overflow a 64-bit size");
        }
        if (bytes > limits.maxDecodedBytes()) {
            throw new MalformedFileException(FORMAT, path, "sparse initializer '" + v.name + "'", s.offset(), "dense size "
                    + bytes + " bytes exceeds the " + limits.maxDecodedBytes() + " a decode may produce");
        }
        Tensor values = tensor(v.name, v);
        Tensor indices = tensor(ix.name, ix);
        long nnz = values.elementCount();
        if (values.shape().rank() != 1) throw fail(v, "sparse values must have rank 1, not " + values.shape().rank());
        if (indices.dtype() != DType.I64) throw fail(ix, "sparse indices must be INT64, not " + indices.dtype());
        Shape is = indices.shape();
        int rank = shape.rank();
        boolean linear = is.rank() == 1;
        if (!(linear && is.dim(0) == nnz) && !(is.rank() == 2 && is.dim(0) == nnz && is.dim(1) == rank)) {
            throw fail(ix, "sparse indices of shape " + is + " do not fit " + nnz + " values of a rank-" + rank + " tensor");
        }
        int width = type.dtype.blockBytes();
        TensorInfo info = new TensorInfo(name, type.dtype, shape, bytes);
        long[] dims = s.dims();
        return new DecodedInitializer(info, mapped, out -> {
            out.fill((byte) 0);
            MemorySegment vb = values.bytes();
            MemorySegment ib = indices.bytes();
            ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            long count = shape.elementCount();
            for (long k = 0; k < nnz; k++) {
                long at;
                if (linear) {
                    at = ib.getAtIndex(L, k);
                } else {
                    at = 0;
                    for (int d = 0; d < rank; d++) {
                        long c = ib.getAtIndex(L, k * rank + d);
                        if (c < 0 || c >= dims[d]) throw fail(ix, "sparse index " + c + " of value #" + k + " is outside dimension " + dims[d]);
                        at = at * dims[d] + c;
                    }
                }
                if (at < 0 || at >= count) throw fail(ix, "sparse index " + at + " of value #" + k + " is outside " + count + " elements");
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
        return lines;
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

    /** Reads every tensor end to end and checks each external file's SHA-1 checksum, where one is given. */
    @Override
    public void verify() {
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
