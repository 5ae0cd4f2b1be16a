package dev.tensorfile.onnx.initializers;

import dev.tensorfile.core.DType;

/**
 * {@code TensorProto.DataType} (onnx.in.proto): the code on the wire, the core {@link DType}, the typed field
 * that holds values when {@code raw_data} is not used, and the IR version that introduced the type.
 */
public enum DataType {
    FLOAT(1, DType.F32, Storage.FLOAT_DATA, 3),
    UINT8(2, DType.U8, Storage.INT32_DATA, 3),
    INT8(3, DType.I8, Storage.INT32_DATA, 3),
    UINT16(4, DType.U16, Storage.INT32_DATA, 3),
    INT16(5, DType.I16, Storage.INT32_DATA, 3),
    INT32(6, DType.I32, Storage.INT32_DATA, 3),
    INT64(7, DType.I64, Storage.INT64_DATA, 3),
    STRING(8, DType.STRING, Storage.STRING_DATA, 3),
    BOOL(9, DType.BOOL, Storage.INT32_DATA, 3),
    FLOAT16(10, DType.F16, Storage.INT32_DATA, 3),
    DOUBLE(11, DType.F64, Storage.DOUBLE_DATA, 3),
    UINT32(12, DType.U32, Storage.UINT64_DATA, 3),
    UINT64(13, DType.U64, Storage.UINT64_DATA, 3),
    COMPLEX64(14, DType.C64, Storage.FLOAT_DATA, 3),
    COMPLEX128(15, DType.C128, Storage.DOUBLE_DATA, 3),
    BFLOAT16(16, DType.BF16, Storage.INT32_DATA, 4),
    FLOAT8E4M3FN(17, DType.F8_E4M3, Storage.INT32_DATA, 9),
    FLOAT8E4M3FNUZ(18, DType.F8_E4M3FNUZ, Storage.INT32_DATA, 9),
    FLOAT8E5M2(19, DType.F8_E5M2, Storage.INT32_DATA, 9),
    FLOAT8E5M2FNUZ(20, DType.F8_E5M2FNUZ, Storage.INT32_DATA, 9),
    UINT4(21, DType.U4, Storage.INT32_DATA, 10),
    INT4(22, DType.I4, Storage.INT32_DATA, 10),
    FLOAT4E2M1(23, DType.F4, Storage.INT32_DATA, 11),
    FLOAT8E8M0(24, DType.F8_E8M0, Storage.INT32_DATA, 12),
    UINT2(25, DType.U2, Storage.INT32_DATA, 13),
    INT2(26, DType.I2, Storage.INT32_DATA, 13);

    /** The typed field of TensorProto that holds a type's values (onnx.in.proto, TensorProto comments). */
    enum Storage {
        FLOAT_DATA(4), INT32_DATA(5), STRING_DATA(6), INT64_DATA(7), DOUBLE_DATA(10), UINT64_DATA(11);

        final int field;

        Storage(int field) { this.field = field; }
    }

    private static final DataType[] BY_CODE = new DataType[27];

    static {
        for (DataType t : values()) BY_CODE[t.code] = t;
    }

    public final int code;
    final DType dtype;
    final Storage storage;
    public final int minIrVersion;

    DataType(int code, DType dtype, Storage storage, int minIrVersion) {
        this.code = code;
        this.dtype = dtype;
        this.storage = storage;
        this.minIrVersion = minIrVersion;
    }

    /** The type with {@code code}, or null for 0 (UNDEFINED) and codes the schema does not define. */
    public static DataType of(long code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[(int) code] : null;
    }

    /** The ONNX type that holds {@code dtype}, or null. */
    public static DataType of(DType dtype) {
        for (DataType t : values()) if (t.dtype == dtype) return t;
        return null;
    }

    /** Elements packed into one byte of raw_data and one entry of int32_data (2 for 4-bit, 4 for 2-bit types). */
    int elementsPerByte() {
        return dtype.blockElements();
    }

    /** Bytes of raw_data for {@code n} elements: sub-byte types round up (checker.cc {@code check_tensor}). */
    public long rawBytes(long n) {
        if (dtype == DType.STRING) throw new IllegalStateException("STRING has no raw encoding");
        int per = elementsPerByte();
        if (per > 1) return n / per + (n % per == 0 ? 0 : 1);
        return Math.multiplyExact(n, (long) dtype.blockBytes());
    }

    /** Entries the typed field must hold for {@code n} elements. */
    long typedEntries(long n) {
        return switch (this) {
            case COMPLEX64, COMPLEX128 -> Math.multiplyExact(n, 2L);
            default -> elementsPerByte() > 1 ? rawBytes(n) : n;
        };
    }
}
