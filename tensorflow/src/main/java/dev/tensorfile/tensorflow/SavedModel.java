package dev.tensorfile.tensorflow;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.MappedFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@code saved_model.pb} (or {@code .pbtxt}) says, as {@code tensorflow/core/protobuf/saved_model.proto} and
 * {@code meta_graph.proto} define it: per MetaGraphDef its tags, TensorFlow version, signatures (inputs and outputs
 * with dtype and shape), assets, and the graph's operators (to find Python-function ops). Read whole at open and
 * kept as these small records; the file is unmapped afterwards.
 *
 * @param file the file read
 * @param schemaVersion {@code saved_model_schema_version}
 * @param metaGraphs every {@code meta_graphs} entry, in file order
 */
record SavedModel(Path file, long schemaVersion, List<MetaGraph> metaGraphs) {
    /** Ops that call back into the Python process that built the graph: their code is not in the file. */
    static final List<String> PYTHON_OPS = List.of("PyFunc", "PyFuncStateless", "EagerPyFunc");

    /**
     * One MetaGraphDef.
     *
     * @param pythonOps nodes whose op is one of {@link #PYTHON_OPS}
     * @param nodes nodes of the graph, functions' bodies included
     * @param functions functions of the graph's library
     */
    record MetaGraph(List<String> tags, String tensorflowVersion, String gitVersion, List<Signature> signatures,
            List<String> assets, List<PythonOp> pythonOps, long nodes, long functions) {}

    /** A {@code SignatureDef} under its key. */
    record Signature(String key, String methodName, List<TensorSpec> inputs, List<TensorSpec> outputs) {}

    /**
     * A signature's {@code TensorInfo} under its key.
     *
     * @param tensor the graph tensor's name ({@code x:0}), or the encoding when it is sparse or composite
     * @param shape the dims, -1 where unknown; null for an unknown rank
     */
    record TensorSpec(String key, String tensor, String dtype, long[] shape) {
        /** {@code x: DT_FLOAT [-1, 1] (x:0)}. */
        String describe() {
            String s = shape == null ? "unknown rank" : java.util.Arrays.toString(shape);
            return key + ": " + (dtype.isEmpty() ? "DT_INVALID" : dtype) + " " + s + (tensor.isEmpty() ? "" : " (" + tensor + ")");
        }
    }

    /** A node running Python: where it is ({@code graph} or the function's name), its name, op and byte offset (-1 in text). */
    record PythonOp(String where, String node, String op, long offset) {}

    /** Reads {@code dir/saved_model.pb}, or {@code dir/saved_model.pbtxt} when there is no .pb; null if neither exists. */
    static SavedModel read(Path dir, ReadLimits limits) {
        Path pb = dir.resolve(Layout.SAVED_MODEL_PB);
        boolean text = !Files.isRegularFile(pb);
        Path file = text ? dir.resolve(Layout.SAVED_MODEL_PBTXT) : pb;
        if (!Files.isRegularFile(file)) return null;
        try (MappedFile mapped = MappedFile.open(file, TensorFlowFile.FORMAT)) {
            return read(mapped, text, limits);
        }
    }

    /** Reads a mapped {@code saved_model.pb}, or {@code .pbtxt} when {@code text}. */
    static SavedModel read(MappedFile mapped, boolean text, ReadLimits limits) {
        Path file = mapped.path();
        {
            if (mapped.size() > limits.maxHeaderBytes() && text) {
                throw new dev.tensorfile.core.MalformedFileException(TensorFlowFile.FORMAT, file, "text-format SavedModel", -1,
                        mapped.size() + " bytes exceed the " + limits.maxHeaderBytes() + " a header may have");
            }
            ProtoMessage root = text ? TextFormat.parse(mapped.segment(), file, limits)
                    : new ProtoMessage.Wire(ByteCursor.of(mapped, TensorFlowFile.FORMAT).structure("SavedModel"), file, 0, limits);
            List<MetaGraph> graphs = new ArrayList<>();
            for (ProtoMessage m : root.messages(2, "meta_graphs")) graphs.add(metaGraph(m));
            return new SavedModel(file, root.int64(1, "saved_model_schema_version"), graphs);
        }
    }

    private static MetaGraph metaGraph(ProtoMessage m) {
        ProtoMessage info = m.message(1, "meta_info_def");
        List<String> tags = info == null ? List.of() : info.strings(4, "tags");
        String version = info == null ? "" : info.string(5, "tensorflow_version");
        String git = info == null ? "" : info.string(6, "tensorflow_git_version");
        List<Signature> signatures = new ArrayList<>();
        for (ProtoMessage e : m.messages(5, "signature_def")) {
            ProtoMessage def = e.message(2, "value");
            if (def == null) {
                signatures.add(new Signature(e.string(1, "key"), "", List.of(), List.of()));
                continue;
            }
            signatures.add(new Signature(e.string(1, "key"), def.string(3, "method_name"), specs(def.messages(1, "inputs")),
                    specs(def.messages(2, "outputs"))));
        }
        List<String> assets = new ArrayList<>();
        for (ProtoMessage a : m.messages(6, "asset_file_def")) assets.add(a.string(2, "filename"));
        // TF1's SavedModelBuilder kept them in the collection "saved_model_assets": an any_list of AssetFileDef.
        for (ProtoMessage c : m.messages(4, "collection_def")) {
            if (!c.string(1, "key").equals("saved_model_assets")) continue;
            ProtoMessage def = c.message(2, "value");
            ProtoMessage list = def == null ? null : def.message(5, "any_list");
            if (list == null) continue;
            for (ProtoMessage any : list.messages(1, "value")) {
                List<ProtoMessage> values = new ArrayList<>(any.messages(2, "value"));
                values.addAll(any.messages(-1, "[type.googleapis.com/tensorflow.AssetFileDef]"));
                for (ProtoMessage a : values) assets.add(a.string(2, "filename"));
            }
        }
        List<PythonOp> python = new ArrayList<>();
        long[] counts = new long[2];
        ProtoMessage graph = m.message(2, "graph_def");
        if (graph != null) {
            nodes(graph.messages(1, "node"), "graph", python, counts);
            ProtoMessage library = graph.message(2, "library");
            if (library != null) {
                for (ProtoMessage f : library.messages(1, "function")) {
                    counts[1]++;
                    ProtoMessage signature = f.message(1, "signature");
                    String name = signature == null ? "" : signature.string(1, "name");
                    nodes(f.messages(3, "node_def"), "function " + name, python, counts);
                }
            }
        }
        return new MetaGraph(tags, version, git, signatures, assets, python, counts[0], counts[1]);
    }

    private static void nodes(List<ProtoMessage> nodes, String where, List<PythonOp> python, long[] counts) {
        for (ProtoMessage n : nodes) {
            counts[0]++;
            String op = n.string(2, "op");
            if (PYTHON_OPS.contains(op)) python.add(new PythonOp(where, n.string(1, "name"), op, n.offset()));
        }
    }

    private static List<TensorSpec> specs(List<ProtoMessage> entries) {
        List<TensorSpec> out = new ArrayList<>();
        for (ProtoMessage e : entries) {
            ProtoMessage t = e.message(2, "value");
            if (t == null) {
                out.add(new TensorSpec(e.string(1, "key"), "", "", null));
                continue;
            }
            String tensor = t.string(1, "name");
            if (tensor.isEmpty() && t.message(4, "coo_sparse") != null) tensor = "sparse";
            if (tensor.isEmpty() && t.message(5, "composite_tensor") != null) tensor = "composite";
            out.add(new TensorSpec(e.string(1, "key"), tensor, t.enumName(2, "dtype", DataType::name), shape(t.message(3, "tensor_shape"))));
        }
        return out;
    }

    /** A {@code TensorShapeProto} of a signature: -1 for an unknown dim, null for an unknown rank (or none given). */
    private static long[] shape(ProtoMessage s) {
        if (s == null || s.int64(3, "unknown_rank") != 0) return null;
        List<ProtoMessage> dims = s.messages(2, "dim");
        long[] out = new long[dims.size()];
        for (int i = 0; i < out.length; i++) out[i] = dims.get(i).int64(1, "size");
        return out;
    }
}
