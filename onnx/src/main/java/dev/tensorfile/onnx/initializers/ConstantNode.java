package dev.tensorfile.onnx.initializers;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.WireReader;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The value of a {@code Constant} node of the default domain (onnx {@code docs/Operators.md}, Constant): exactly
 * one of its attributes {@code value} (a TensorProto), {@code sparse_value}, {@code value_float},
 * {@code value_floats}, {@code value_int}, {@code value_ints}, {@code value_string} or {@code value_strings},
 * indexed without touching the data. Exporters such as paddle2onnx and {@code torch.onnx.export} of a frozen
 * TorchScript module keep every weight this way, in the main graph and in {@code If}/{@code Loop} bodies.
 *
 * <p>The AttributeProto fields (onnx.in.proto): 1 name, 2 f (fixed32), 3 i (varint), 4 s, 5 t, 7 floats, 8 ints,
 * 9 strings, 21 ref_attr_name, 22 sparse_tensor. A singular field given twice, which protobuf would merge or
 * overwrite and onnx never writes, is refused rather than guessed at.
 */
public final class ConstantNode {
    /** Which attribute holds the value, and the AttributeProto field that carries it. */
    public enum Kind {
        VALUE("value", 5), SPARSE_VALUE("sparse_value", 22), VALUE_FLOAT("value_float", 2),
        VALUE_FLOATS("value_floats", 7), VALUE_INT("value_int", 3), VALUE_INTS("value_ints", 8),
        VALUE_STRING("value_string", 4), VALUE_STRINGS("value_strings", 9);

        final String attribute;
        final int field;

        Kind(String attribute, int field) {
            this.attribute = attribute;
            this.field = field;
        }

        /** The kind named by an attribute of a Constant node, or null for any other name. */
        public static Kind of(String attribute) {
            for (Kind k : values()) if (k.attribute.equals(attribute)) return k;
            return null;
        }

        /** The AttributeProto field's name, as onnx.in.proto names it. */
        String fieldName() {
            return switch (this) {
                case VALUE -> "t";
                case SPARSE_VALUE -> "sparse_tensor";
                case VALUE_FLOAT -> "f";
                case VALUE_FLOATS -> "floats";
                case VALUE_INT -> "i";
                case VALUE_INTS -> "ints";
                case VALUE_STRING -> "s";
                case VALUE_STRINGS -> "strings";
            };
        }
    }

    /** An attribute of a node whose op type may not be known yet (fields come in any order): re-read if Constant. */
    public record Candidate(Kind kind, WireReader attribute) {}

    /** The node's output, which names the tensor. */
    public final String output;
    /** The node's name ({@code ""} if it has none). */
    final String node;
    final Kind kind;
    /** The AttributeProto's bytes and the file offset of its first byte. */
    final MemorySegment attribute;
    final long attributeOffset;
    /** {@code t} of {@code value}, or null. */
    public final TensorProto tensor;
    /** {@code sparse_tensor} of {@code sparse_value}, or null. */
    public final SparseTensorProto sparse;
    /** {@code f} (4 bytes, little-endian) or {@code s}, as a view, or null when the field is absent (0.0, ""). */
    final MemorySegment scalar;
    /** {@code i} (0 when absent). */
    final long integer;
    /** How many values {@code floats}, {@code ints} or {@code strings} hold, and their bytes in the file. */
    final long entries;
    final long entryBytes;
    /** {@code floats} when it is one packed run: the same bytes as a little-endian float array. Else null. */
    final MemorySegment run;

    private ConstantNode(String output, String node, Kind kind, MemorySegment attribute, long attributeOffset,
            TensorProto tensor, SparseTensorProto sparse, MemorySegment scalar, long integer, long entries,
            long entryBytes, MemorySegment run) {
        this.output = output;
        this.node = node;
        this.kind = kind;
        this.attribute = attribute;
        this.attributeOffset = attributeOffset;
        this.tensor = tensor;
        this.sparse = sparse;
        this.scalar = scalar;
        this.integer = integer;
        this.entries = entries;
        this.entryBytes = entryBytes;
        this.run = run;
    }

    /** How errors and details name this node's value: {@code Constant 'conv1.weight' value}. */
    String label() {
        return "Constant '" + output + "' " + kind.attribute;
    }

    /**
     * The value of a Constant node, from its candidate attributes.
     *
     * @param nodeCursor the node's cursor (errors name the node and its offset)
     */
    public static ConstantNode parse(String name, List<String> outputs, List<Candidate> candidates, ByteCursor nodeCursor,
            ReadLimits limits) {
        String who = "Constant node" + (name.isEmpty() ? "" : " '" + name + "'");
        if (outputs.size() != 1 || outputs.getFirst().isEmpty()) {
            throw nodeCursor.failAt(0, who + " has " + (outputs.size() == 1 ? "an empty output name" : outputs.size()
                    + " outputs") + "; the operator has exactly one output, which names its value");
        }
        if (candidates.size() != 1) {
            throw nodeCursor.failAt(0, who + " has " + (candidates.isEmpty() ? "none" : candidates.size())
                    + " of the attributes value, sparse_value, value_float(s), value_int(s), value_string(s);"
                    + " the operator takes exactly one");
        }
        Candidate a = candidates.getFirst();
        WireReader r = a.attribute().rewind();
        ByteCursor c = r.cursor();
        Kind kind = a.kind();
        String where = c.structure();
        TensorProto tensor = null;
        SparseTensorProto sparse = null;
        MemorySegment scalar = null;
        long integer = 0;
        long entries = 0, entryBytes = 0;
        int occurrences = 0;
        MemorySegment run = null;
        while (r.next()) {
            int f = r.field();
            if (f == 21) {
                throw r.failField(who + ": attribute '" + kind.attribute + "' refers to a function attribute"
                        + " (ref_attr_name), which only a function body may do");
            }
            if (f != kind.field) {
                r.skip();
                continue;
            }
            occurrences++;
            boolean singular = kind != Kind.VALUE_FLOATS && kind != Kind.VALUE_INTS && kind != Kind.VALUE_STRINGS;
            if (singular && occurrences > 1) {
                throw r.failField(who + ": attribute '" + kind.attribute + "' holds field " + kind.fieldName()
                        + " more than once");
            }
            switch (kind) {
                case VALUE -> tensor = TensorProto.parse(r.message("t", where + " t"), limits);
                case SPARSE_VALUE -> sparse = SparseTensorProto.parse(r.message("sparse_tensor", where + " sparse_tensor"), limits);
                case VALUE_FLOAT -> {
                    r.expect(WireReader.I32, "f");
                    scalar = c.slice(4);
                }
                case VALUE_INT -> integer = r.int64("i");
                case VALUE_STRING -> {
                    long n = r.length("s");
                    if (n > limits.maxStringBytes()) {
                        throw r.failField("s of " + n + " bytes is longer than the " + limits.maxStringBytes() + " allowed");
                    }
                    scalar = c.slice(n);
                    entryBytes = n;
                }
                case VALUE_FLOATS -> {
                    if (r.wireType() == WireReader.LEN) {
                        MemorySegment packed = r.dataBytes("floats"); // a float array: read as a tensor, when read
                        if (packed.byteSize() % 4 != 0) {
                            throw r.failField("floats of " + packed.byteSize() + " bytes is not a whole number of 4-byte values");
                        }
                        entries += packed.byteSize() / 4;
                        run = packed;
                    } else {
                        r.expect(WireReader.I32, "floats");
                        c.skip(4);
                        entries++;
                    }
                    entryBytes = entries * 4;
                }
                case VALUE_INTS -> {
                    if (r.wireType() == WireReader.LEN) {
                        MemorySegment packed = r.bytes("ints");
                        if (packed.byteSize() > 0 && packed.get(java.lang.foreign.ValueLayout.JAVA_BYTE, packed.byteSize() - 1) < 0) {
                            throw r.failField("packed ints ends inside a varint");
                        }
                        entries += WireReader.countVarints(packed);
                    } else {
                        r.int64("ints");
                        entries++;
                    }
                    entryBytes = entries * 8;
                }
                case VALUE_STRINGS -> {
                    long n = r.length("strings");
                    if (n > limits.maxStringBytes()) {
                        throw r.failField("strings entry of " + n + " bytes is longer than the " + limits.maxStringBytes() + " allowed");
                    }
                    c.skip(n);
                    entryBytes += n;
                    entries++;
                }
            }
        }
        if ((kind == Kind.VALUE || kind == Kind.SPARSE_VALUE) && occurrences == 0) {
            throw c.failAt(0, who + ": attribute '" + kind.attribute + "' has no " + kind.fieldName());
        }
        return new ConstantNode(outputs.getFirst(), name, kind, c.segment(), c.absolutePosition() - c.position(),
                tensor, sparse, scalar, integer, entries, entryBytes, kind == Kind.VALUE_FLOATS && occurrences == 1 ? run : null);
    }
}
