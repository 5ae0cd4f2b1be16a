package dev.tensorfile.pickle.torch;

import dev.tensorfile.core.DType;

import java.util.List;
import java.util.Map;

/**
 * PyTorch's element types as pickles name them: storage classes ({@code torch.FloatStorage}, torch
 * {@code storage.py _dtype_to_storage_type_map}) and dtype globals ({@code torch.float8_e4m3fn}, used with
 * {@code UntypedStorage} by {@code _rebuild_tensor_v3}).
 */
public final class TorchDTypes {
    private TorchDTypes() {}

    private static final Map<String, DType> STORAGES = Map.ofEntries(
            Map.entry("DoubleStorage", DType.F64), Map.entry("FloatStorage", DType.F32),
            Map.entry("HalfStorage", DType.F16), Map.entry("BFloat16Storage", DType.BF16),
            Map.entry("LongStorage", DType.I64), Map.entry("IntStorage", DType.I32),
            Map.entry("ShortStorage", DType.I16), Map.entry("CharStorage", DType.I8),
            Map.entry("ByteStorage", DType.U8), Map.entry("BoolStorage", DType.BOOL),
            Map.entry("ComplexDoubleStorage", DType.C128), Map.entry("ComplexFloatStorage", DType.C64),
            Map.entry("UntypedStorage", DType.U8));

    private static final Map<String, DType> DTYPES = Map.ofEntries(
            Map.entry("float64", DType.F64), Map.entry("double", DType.F64), Map.entry("float32", DType.F32),
            Map.entry("float", DType.F32), Map.entry("float16", DType.F16), Map.entry("half", DType.F16),
            Map.entry("bfloat16", DType.BF16), Map.entry("int64", DType.I64), Map.entry("long", DType.I64),
            Map.entry("int32", DType.I32), Map.entry("int", DType.I32), Map.entry("int16", DType.I16),
            Map.entry("short", DType.I16), Map.entry("int8", DType.I8), Map.entry("uint8", DType.U8),
            Map.entry("uint16", DType.U16), Map.entry("uint32", DType.U32), Map.entry("uint64", DType.U64),
            Map.entry("bool", DType.BOOL), Map.entry("complex64", DType.C64), Map.entry("cfloat", DType.C64),
            Map.entry("complex128", DType.C128), Map.entry("cdouble", DType.C128),
            Map.entry("float8_e4m3fn", DType.F8_E4M3), Map.entry("float8_e5m2", DType.F8_E5M2),
            Map.entry("float8_e4m3fnuz", DType.F8_E4M3FNUZ), Map.entry("float8_e5m2fnuz", DType.F8_E5M2FNUZ),
            Map.entry("float8_e8m0fnu", DType.F8_E8M0));

    /** Every torch dtype name, for the allow-list (those without a DType here are refused as data, not as code). */
    public static final List<String> NAMES = List.of("float64", "double", "float32", "float", "float16", "half", "bfloat16",
            "int64", "long", "int32", "int", "int16", "short", "int8", "uint8", "uint16", "uint32", "uint64", "bool",
            "complex64", "cfloat", "complex128", "cdouble", "complex32", "chalf", "float8_e4m3fn", "float8_e5m2",
            "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu", "float4_e2m1fn_x2", "qint8", "quint8", "qint32",
            "quint4x2", "quint2x4", "bits8", "bits16", "bits1x8", "bits2x4", "bits4x2", "uint1", "uint2", "uint3",
            "uint4", "uint5", "uint6", "uint7", "int1", "int2", "int3", "int4", "int5", "int6", "int7");

    /** The element type of a storage class name ({@code FloatStorage}), or null. */
    public static DType ofStorage(String className) { return STORAGES.get(className); }

    /** The element type of a dtype name ({@code float32}), or null. */
    public static DType ofDType(String name) { return DTYPES.get(name); }
}
