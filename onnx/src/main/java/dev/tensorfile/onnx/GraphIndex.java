package dev.tensorfile.onnx;

import dev.tensorfile.core.Tensor;
import dev.tensorfile.onnx.initializers.ConstantNode;
import dev.tensorfile.onnx.initializers.InitializerTensors;
import dev.tensorfile.onnx.initializers.SparseTensorProto;
import dev.tensorfile.onnx.initializers.TensorProto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which tensors a model holds, in which order, under which names: for each graph, its initializers, its sparse
 * initializers and the values of its Constant nodes (node order), then its subgraphs (attributes {@code g}/{@code
 * graphs} of its nodes, depth first in node order). An initializer is named by its TensorProto name, a Constant's
 * value by the node's output; a name already taken by an earlier tensor gets {@code #2}, {@code #3}, ... appended.
 */
final class GraphIndex {
    private GraphIndex() {}

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

    /** The tensors of {@code graph} and its subgraphs (none when the model has no graph). */
    static List<Entry> index(GraphProto graph, InitializerTensors tensors) {
        List<Entry> out = new ArrayList<>();
        if (graph != null) index(graph, tensors, out, new HashMap<>());
        return List.copyOf(out);
    }

    private static void index(GraphProto g, InitializerTensors tensors, List<Entry> out, Map<String, Integer> seen) {
        for (TensorProto t : g.initializers()) {
            out.add(new Entry(tensors.tensor(unique(t.name, seen), t), t, null, null));
        }
        for (SparseTensorProto s : g.sparseInitializers()) {
            String label = "sparse initializer '" + s.values().name + "'";
            out.add(new Entry(tensors.sparse(unique(s.values().name, seen), s, label), s.values(), s, null));
        }
        for (NodeProto n : g.nodes()) {
            ConstantNode c = n.constant();
            if (c != null) out.add(new Entry(tensors.constant(unique(c.output, seen), c), c.tensor, c.sparse, c));
        }
        for (NodeProto n : g.nodes()) {
            for (GraphProto sub : n.subgraphs()) index(sub, tensors, out, seen);
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
}
