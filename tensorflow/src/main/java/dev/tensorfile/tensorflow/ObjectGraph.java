package dev.tensorfile.tensorflow;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.ByteCursor;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The {@code TrackableObjectGraph} a TF2 checkpoint saves under the key {@code _CHECKPOINTABLE_OBJECT_GRAPH}
 * ({@code tensorflow/core/protobuf/trackable_object_graph.proto}): the objects (model, layers, optimizer) and, for
 * each saved tensor, its checkpoint key, the variable's own name and the object-graph path that leads to it.
 */
final class ObjectGraph {
    /** The key TF2 checkpoints store the graph under. */
    static final String KEY = "_CHECKPOINTABLE_OBJECT_GRAPH";

    /**
     * One saved tensor of an object.
     *
     * @param checkpointKey the bundle key ({@code layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE})
     * @param fullName the variable's name in the program ({@code dense/kernel})
     * @param path the object-graph path from the root ({@code layer_with_weights-0/kernel})
     */
    record Variable(String checkpointKey, String fullName, String path) {}

    private ObjectGraph() {}

    /** Every attribute of every object reachable from the root, in breadth-first order. */
    static List<Variable> read(MemorySegment proto, long fileOffset, Path file, ReadLimits limits) {
        ByteCursor c = new ByteCursor(proto, fileOffset, TensorFlowFile.FORMAT, file).structure("TrackableObjectGraph");
        List<ProtoMessage> nodes = new ProtoMessage.Wire(c, file, 0, limits).messages(1, "nodes");
        String[] paths = new String[nodes.size()];
        List<Variable> out = new ArrayList<>();
        if (nodes.isEmpty()) return out;
        Deque<Integer> queue = new ArrayDeque<>();
        paths[0] = "";
        queue.add(0);
        while (!queue.isEmpty()) {
            int id = queue.removeFirst();
            ProtoMessage node = nodes.get(id);
            for (ProtoMessage a : node.messages(2, "attributes")) {
                out.add(new Variable(a.string(3, "checkpoint_key"), a.string(2, "full_name"), paths[id]));
            }
            for (ProtoMessage child : node.messages(1, "children")) {
                long to = child.int64(1, "node_id");
                if (to < 0 || to >= nodes.size() || paths[(int) to] != null) continue; // shared or cyclic: named once
                String name = child.string(2, "local_name");
                paths[(int) to] = paths[id].isEmpty() ? name : paths[id] + "/" + name;
                queue.add((int) to);
            }
        }
        return out;
    }
}
