package dev.tensorfile.tensorflow;

import dev.tensorfile.core.DType;

/**
 * TensorFlow's {@code DataType} enum ({@code tensorflow/core/framework/types.proto}): the code a
 * {@code BundleEntryProto} or a {@code TensorInfo} carries, with the {@link DType} its bytes are, where there is one.
 */
enum DataType {
    DT_INVALID(0, null),
    DT_FLOAT(1, DType.F32),
    DT_DOUBLE(2, DType.F64),
    DT_INT32(3, DType.I32),
    DT_UINT8(4, DType.U8),
    DT_INT16(5, DType.I16),
    DT_INT8(6, DType.I8),
    DT_STRING(7, DType.STRING),
    DT_COMPLEX64(8, DType.C64),
    DT_INT64(9, DType.I64),
    DT_BOOL(10, DType.BOOL),
    // The quantized types hold integers whose scale lives in other tensors: no DType means the same thing.
    DT_QINT8(11, null),
    DT_QUINT8(12, null),
    DT_QINT32(13, null),
    DT_BFLOAT16(14, DType.BF16),
    DT_QINT16(15, null),
    DT_QUINT16(16, null),
    DT_UINT16(17, DType.U16),
    DT_COMPLEX128(18, DType.C128),
    DT_HALF(19, DType.F16),
    // Handles and opaque values, not data.
    DT_RESOURCE(20, null),
    DT_VARIANT(21, null),
    DT_UINT32(22, DType.U32),
    DT_UINT64(23, DType.U64),
    DT_FLOAT8_E5M2(24, DType.F8_E5M2),
    DT_FLOAT8_E4M3FN(25, DType.F8_E4M3),
    DT_FLOAT8_E4M3FNUZ(26, DType.F8_E4M3FNUZ),
    // Exponent bias 11: no DType has it.
    DT_FLOAT8_E4M3B11FNUZ(27, null),
    DT_FLOAT8_E5M2FNUZ(28, DType.F8_E5M2FNUZ),
    // TensorFlow keeps one 4- or 2-bit element per byte; DType's I4/U4/I2/U2 pack them, so the bytes differ.
    DT_INT4(29, null),
    DT_UINT4(30, null),
    DT_INT2(31, null),
    DT_UINT2(32, null);

    private static final DataType[] BY_CODE = new DataType[33];

    static {
        for (DataType t : values()) BY_CODE[t.code] = t;
    }

    final int code;
    /** The DType of the bytes, or null when none has their meaning. */
    final DType dtype;

    DataType(int code, DType dtype) {
        this.code = code;
        this.dtype = dtype;
    }

    /** The type of {@code code}; reference types ({@code DT_FLOAT_REF} = 101 ...) are their base type. Null if unknown. */
    static DataType of(long code) {
        long base = code > 100 && code <= 100 + 32 ? code - 100 : code;
        return base >= 0 && base < BY_CODE.length ? BY_CODE[(int) base] : null;
    }

    /** The name TensorFlow prints for {@code code}, even an unknown one. */
    static String name(long code) {
        DataType t = of(code);
        return t == null ? "DataType " + code : t.name() + (code > 100 ? "_REF" : "");
    }
}
