package dev.tensorfile.gguf;

import dev.tensorfile.core.ValueType;

/**
 * {@code gguf_metadata_value_type} (spec "GGUF file structure"): the u32 ids of the thirteen value types, which map
 * one to one onto {@link ValueType}, and their encoded sizes.
 */
final class GgufValueType {
    private static final ValueType[] BY_ID = {
        ValueType.U8, ValueType.I8, ValueType.U16, ValueType.I16, ValueType.U32, ValueType.I32, ValueType.F32,
        ValueType.BOOL, ValueType.STRING, ValueType.ARRAY, ValueType.U64, ValueType.I64, ValueType.F64,
    };

    private GgufValueType() {}

    /** The value type with GGUF id {@code id}, or null. */
    static ValueType of(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    /** The GGUF id of {@code type}. */
    static int id(ValueType type) {
        for (int i = 0; i < BY_ID.length; i++) if (BY_ID[i] == type) return i;
        throw new IllegalArgumentException(type.toString());
    }

    /** Encoded size of a value of {@code type}; 0 for STRING and ARRAY, whose size is in the data. */
    static int fixedSize(ValueType type) {
        return switch (type) {
            case U8, I8, BOOL -> 1;
            case U16, I16 -> 2;
            case U32, I32, F32 -> 4;
            case U64, I64, F64 -> 8;
            case STRING, ARRAY -> 0;
        };
    }

    /** GGUF's own name of {@code type} ({@code UINT32}), for messages. */
    static String ggufName(ValueType type) {
        return switch (type) {
            case U8 -> "UINT8";
            case I8 -> "INT8";
            case U16 -> "UINT16";
            case I16 -> "INT16";
            case U32 -> "UINT32";
            case I32 -> "INT32";
            case U64 -> "UINT64";
            case I64 -> "INT64";
            case F32 -> "FLOAT32";
            case F64 -> "FLOAT64";
            case BOOL -> "BOOL";
            case STRING -> "STRING";
            case ARRAY -> "ARRAY";
        };
    }
}
