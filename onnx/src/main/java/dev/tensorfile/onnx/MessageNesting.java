package dev.tensorfile.onnx;

import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.WireReader;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The nesting of every message of a model, checked against protobuf's default recursion limit, 100, which
 * {@code onnx.load} parses with: a message nested 100 deep (ModelProto is 0) parses, one nested 101 deep makes the
 * whole model fail with "Error parsing message" (measured with python3-onnx 1.12 on protobuf 3.21's C++ parser;
 * {@code gen/nesting/make_nesting.py}). Opening a model reads only what listing tensors needs and skips the rest
 * (a graph input's {@code TypeProto}, unused attributes) without looking inside; {@code verify} walks it all.
 *
 * <p>The walk follows onnx.in.proto's schema, field by field, with an explicit stack rather than recursion: a
 * {@code TypeProto} can nest itself ({@code sequence_type}, {@code map_type}, {@code optional_type}) as deep as the
 * file's bytes allow, and a graph holds nodes whose attributes hold graphs. A field of another wire type than the
 * schema's, or a field the schema does not know, is skipped, as protobuf keeps such fields as unknown ones.
 */
final class MessageNesting {
    /** protobuf's default recursion limit (io.CodedInputStream / upb / python, all 100). */
    static final int PROTOBUF_RECURSION_LIMIT = 100;

    private MessageNesting() {}

    /** The messages of onnx.in.proto (and the multi-device ones of IR 11) and which of their fields hold messages. */
    enum Message {
        MODEL("ModelProto"), GRAPH("GraphProto"), NODE("NodeProto"), ATTRIBUTE("AttributeProto"),
        TENSOR("TensorProto"), SPARSE_TENSOR("SparseTensorProto"), VALUE_INFO("ValueInfoProto"), TYPE("TypeProto"),
        TYPE_TENSOR("TypeProto.Tensor"), TYPE_SEQUENCE("TypeProto.Sequence"), TYPE_MAP("TypeProto.Map"),
        TYPE_OPTIONAL("TypeProto.Optional"), TYPE_SPARSE_TENSOR("TypeProto.SparseTensor"),
        TENSOR_SHAPE("TensorShapeProto"), TRAINING_INFO("TrainingInfoProto"), FUNCTION("FunctionProto"),
        TENSOR_ANNOTATION("TensorAnnotation"), NODE_DEVICE_CONFIGURATION("NodeDeviceConfigurationProto"),
        SHARDING_SPEC("ShardingSpecProto"), SHARDED_DIM("ShardedDimProto"),
        /** Messages without message fields: OperatorSetIdProto, StringStringEntryProto, Dimension, Opaque, ... */
        LEAF("message");

        final String protoName;

        Message(String protoName) { this.protoName = protoName; }

        /** The message type field {@code field} holds, or null when it holds none. */
        Message child(int field) {
            return switch (this) {
                case MODEL -> switch (field) {
                    case 7 -> GRAPH;
                    case 8, 14, 26 -> LEAF; // opset_import, metadata_props, configuration
                    case 20 -> TRAINING_INFO;
                    case 25 -> FUNCTION;
                    default -> null;
                };
                case GRAPH -> switch (field) {
                    case 1 -> NODE;
                    case 5 -> TENSOR;
                    case 15 -> SPARSE_TENSOR;
                    case 11, 12, 13 -> VALUE_INFO;
                    case 14 -> TENSOR_ANNOTATION;
                    case 16 -> LEAF;
                    default -> null;
                };
                case NODE -> switch (field) {
                    case 5 -> ATTRIBUTE;
                    case 9 -> LEAF;
                    case 10 -> NODE_DEVICE_CONFIGURATION;
                    default -> null;
                };
                case ATTRIBUTE -> switch (field) {
                    case 5, 10 -> TENSOR;       // t, tensors
                    case 6, 11 -> GRAPH;        // g, graphs
                    case 22, 23 -> SPARSE_TENSOR;
                    case 14, 15 -> TYPE;        // tp, type_protos
                    default -> null;
                };
                case TENSOR -> field == 3 || field == 13 || field == 16 ? LEAF : null; // segment, external_data, metadata_props
                case SPARSE_TENSOR -> field == 1 || field == 2 ? TENSOR : null;
                case VALUE_INFO -> field == 2 ? TYPE : field == 4 ? LEAF : null;
                case TYPE -> switch (field) {
                    case 1 -> TYPE_TENSOR;
                    case 4 -> TYPE_SEQUENCE;
                    case 5 -> TYPE_MAP;
                    case 7 -> LEAF;             // opaque_type
                    case 8 -> TYPE_SPARSE_TENSOR;
                    case 9 -> TYPE_OPTIONAL;
                    default -> null;
                };
                case TYPE_TENSOR, TYPE_SPARSE_TENSOR -> field == 2 ? TENSOR_SHAPE : null;
                case TYPE_SEQUENCE, TYPE_OPTIONAL -> field == 1 ? TYPE : null;
                case TYPE_MAP -> field == 2 ? TYPE : null;
                case TENSOR_SHAPE -> field == 1 ? LEAF : null; // dim
                case TRAINING_INFO -> field == 1 || field == 2 ? GRAPH : field == 3 || field == 4 ? LEAF : null;
                case FUNCTION -> switch (field) {
                    case 7 -> NODE;
                    case 11 -> ATTRIBUTE;
                    case 12 -> VALUE_INFO;
                    case 9, 14 -> LEAF;
                    default -> null;
                };
                case TENSOR_ANNOTATION -> field == 2 ? LEAF : null;
                case NODE_DEVICE_CONFIGURATION -> field == 2 ? SHARDING_SPEC : null;
                case SHARDING_SPEC -> field == 3 ? LEAF : field == 4 ? SHARDED_DIM : null;
                case SHARDED_DIM -> field == 2 ? LEAF : null;
                case LEAF -> null;
            };
        }
    }

    /**
     * Walks every message of the model {@code c} covers (positioned at its start).
     *
     * @param limit the deepest nesting accepted (ModelProto is 0)
     * @param fetch makes each range present before it is read (a remote model); null for a local one
     * @throws dev.tensorfile.core.MalformedFileException at the field whose message would nest deeper, or at any
     *     field the wire format rejects
     */
    static void check(ByteCursor c, int limit, WireReader.Fetch fetch) {
        Deque<WireReader> readers = new ArrayDeque<>();
        Deque<Message> types = new ArrayDeque<>();
        readers.push(new WireReader(c.structure(Message.MODEL.protoName), 0, limit, fetch));
        types.push(Message.MODEL);
        while (!readers.isEmpty()) {
            WireReader r = readers.peek();
            Message type = types.peek();
            if (!r.next()) {
                readers.pop();
                types.pop();
                continue;
            }
            Message child = type.child(r.field());
            if (child == null || r.wireType() != WireReader.LEN) {
                r.skip();
                continue;
            }
            int depth = r.depth() + 1;
            if (depth > limit) {
                throw r.failField("field " + r.field() + " holds a " + child.protoName + " nested " + depth
                        + " messages deep (ModelProto is 0); protobuf, which onnx.load parses with, stops at " + limit);
            }
            readers.push(r.message(child.protoName, child.protoName));
            types.push(child);
        }
    }
}
