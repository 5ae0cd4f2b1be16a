package dev.tensorfile.onnx.initializers;

import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.SegmentTensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Tensor of each TensorProto of a model, under the rules of onnx's checker.cc {@code check_tensor}: which data
 * field holds the values (raw_data, a typed field, external data) and whether it agrees with dims and data_type.
 * Where the file stores the values as they are, the tensor is a view of the mapping; typed fields decode, sparse
 * tensors densify, STRING tensors read their entries. Also the values of Constant nodes, in the operator's forms.
 */
public final class InitializerTensors {
    /** The format name in errors (OnnxFile.FORMAT, which this package cannot see: it sits below it). */
    static final String FORMAT = "onnx";

    private final Path path;
    private final MappedFile mapped;
    private final ReadLimits limits;
    private final ExternalFiles externalFiles;

    public InitializerTensors(Path path, MappedFile mapped, ReadLimits limits, ExternalFiles external) {
        this.path = path;
        this.mapped = mapped;
        this.limits = limits;
        this.externalFiles = external;
    }

    private static String label(TensorProto t) {
        return "initializer '" + t.name + "'";
    }

    private MalformedFileException fail(TensorProto t, String what) {
        return fail(label(t), t, what);
    }

    private MalformedFileException fail(String label, TensorProto t, String what) {
        return new MalformedFileException(InitializerTensors.FORMAT, path, label, t.offset, what);
    }

    /** The DataType, shape and element count of {@code t}, checked. */
    private DataType type(String label, TensorProto t) {
        DataType type = DataType.of(t.dataType);
        if (type == null) {
            throw fail(label, t, "data_type " + t.dataType + " is not a TensorProto.DataType this reader knows (1-26)");
        }
        return type;
    }

    private Shape shape(String label, TensorProto t) {
        for (long d : t.dims) if (d < 0) throw fail(label, t, "negative dimension " + d + " in dims " + java.util.Arrays.toString(t.dims));
        try {
            return Shape.of(t.dims);
        } catch (ArithmeticException e) {
            throw fail(label, t, "dims " + java.util.Arrays.toString(t.dims) + " overflow a 64-bit element count");
        }
    }

    /** Builds the Tensor of one initializer under the rules of checker.cc {@code check_tensor}. */
    public Tensor tensor(String name, TensorProto t) {
        return tensor(name, t, label(t));
    }

    /**
     * Builds the Tensor of one TensorProto under the rules of checker.cc {@code check_tensor}.
     *
     * @param label how errors name it: {@code initializer 'w'}, {@code Constant 'w' value}
     */
    Tensor tensor(String name, TensorProto t, String label) {
        if (t.hasSegment) {
            throw new UnsupportedFeatureException(InitializerTensors.FORMAT, path, label + " at byte " + t.offset
                    + ": segment (field 3) is not supported, as in onnx.numpy_helper");
        }
        DataType type = type(label, t);
        Shape shape = shape(label, t);
        long n = shape.elementCount();
        if (t.dataLocation != 0 && t.dataLocation != 1) throw fail(label, t, "data_location " + t.dataLocation + " is neither DEFAULT (0) nor EXTERNAL (1)");
        boolean external = t.dataLocation == 1;
        if (type == DataType.STRING) {
            if (t.rawData != null || external) throw fail(label, t, "STRING tensors must use string_data, not raw_data or external data");
            if ((t.typedFields & ~(1 << 6)) != 0) throw fail(label, t, "STRING tensor carries a numeric typed field");
            if (t.typedEntries != n) throw fail(label, t, "string_data has " + t.typedEntries + " entries for " + n + " elements");
            return new StringTensor(new TensorInfo(name, DType.STRING, shape, t.typedBytes), mapped, t.message, t.offset, label,
                    TensorProto.STRING_DATA, path, limits);
        }
        long rawBytes;
        try {
            rawBytes = type.rawBytes(n);
        } catch (ArithmeticException e) {
            throw fail(label, t, n + " elements of " + type + " overflow a 64-bit byte count");
        }
        TensorInfo info = new TensorInfo(name, type.dtype, shape, rawBytes);
        if (external) {
            if (t.rawData != null || t.typedFields != 0) throw fail(label, t, "external tensor also carries inline data");
            return externalFiles.tensor(t, info, label);
        }
        if (t.rawData != null) {
            if (t.typedFields != 0) throw fail(label, t, "both raw_data and " + typedNames(t.typedFields) + " are set");
            if (t.rawData.byteSize() != rawBytes) {
                throw new MalformedFileException(InitializerTensors.FORMAT, path, label, t.rawDataOffset, "raw_data of "
                        + t.rawData.byteSize() + " bytes, but dims " + shape + " of " + type + " need " + rawBytes);
            }
            return new SegmentTensor(info, t.rawData, mapped);
        }
        if (t.typedFields == 0) {
            if (n == 0) return new SegmentTensor(info, mapped.dataSlice(0, 0), mapped);
            throw fail(label, t, "has no data: neither raw_data, " + TensorProto.fieldName(type.storage.field) + " nor external data");
        }
        if (t.typedFields != 1 << type.storage.field) {
            throw fail(label, t, type + " values belong in " + TensorProto.fieldName(type.storage.field) + ", not "
                    + typedNames(t.typedFields & ~(1 << type.storage.field) | (t.typedFields & (1 << type.storage.field))));
        }
        long want = type.typedEntries(n);
        if (t.typedEntries != want) {
            throw fail(label, t, TensorProto.fieldName(type.storage.field) + " has " + t.typedEntries + " entries, but dims "
                    + shape + " of " + type + " need " + want);
        }
        if (t.typedRun != null && t.typedRun.byteSize() == rawBytes
                && (type.storage == DataType.Storage.FLOAT_DATA || type.storage == DataType.Storage.DOUBLE_DATA)) {
            // one packed run of fixed32/fixed64 values is byte for byte raw_data's little-endian encoding: a view
            return new SegmentTensor(info, t.typedRun, mapped);
        }
        return new DecodedInitializer(info, mapped, limits, new TypedData(t.message, t.offset, label, type.storage.field,
                TensorProto.fieldName(type.storage.field), type, path, limits), true);
    }

    private static String typedNames(int fields) {
        List<String> names = new ArrayList<>();
        for (int f : new int[] {4, 5, 6, 7, 10, 11}) if ((fields & (1 << f)) != 0) names.add(TensorProto.fieldName(f));
        return String.join(" and ", names);
    }

    /**
     * The value of a Constant node, as the operator defines its output: {@code value} as a TensorProto (with all
     * an initializer's rules), {@code sparse_value} densified, {@code value_float}/{@code value_int}/{@code
     * value_string} as a rank-0 F32/I64/STRING tensor, and their plural forms as rank-1 tensors.
     */
    public Tensor constant(String name, ConstantNode c) {
        String label = c.label();
        return switch (c.kind) {
            case VALUE -> tensor(name, c.tensor, label);
            case SPARSE_VALUE -> sparse(name, c.sparse, label);
            case VALUE_FLOAT -> {
                TensorInfo info = new TensorInfo(name, DType.F32, Shape.of(), 4);
                yield c.scalar != null ? new SegmentTensor(info, c.scalar, mapped)
                        : new DecodedInitializer(info, mapped, limits, out -> out.fill((byte) 0)); // proto's default, 0.0
            }
            case VALUE_INT -> new DecodedInitializer(new TensorInfo(name, DType.I64, Shape.of(), 8), mapped, limits,
                    out -> out.set(LittleEndian.LONG, 0, c.integer));
            case VALUE_FLOATS -> {
                TensorInfo info = new TensorInfo(name, DType.F32, Shape.of(c.entries), c.entryBytes);
                yield c.run != null ? new SegmentTensor(info, c.run, mapped)
                        : new DecodedInitializer(info, mapped, limits, new TypedData(c.attribute, c.attributeOffset, label,
                                ConstantNode.Kind.VALUE_FLOATS.field, "floats", DataType.FLOAT, path, limits), true);
            }
            case VALUE_INTS -> new DecodedInitializer(new TensorInfo(name, DType.I64, Shape.of(c.entries), c.entryBytes),
                    mapped, limits, new TypedData(c.attribute, c.attributeOffset, label, ConstantNode.Kind.VALUE_INTS.field,
                            "ints", DataType.INT64, path, limits), true);
            case VALUE_STRING -> new StringTensor(new TensorInfo(name, DType.STRING, Shape.of(), c.entryBytes), mapped,
                    c.attribute, c.attributeOffset, label, ConstantNode.Kind.VALUE_STRING.field, path, limits);
            case VALUE_STRINGS -> new StringTensor(new TensorInfo(name, DType.STRING, Shape.of(c.entries), c.entryBytes),
                    mapped, c.attribute, c.attributeOffset, label, ConstantNode.Kind.VALUE_STRINGS.field, path, limits);
        };
    }

    /**
     * A sparse initializer or Constant {@code sparse_value}, densified: zeros except at {@code indices}.
     *
     * @param label how errors name it
     */
    public Tensor sparse(String name, SparseTensorProto s, String label) {
        TensorProto v = s.values();
        TensorProto ix = s.indices();
        DataType type = type(label, v);
        if (type == DataType.STRING || type.elementsPerByte() > 1) {
            throw new UnsupportedFeatureException(InitializerTensors.FORMAT, path, label + " at byte " + s.offset()
                    + ": sparse " + type + " tensors are not supported");
        }
        for (long d : s.dims()) {
            if (d <= 0) throw new MalformedFileException(InitializerTensors.FORMAT, path, label, s.offset(), "dimension " + d + " is not positive");
        }
        Shape shape;
        long bytes;
        try {
            shape = Shape.of(s.dims());
            bytes = type.rawBytes(shape.elementCount());
        } catch (ArithmeticException e) {
            throw new MalformedFileException(InitializerTensors.FORMAT, path, label, s.offset(), "dims overflow a 64-bit size");
        }
        if (bytes > limits.maxDecodedBytes()) {
            throw new MalformedFileException(InitializerTensors.FORMAT, path, label, s.offset(), "dense size "
                    + bytes + " bytes exceeds the " + limits.maxDecodedBytes() + " a decode may produce");
        }
        Tensor values = tensor(v.name, v, label + " values");
        Tensor indices = tensor(ix.name, ix, label + " indices");
        long nnz = values.elementCount();
        if (values.shape().rank() != 1) throw fail(label + " values", v, "sparse values must have rank 1, not " + values.shape().rank());
        if (indices.dtype() != DType.I64) throw fail(label + " indices", ix, "sparse indices must be INT64, not " + indices.dtype());
        Shape is = indices.shape();
        int rank = shape.rank();
        boolean linear = is.rank() == 1;
        if (!(linear && is.dim(0) == nnz) && !(is.rank() == 2 && is.dim(0) == nnz && is.dim(1) == rank)) {
            throw fail(label + " indices", ix, "sparse indices of shape " + is + " do not fit " + nnz + " values of a rank-" + rank + " tensor");
        }
        int width = type.dtype.blockBytes();
        TensorInfo info = new TensorInfo(name, type.dtype, shape, bytes);
        long[] dims = s.dims();
        return new DecodedInitializer(info, mapped, limits, out -> {
            out.fill((byte) 0);
            MemorySegment vb = values.bytes();
            MemorySegment ib = indices.bytes();
            ValueLayout.OfLong L = LittleEndian.LONG;
            long count = shape.elementCount();
            for (long k = 0; k < nnz; k++) {
                long at;
                if (linear) {
                    at = ib.getAtIndex(L, k);
                } else {
                    at = 0;
                    for (int d = 0; d < rank; d++) {
                        long c = ib.getAtIndex(L, k * rank + d);
                        if (c < 0 || c >= dims[d]) throw fail(label + " indices", ix, "sparse index " + c + " of value #" + k + " is outside dimension " + dims[d]);
                        at = at * dims[d] + c;
                    }
                }
                if (at < 0 || at >= count) throw fail(label + " indices", ix, "sparse index " + at + " of value #" + k + " is outside " + count + " elements");
                MemorySegment.copy(vb, k * width, out, at * width, width);
            }
        });
    }
}
