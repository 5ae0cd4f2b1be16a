package dev.tensorfile.onnx;

import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataStrings;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.ValueType;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.WireReader;
import dev.tensorfile.onnx.initializers.InitializerProbe;
import dev.tensorfile.onnx.initializers.TensorProto;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The top level of an ONNX file ({@code ModelProto}, onnx.in.proto): its scalar fields, opset imports,
 * {@code metadata_props} and model-local function names, read in one pass that skips the graph's bytes (field 7
 * is located, not parsed: {@link #graph()} indexes it when asked).
 */
final class ModelProto {
    /** One {@code OperatorSetIdProto}. */
    record OpsetId(String domain, long version) {}

    static final int IR_VERSION = 1, PRODUCER_NAME = 2, PRODUCER_VERSION = 3, DOMAIN = 4, MODEL_VERSION = 5,
            DOC_STRING = 6, GRAPH = 7, OPSET_IMPORT = 8, METADATA_PROPS = 14, FUNCTIONS = 25;

    Long irVersion;
    String producerName;
    String producerVersion;
    String domain;
    Long modelVersion;
    String docString;
    final List<OpsetId> opsets = new ArrayList<>();
    final List<TensorProto.Entry> metadataProps = new ArrayList<>();
    final List<String> functions = new ArrayList<>();
    int trainingInfos;
    /** The graph message's bytes and file offset, or null when the model has none. */
    MemorySegment graphBytes;
    long graphOffset;
    private final java.nio.file.Path file;
    private final ReadLimits limits;
    private final InitializerProbe probe;
    /** What fetches a remote model's structure before it is read; null for a local model. */
    private final WireReader.Fetch fetch;
    private GraphProto graph;

    private ModelProto(java.nio.file.Path file, ReadLimits limits, InitializerProbe probe, WireReader.Fetch fetch) {
        this.file = file;
        this.limits = limits;
        this.probe = probe;
        this.fetch = fetch;
    }

    /** Reads the top-level fields of the model that {@code c} covers. */
    static ModelProto parse(ByteCursor c, java.nio.file.Path file, ReadLimits limits) {
        return parse(c, file, limits, null, null);
    }

    /** Reads the top-level fields of the local model that {@code c} covers, initializer headers through {@code probe}. */
    static ModelProto parse(ByteCursor c, java.nio.file.Path file, ReadLimits limits, InitializerProbe probe) {
        return parse(c, file, limits, probe, null);
    }

    /**
     * Reads the top-level fields of the model that {@code c} covers.
     *
     * @param probe reads initializer headers of the main graph by positional reads (null: through the mapping)
     * @param fetch makes each range present before it is read (a remote model's cache; null for a local model)
     */
    static ModelProto parse(ByteCursor c, java.nio.file.Path file, ReadLimits limits, InitializerProbe probe,
            WireReader.Fetch fetch) {
        ModelProto m = new ModelProto(file, limits, probe, fetch);
        WireReader r = new WireReader(c.structure("ModelProto"), 0, limits.maxNestingDepth(), fetch);
        while (r.next()) {
            switch (r.field()) {
                case IR_VERSION -> m.irVersion = r.int64("ir_version");
                case PRODUCER_NAME -> m.producerName = r.string("producer_name", limits.maxStringBytes());
                case PRODUCER_VERSION -> m.producerVersion = r.string("producer_version", limits.maxStringBytes());
                case DOMAIN -> m.domain = r.string("domain", limits.maxStringBytes());
                case MODEL_VERSION -> m.modelVersion = r.int64("model_version");
                case DOC_STRING -> m.docString = r.string("doc_string", limits.maxStringBytes());
                case GRAPH -> {
                    long n = r.length("graph");
                    m.graphOffset = c.absolutePosition();
                    m.graphBytes = c.slice(n);
                    m.graph = null;
                }
                case OPSET_IMPORT -> {
                    WireReader o = r.message("opset_import", "ModelProto opset_import #" + m.opsets.size());
                    String domain = "";
                    long version = 0;
                    while (o.next()) {
                        switch (o.field()) {
                            case 1 -> domain = o.string("domain", limits.maxStringBytes());
                            case 2 -> version = o.int64("version");
                            default -> o.skip();
                        }
                    }
                    m.opsets.add(new OpsetId(domain, version));
                    c.structure("ModelProto");
                }
                case METADATA_PROPS -> {
                    m.metadataProps.add(TensorProto.entry(r.message("metadata_props", "ModelProto metadata_props"), limits));
                    c.structure("ModelProto");
                }
                case FUNCTIONS -> {
                    WireReader f = r.message("functions", "ModelProto function #" + m.functions.size());
                    String name = "";
                    String domain = "";
                    while (f.next()) {
                        switch (f.field()) {
                            case 1 -> name = f.string("name", limits.maxStringBytes());
                            case 10 -> domain = f.string("domain", limits.maxStringBytes());
                            default -> f.skip();
                        }
                    }
                    m.functions.add(domain.isEmpty() ? name : domain + "." + name);
                    c.structure("ModelProto");
                }
                case 20 -> {
                    m.trainingInfos++;
                    r.skip();
                }
                default -> r.skip();
            }
        }
        if (m.irVersion == null) throw c.failAt(0, "ModelProto has no ir_version (field 1), which onnx requires");
        return m;
    }

    /** The main graph, indexed on first use (null if the model has none). */
    synchronized GraphProto graph() {
        if (graph == null && graphBytes != null) {
            ByteCursor g = new ByteCursor(graphBytes, graphOffset, "onnx", file).structure("graph");
            graph = GraphProto.parse(new WireReader(g, 1, limits.maxNestingDepth(), fetch), limits, probe);
        }
        return graph;
    }

    /**
     * The model's fields as DESIGN.md's mapping table names them, then metadata_props: strings, except values that
     * our writer typed with {@link MetadataStrings} (a model from another tool has no such key: all strings).
     */
    Metadata metadata() {
        Metadata.Builder b = Metadata.builder();
        b.put("onnx.ir_version", new MetadataValue.Int(ValueType.I64, irVersion));
        if (producerName != null) b.put("onnx.producer_name", producerName);
        if (producerVersion != null) b.put("onnx.producer_version", producerVersion);
        if (domain != null) b.put("onnx.domain", domain);
        if (modelVersion != null) b.put("onnx.model_version", new MetadataValue.Int(ValueType.I64, modelVersion));
        if (docString != null) b.put("onnx.doc_string", docString);
        for (OpsetId o : opsets) {
            String d = o.domain().isEmpty() ? "ai.onnx" : o.domain();
            b.put("onnx.opset." + d, new MetadataValue.Int(ValueType.I64, o.version()));
        }
        Map<String, String> props = new LinkedHashMap<>();
        for (TensorProto.Entry e : metadataProps) props.put(e.key(), e.value());
        b.putAll(MetadataStrings.decode(props));
        return b.build();
    }
}
