package dev.tensorfile.onnx;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.WireReader;
import dev.tensorfile.onnx.initializers.InitializerProbe;
import dev.tensorfile.onnx.initializers.SparseTensorProto;
import dev.tensorfile.onnx.initializers.TensorProto;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@code GraphProto}, indexed: name, nodes (with their subgraphs), initializers and sparse initializers.
 * Tensor data is not touched: initializers are {@link TensorProto} indexes over the mapping. Inputs and outputs
 * are parsed when first asked for: listing tensors never needs them, and a weights-only model declares one output
 * per initializer.
 */
final class GraphProto {
    private final String name;
    private final long offset;
    private final List<NodeProto> nodes;
    private final List<TensorProto> initializers;
    private final List<SparseTensorProto> sparseInitializers;
    private final ByteCursor cursor;
    private final int depth;
    private final ReadLimits limits;
    private final WireReader.Fetch fetch;
    private List<ValueInfoProto> inputs;
    private List<ValueInfoProto> outputs;

    private GraphProto(String name, long offset, List<NodeProto> nodes, List<TensorProto> initializers,
            List<SparseTensorProto> sparseInitializers, ByteCursor cursor, int depth, ReadLimits limits,
            WireReader.Fetch fetch) {
        this.name = name;
        this.offset = offset;
        this.nodes = nodes;
        this.initializers = initializers;
        this.sparseInitializers = sparseInitializers;
        this.cursor = cursor;
        this.depth = depth;
        this.limits = limits;
        this.fetch = fetch;
    }

    static GraphProto parse(WireReader r, ReadLimits limits) {
        return parse(r, limits, null);
    }

    /**
     * @param probe reads the headers of initializers that follow a long field by positional reads (null: all
     *     through the mapping)
     */
    static GraphProto parse(WireReader r, ReadLimits limits, InitializerProbe probe) {
        ByteCursor c = r.cursor();
        long start = c.position();
        long offset = c.absolutePosition();
        String where = c.structure();
        String node = where + " node", initializer = where + " initializer", sparseInitializer = where + " sparse_initializer";
        String name = "";
        List<NodeProto> nodes = new ArrayList<>();
        List<TensorProto> initializers = new ArrayList<>();
        List<SparseTensorProto> sparse = new ArrayList<>();
        long jumped = 0; // bytes the last field spanned
        while (true) {
            long before = c.position();
            if (probe != null && jumped >= InitializerProbe.MIN_JUMP) {
                TensorProto t = probe.initializer(c);
                if (t != null) {
                    initializers.add(t);
                    jumped = c.position() - before;
                    continue;
                }
            }
            if (!r.next()) break;
            switch (r.field()) {
                case 1 -> nodes.add(NodeProto.parse(r.message("node", node, nodes.size()), limits));
                case 2 -> name = r.string("name", limits.maxStringBytes());
                case 5 -> initializers.add(TensorProto.parse(
                        r.message("initializer", initializer, initializers.size()), limits));
                case 15 -> sparse.add(SparseTensorProto.parse(
                        r.message("sparse_initializer", sparseInitializer, sparse.size()), limits));
                default -> r.skip();
            }
            jumped = c.position() - before;
        }
        c.seek(start);
        return new GraphProto(name, offset, nodes, initializers, sparse, c, r.depth(), limits, r.fetch());
    }

    String name() { return name; }

    /** The file offset of the graph message's first byte. */
    long offset() { return offset; }

    List<NodeProto> nodes() { return nodes; }

    List<TensorProto> initializers() { return initializers; }

    List<SparseTensorProto> sparseInitializers() { return sparseInitializers; }

    /** The graph's inputs (field 11), parsed on first use. */
    synchronized List<ValueInfoProto> inputs() {
        if (inputs == null) valueInfos();
        return inputs;
    }

    /** The graph's outputs (field 12), parsed on first use. */
    synchronized List<ValueInfoProto> outputs() {
        if (outputs == null) valueInfos();
        return outputs;
    }

    private void valueInfos() {
        List<ValueInfoProto> in = new ArrayList<>();
        List<ValueInfoProto> out = new ArrayList<>();
        long start = cursor.position();
        WireReader r = new WireReader(cursor, depth, limits.maxNestingDepth(), fetch);
        String where = cursor.structure();
        try {
            while (r.next()) {
                switch (r.field()) {
                    case 11 -> in.add(ValueInfoProto.parse(r.message("input", where + " input"), limits));
                    case 12 -> out.add(ValueInfoProto.parse(r.message("output", where + " output"), limits));
                    default -> r.skip();
                }
            }
        } finally {
            cursor.seek(start);
        }
        inputs = List.copyOf(in);
        outputs = List.copyOf(out);
    }
}
