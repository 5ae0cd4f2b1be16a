package dev.tensorfile.onnx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A model's structure for people ({@code TensorFile.details()}): IR version, opsets, producer, functions, the main
 * graph's inputs and outputs with their types, node counts by operator over every graph, sparse initializers, and
 * the Constant values per graph.
 */
final class GraphSummary {
    private GraphSummary() {}

    /** The lines {@code inspect} prints for {@code model}, after its metadata. */
    static List<String> lines(ModelProto model) {
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
            lines.add("Constant-node tensors (" + OnnxFile.CONSTANTS_KEY + "): " + total + " (" + String.join(", ", where) + ")");
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
}
