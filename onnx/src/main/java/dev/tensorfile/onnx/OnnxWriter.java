package dev.tensorfile.onnx;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataStrings;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.WriteOptions;
import dev.tensorfile.core.WriteRequest;
import dev.tensorfile.core.spi.AbstractTensorWriter;
import dev.tensorfile.core.spi.AtomicFileOutput;
import dev.tensorfile.core.spi.AtomicFileSet;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.WireReader;
import dev.tensorfile.onnx.initializers.DataType;
import dev.tensorfile.onnx.initializers.TensorProto;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes ONNX models, streaming: every protobuf length is computed from the declared tensors before any data, so
 * memory is bounded by the pieces of the model's structure, never by its weights.
 *
 * <ul>
 *   <li><b>Copy</b> (the request's source is an ONNX model, open): the source model is copied as it is, from the
 *       file already open and within the limits it was opened with: every field byte for byte, except each declared initializer's data (raw_data, typed fields, external
 *       data), written again as {@code raw_data} or as external data, and the model's {@code metadata_props},
 *       rewritten from the declared metadata (keys outside {@code onnx.*}). Sparse initializers and STRING
 *       tensors are copied as they are. A requested dtype, or a declared type that differs from the
 *       source's, is refused: the graph's declared types would no longer match.</li>
 *   <li><b>Weights only</b> (any other source): one graph whose initializers are the tensors, each also a graph
 *       output, with the lowest {@code ir_version} the types allow (at least 4, where initializers need not be
 *       inputs) and the default-domain opset released with it.</li>
 * </ul>
 * With {@code external-data=true}, or when the protobuf would reach 2 GiB, tensor data goes to {@code OUT.data},
 * each tensor at an offset aligned to 64 bytes (4096 for tensors of 1 MiB or more: onnxruntime's saver aligns
 * large tensors to 4096 so that they can be mapped).
 */
final class OnnxWriter extends AbstractTensorWriter {
    /** Protobuf messages must stay below 2 GiB (onnx/checker.py MAXIMUM_PROTOBUF). */
    static final long MAX_PROTOBUF = Integer.MAX_VALUE;
    static final long LARGE_TENSOR = 1 << 20;

    private final boolean externalRequested;
    /** The model being copied (not ours: the caller opened it and closes it), or null for weights only. */
    private final OnnxFile source;
    private final List<String> notes = new ArrayList<>();

    private boolean external;
    /** The protobuf size from which data goes external by itself; lowered only by tests. */
    long maxProtobuf = MAX_PROTOBUF;
    private Map<Long, GraphIndex.Entry> sourceByOffset;
    private Map<String, TensorInfo> declared;
    private List<Pieces.Piece> pieces;
    private int cursor;
    private final Map<String, Long> externalOffsets = new LinkedHashMap<>();
    private final Set<String> placed = new HashSet<>();
    /** The model and its external data, one set: they replace the old files together or not at all. */
    private final AtomicFileSet files = AtomicFileSet.create(OnnxFile.FORMAT);
    private AtomicFileOutput main;
    private AtomicFileOutput data;
    private Path dataPath;

    private OnnxWriter(Path destination, boolean external, OnnxFile source) {
        super(destination, OnnxFile.FORMAT);
        this.externalRequested = external;
        this.source = source;
    }

    static OnnxWriter create(WriteRequest request) {
        Path destination = request.destination();
        OnnxFile copy = request.source().orElse(null) instanceof OnnxFile f ? f : null;
        if (copy != null && request.dtype().isPresent()) {
            throw new UnsupportedFeatureException(OnnxFile.FORMAT, destination, "--dtype " + request.dtype().get()
                    + " is refused for ONNX to ONNX: the graph declares its tensors' types, which a cast would break");
        }
        return new OnnxWriter(destination, request.options().flag(WriteOptions.EXTERNAL_DATA), copy);
    }

    @Override
    public List<String> notes() { return List.copyOf(notes); }

    @Override
    protected List<TensorInfo> plan(Metadata metadata, List<TensorInfo> tensors) {
        declared = new LinkedHashMap<>();
        for (TensorInfo t : tensors) declared.put(t.name(), t);
        dataPath = destination.toAbsolutePath().resolveSibling(destination.getFileName() + ".data");
        if (source != null) {
            sourceByOffset = new HashMap<>();
            Map<String, GraphIndex.Entry> byName = new HashMap<>();
            for (GraphIndex.Entry e : source.entries()) {
                byName.put(e.tensor().name(), e);
                // a Constant's value stays in its node byte for byte, unless it points at the source's external
                // data, which the copy cannot keep: then its data is written again, as an initializer's is
                boolean externalConstant = e.constant() != null && e.proto() != null && e.sparse() == null
                        && e.proto().dataLocation == 1;
                if (e.initializer() || externalConstant) sourceByOffset.put(e.proto().offset, e);
            }
            for (TensorInfo t : tensors) {
                GraphIndex.Entry e = byName.get(t.name());
                if (e == null) {
                    throw new TensorFileException(format, destination, "tensor '" + t.name() + "' is not a tensor of "
                            + source.path() + "; copying an ONNX model can only rewrite the data of its own tensors");
                }
                TensorInfo s = e.tensor().info();
                if (s.dtype() != t.dtype() || !s.shape().equals(t.shape())) {
                    throw new UnsupportedFeatureException(format, destination, "tensor '" + t.name() + "' would become "
                            + t.dtype() + t.shape() + " but the graph declares " + s.dtype() + s.shape()
                            + "; ONNX to ONNX keeps every type (no --dtype)");
                }
            }
        }
        external = externalRequested;
        Pieces model = build(metadata);
        if (!external && model.size() > maxProtobuf) {
            external = true;
            notes.add("the model would reach 2 GiB as one protobuf: tensor data written to " + dataPath.getFileName());
            model = build(metadata);
        }
        if (model.size() > MAX_PROTOBUF) {
            throw new TensorFileException(format, destination, "the model's protobuf takes " + model.size()
                    + " bytes even with its tensors as external data; protobuf messages must stay below 2 GiB");
        }
        pieces = model.pieces();
        List<TensorInfo> order = new ArrayList<>();
        if (external) {
            for (String n : externalOffsets.keySet()) order.add(declared.get(n));
        } else {
            for (Pieces.Piece p : pieces) if (p instanceof Pieces.Data d) order.add(declared.get(d.name()));
        }
        for (TensorInfo t : tensors) if (!placed.contains(t.name())) order.add(t);
        // The data first: a reader that is not this library, and sees the renames happen, sees the model last.
        if (external && !externalOffsets.isEmpty()) data = files.add(dataPath);
        main = files.add(destination);
        if (!external) advance();
        return order;
    }

    private Pieces build(Metadata metadata) {
        externalOffsets.clear();
        placed.clear();
        externalEnd = 0;
        return source != null ? copyModel(metadata) : weightsOnly(metadata);
    }

    private long externalEnd;

    /** The data fields of one tensor: raw_data, or external_data + data_location (TensorProto 9, 13, 14). */
    private void dataFields(Pieces t, TensorInfo info) {
        long length = info.byteLength();
        if (length == 0) return; // a 0-element tensor carries no data (checker.cc check_tensor)
        placed.add(info.name());
        if (!external) {
            t.tag(TensorProto.RAW_DATA, WireReader.LEN).varint(length).data(info.name(), length);
            return;
        }
        long align = length >= LARGE_TENSOR ? 4096 : 64;
        long offset = (externalEnd + align - 1) / align * align;
        externalEnd = offset + length;
        externalOffsets.put(info.name(), offset);
        t.message(TensorProto.EXTERNAL_DATA, new Pieces().string(1, "location").string(2, dataPath.getFileName().toString()));
        t.message(TensorProto.EXTERNAL_DATA, new Pieces().string(1, "offset").string(2, Long.toString(offset)));
        t.message(TensorProto.EXTERNAL_DATA, new Pieces().string(1, "length").string(2, Long.toString(length)));
        t.int64(TensorProto.DATA_LOCATION, 1);
    }

    private Map<String, String> props(Metadata metadata) {
        Metadata.Builder kept = Metadata.builder();
        for (Map.Entry<String, MetadataValue> e : metadata.asMap().entrySet()) {
            if (!e.getKey().startsWith("onnx.")) kept.put(e.getKey(), e.getValue());
        }
        return MetadataStrings.encode(kept.build());
    }

    private static void metadataProps(Pieces model, Map<String, String> props) {
        for (Map.Entry<String, String> e : props.entrySet()) {
            model.message(ModelProto.METADATA_PROPS, new Pieces().string(1, e.getKey()).string(2, e.getValue()));
        }
    }

    // ---- weights only ----

    /** IR version → the default-domain opset released with it (onnx/helper.py VERSION_TABLE). */
    private static long opsetFor(long ir) {
        return switch ((int) ir) {
            case 3 -> 8; case 4 -> 9; case 5 -> 10; case 6 -> 11; case 7 -> 12; case 8 -> 13; case 9 -> 19;
            case 10 -> 21; case 11 -> 23; case 12 -> 24; default -> 25;
        };
    }

    private Pieces weightsOnly(Metadata metadata) {
        long ir = 4; // IR 4: initializers need not be graph inputs
        Pieces graph = new Pieces().string(2, "weights");
        Pieces outputs = new Pieces();
        for (TensorInfo t : declared.values()) {
            DataType type = DataType.of(t.dtype());
            if (type == null || type == DataType.STRING) {
                if (!placed.contains("\0" + t.name())) {
                    notes.add(t.name() + ": " + t.dtype() + " tensors are not written to weights-only ONNX models");
                    placed.add("\0" + t.name());
                }
                continue;
            }
            ir = Math.max(ir, type.minIrVersion);
            Pieces tp = new Pieces();
            for (long d : t.shape().dims()) tp.int64(TensorProto.DIMS, d);
            tp.int64(TensorProto.DATA_TYPE, type.code).string(TensorProto.NAME, t.name());
            dataFields(tp, t);
            graph.message(5, tp);
            Pieces shape = new Pieces();
            for (long d : t.shape().dims()) shape.message(1, new Pieces().int64(1, d));
            Pieces tensorType = new Pieces().int64(1, type.code).message(2, shape);
            outputs.message(12, new Pieces().string(1, t.name()).message(2, new Pieces().message(1, tensorType)));
        }
        graph.append(outputs);
        Pieces model = new Pieces().int64(ModelProto.IR_VERSION, ir).string(ModelProto.PRODUCER_NAME, "tensorfile");
        metadata.getString("onnx.doc_string").ifPresent(d -> model.string(ModelProto.DOC_STRING, d));
        model.message(ModelProto.GRAPH, graph);
        model.message(ModelProto.OPSET_IMPORT, new Pieces().string(1, "").int64(2, opsetFor(ir)));
        metadataProps(model, props(metadata));
        return model;
    }

    // ---- copy ----

    private Pieces copyModel(Metadata metadata) {
        MemorySegment all = source.mapped().segment();
        ByteCursor c = new ByteCursor(all, 0, format, source.path()).structure("ModelProto");
        WireReader r = new WireReader(c, 0, source.limits().maxNestingDepth());
        Pieces model = new Pieces();
        boolean propsWritten = false;
        Map<String, String> props = props(metadata);
        while (r.next()) {
            long start = r.fieldStart();
            switch (r.field()) {
                case ModelProto.GRAPH -> {
                    WireReader g = r.message("graph", "graph");
                    model.message(ModelProto.GRAPH, copyGraph(g));
                }
                case ModelProto.METADATA_PROPS -> {
                    r.skip();
                    if (!propsWritten) metadataProps(model, props);
                    propsWritten = true;
                }
                default -> {
                    r.skip();
                    model.source(all.asSlice(start, c.position() - start));
                }
            }
        }
        if (!propsWritten) metadataProps(model, props);
        return model;
    }

    private Pieces copyGraph(WireReader r) {
        ByteCursor c = r.cursor();
        MemorySegment seg = c.segment();
        Pieces graph = new Pieces();
        while (r.next()) {
            long start = r.fieldStart();
            switch (r.field()) {
                case 1 -> {
                    long before = c.position();
                    WireReader node = r.message("node", "node");
                    if (rewritesAttribute(node)) {
                        c.seek(before);
                        graph.message(1, copyNode(r.message("node", "node")));
                    } else {
                        graph.source(seg.asSlice(start, c.position() - start));
                    }
                }
                case 5 -> {
                    long offset = c.absolutePosition();
                    WireReader t = r.message("initializer", "initializer");
                    // the message's first byte follows the length prefix
                    long messageOffset = t.cursor().absolutePosition();
                    Pieces rewritten = copyTensor(t, messageOffset);
                    if (rewritten == null) graph.source(seg.asSlice(start, c.position() - start));
                    else graph.message(5, rewritten);
                    if (offset < 0) throw new IllegalStateException();
                }
                default -> {
                    r.skip();
                    graph.source(seg.asSlice(start, c.position() - start));
                }
            }
        }
        return graph;
    }

    /** True when a node holds a graph, or a tensor whose data the copy rewrites: it is copied field by field. */
    private boolean rewritesAttribute(WireReader node) {
        while (node.next()) {
            if (node.field() != 5) {
                node.skip();
                continue;
            }
            WireReader a = node.message("attribute", "attribute");
            while (a.next()) {
                if (a.field() == 6 || a.field() == 11) return true;
                if (a.field() == 5 && sourceByOffset.containsKey(a.message("t", "t").cursor().absolutePosition())) return true;
                if (a.field() != 5) a.skip();
            }
        }
        return false;
    }

    private Pieces copyNode(WireReader r) {
        ByteCursor c = r.cursor();
        MemorySegment seg = c.segment();
        Pieces node = new Pieces();
        while (r.next()) {
            long start = r.fieldStart();
            if (r.field() == 5) {
                WireReader a = r.message("attribute", "attribute");
                Pieces attribute = new Pieces();
                MemorySegment aseg = a.cursor().segment();
                while (a.next()) {
                    long astart = a.fieldStart();
                    if (a.field() == 6 || a.field() == 11) {
                        int f = a.field();
                        attribute.message(f, copyGraph(a.message("graph", "graph")));
                    } else if (a.field() == 5) {
                        WireReader t = a.message("t", "t");
                        Pieces rewritten = copyTensor(t, t.cursor().absolutePosition());
                        if (rewritten == null) attribute.source(aseg.asSlice(astart, a.cursor().position() - astart));
                        else attribute.message(5, rewritten);
                    } else {
                        a.skip();
                        attribute.source(aseg.asSlice(astart, a.cursor().position() - astart));
                    }
                }
                node.message(5, attribute);
            } else {
                r.skip();
                node.source(seg.asSlice(start, c.position() - start));
            }
        }
        return node;
    }

    /** The tensor with its data fields replaced, or null to copy it as it is. */
    private Pieces copyTensor(WireReader r, long messageOffset) {
        GraphIndex.Entry e = sourceByOffset.get(messageOffset);
        ByteCursor c = r.cursor();
        if (e == null || !declared.containsKey(e.tensor().name()) || e.tensor().dtype() == DType.STRING) {
            c.seek(c.segment().byteSize());
            return null;
        }
        TensorInfo info = declared.get(e.tensor().name());
        MemorySegment seg = c.segment();
        Pieces before = new Pieces();
        Pieces after = new Pieces();
        boolean dataSeen = false;
        while (r.next()) {
            long start = r.fieldStart();
            int f = r.field();
            r.skip();
            boolean dataField = f == 4 || f == 5 || f == 7 || f == 9 || f == 10 || f == 11
                    || f == TensorProto.EXTERNAL_DATA || f == TensorProto.DATA_LOCATION;
            if (dataField) {
                dataSeen = true;
            } else {
                (dataSeen ? after : before).source(seg.asSlice(start, c.position() - start));
            }
        }
        dataFields(before, info);
        return before.append(after);
    }

    // ---- streaming ----

    /** Writes pieces up to the next tensor data (embedded mode). */
    private void advance() {
        while (cursor < pieces.size() && !(pieces.get(cursor) instanceof Pieces.Data)) {
            writePiece(pieces.get(cursor++));
        }
    }

    private void writePiece(Pieces.Piece p) {
        switch (p) {
            case Pieces.Literal l -> main.write(l.bytes());
            case Pieces.Source s -> main.write(s.bytes());
            case Pieces.Data d -> throw new IllegalStateException("data of '" + d.name() + "' was not fed");
        }
    }

    @Override
    protected void writeData(TensorInfo tensor, MemorySegment chunk) {
        if (!placed.contains(tensor.name())) return; // copied as it is, or not carried (see notes)
        if (external) {
            long offset = externalOffsets.get(tensor.name());
            if (data.position() < offset) data.pad(offset - data.position());
            data.write(chunk);
        } else {
            if (!(pieces.get(cursor) instanceof Pieces.Data d) || !d.name().equals(tensor.name())) {
                throw new IllegalStateException(destination + ": data of '" + tensor.name() + "' fed out of order");
            }
            main.write(chunk);
        }
    }

    @Override
    protected void endTensor(TensorInfo tensor) {
        if (!external && placed.contains(tensor.name())) {
            cursor++;
            advance();
        }
    }

    @Override
    protected void commit() {
        if (external) {
            for (Pieces.Piece p : pieces) writePiece(p);
        } else {
            advance();
            if (cursor != pieces.size()) throw new IllegalStateException(destination + ": tensor data missing");
        }
        files.commit();
    }

    @Override
    protected void discard() {
        files.discard();
    }
}
