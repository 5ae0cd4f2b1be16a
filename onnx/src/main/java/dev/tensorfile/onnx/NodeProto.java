package dev.tensorfile.onnx;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.WireReader;
import dev.tensorfile.onnx.initializers.ConstantNode;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@code NodeProto}: op type, name, domain, inputs, outputs, attribute names, the graphs its attributes
 * hold ({@code If}/{@code Loop}/{@code Scan} bodies: AttributeProto fields 6 {@code g} and 11 {@code graphs}), and
 * for a {@code Constant} of the default domain its value.
 *
 * @param constant the value of a Constant node, null for any other node
 */
record NodeProto(String name, String opType, String domain, List<String> inputs, List<String> outputs,
        List<String> attributes, List<GraphProto> subgraphs, ConstantNode constant) {

    static NodeProto parse(WireReader r, ReadLimits limits) {
        String name = "";
        String opType = "";
        String domain = "";
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        List<String> attributes = new ArrayList<>();
        List<GraphProto> subgraphs = List.of();
        // attributes that would hold a Constant's value: op_type may come after them, so they are kept as views
        List<ConstantNode.Candidate> candidates = List.of();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> inputs.add(r.string("input", limits.maxStringBytes()));
                case 2 -> outputs.add(r.string("output", limits.maxStringBytes()));
                case 3 -> name = r.string("name", limits.maxStringBytes());
                case 4 -> opType = r.string("op_type", limits.maxStringBytes());
                case 7 -> domain = r.string("domain", limits.maxStringBytes());
                case 5 -> {
                    String where = r.cursor().structure();
                    WireReader a = r.message("attribute", where + " attribute #" + attributes.size());
                    String attribute = "";
                    while (a.next()) {
                        switch (a.field()) {
                            case 1 -> attribute = a.string("name", limits.maxStringBytes());
                            case 6, 11 -> {
                                if (subgraphs.isEmpty()) subgraphs = new ArrayList<>();
                                String label = where + " attribute '" + attribute + "' graph";
                                subgraphs.add(GraphProto.parse(a.message(a.field() == 6 ? "g" : "graphs", label), limits));
                            }
                            default -> a.skip();
                        }
                    }
                    attributes.add(attribute);
                    ConstantNode.Kind kind = ConstantNode.Kind.of(attribute);
                    if (kind != null) {
                        if (candidates.isEmpty()) candidates = new ArrayList<>();
                        candidates.add(new ConstantNode.Candidate(kind, a));
                    }
                }
                default -> r.skip();
            }
        }
        ConstantNode constant = null;
        if (opType.equals("Constant") && (domain.isEmpty() || domain.equals("ai.onnx"))) {
            constant = ConstantNode.parse(name, outputs, candidates, r.cursor(), limits);
        }
        return new NodeProto(name, opType, domain, inputs, outputs, attributes, subgraphs, constant);
    }
}
