package dev.tensorfile.onnx;

import dev.tensorfile.core.ReadLimits;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@code GraphProto}, indexed: name, nodes (with their subgraphs), initializers, sparse initializers, inputs
 * and outputs. Tensor data is not touched: initializers are {@link TensorProto} indexes over the mapping.
 *
 * @param offset the file offset of the graph message's first byte
 */
record GraphProto(String name, long offset, List<NodeProto> nodes, List<TensorProto> initializers,
        List<SparseTensorProto> sparseInitializers, List<ValueInfoProto> inputs, List<ValueInfoProto> outputs) {

    static GraphProto parse(WireReader r, ReadLimits limits) {
        long offset = r.cursor().absolutePosition();
        String where = r.cursor().structure();
        String name = "";
        List<NodeProto> nodes = new ArrayList<>();
        List<TensorProto> initializers = new ArrayList<>();
        List<SparseTensorProto> sparse = new ArrayList<>();
        List<ValueInfoProto> inputs = new ArrayList<>();
        List<ValueInfoProto> outputs = new ArrayList<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> nodes.add(NodeProto.parse(r.message("node", where + " node #" + nodes.size()), limits));
                case 2 -> name = r.string("name", limits.maxStringBytes());
                case 5 -> initializers.add(TensorProto.parse(
                        r.message("initializer", where + " initializer #" + initializers.size()), limits));
                case 15 -> sparse.add(SparseTensorProto.parse(
                        r.message("sparse_initializer", where + " sparse_initializer #" + sparse.size()), limits));
                case 11 -> inputs.add(ValueInfoProto.parse(r.message("input", where + " input"), limits));
                case 12 -> outputs.add(ValueInfoProto.parse(r.message("output", where + " output"), limits));
                default -> r.skip();
            }
        }
        return new GraphProto(name, offset, nodes, initializers, sparse, inputs, outputs);
    }
}
