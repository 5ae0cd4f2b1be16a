package dev.tensorfile.gguf;

import dev.tensorfile.core.DType;

import java.util.EnumMap;
import java.util.Map;

/**
 * The {@code ggml_type} ids a GGUF tensor info stores ({@code ggml/include/ggml.h}, 2026-08), each mapped to the
 * core {@link DType} of the same name. Block sizes come from the DType, which carries ggml's {@code type_traits}.
 */
final class GgmlType {
    /** Indexed by id; null for ids ggml removed or never had. */
    private static final DType[] BY_ID = new DType[43];
    private static final Map<DType, Integer> IDS = new EnumMap<>(DType.class);

    static {
        put(0, DType.F32);
        put(1, DType.F16);
        put(2, DType.Q4_0);
        put(3, DType.Q4_1);
        put(6, DType.Q5_0);
        put(7, DType.Q5_1);
        put(8, DType.Q8_0);
        put(9, DType.Q8_1);
        put(10, DType.Q2_K);
        put(11, DType.Q3_K);
        put(12, DType.Q4_K);
        put(13, DType.Q5_K);
        put(14, DType.Q6_K);
        put(15, DType.Q8_K);
        put(16, DType.IQ2_XXS);
        put(17, DType.IQ2_XS);
        put(18, DType.IQ3_XXS);
        put(19, DType.IQ1_S);
        put(20, DType.IQ4_NL);
        put(21, DType.IQ3_S);
        put(22, DType.IQ2_S);
        put(23, DType.IQ4_XS);
        put(24, DType.I8);
        put(25, DType.I16);
        put(26, DType.I32);
        put(27, DType.I64);
        put(28, DType.F64);
        put(29, DType.IQ1_M);
        put(30, DType.BF16);
        put(34, DType.TQ1_0);
        put(35, DType.TQ2_0);
        put(39, DType.MXFP4);
        put(40, DType.NVFP4);
        put(41, DType.Q1_0);
        put(42, DType.Q2_0);
    }

    private GgmlType() {}

    private static void put(int id, DType type) {
        BY_ID[id] = type;
        IDS.put(type, id);
    }

    /** The DType of ggml type {@code id}, or null if ggml has no (or no longer has a) type with that id. */
    static DType dtype(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    /** The ggml id of {@code type}, or -1 if GGUF cannot store it. */
    static int id(DType type) {
        Integer id = IDS.get(type);
        return id == null ? -1 : id;
    }

    /** Why ggml type {@code id} is not readable: removed types are named, others are unknown by number. */
    static String describeUnknown(long id) {
        String removed = switch ((int) Math.min(id, Integer.MAX_VALUE)) {
            case 4 -> "Q4_2";
            case 5 -> "Q4_3";
            case 31 -> "Q4_0_4_4";
            case 32 -> "Q4_0_4_8";
            case 33 -> "Q4_0_8_8";
            case 36 -> "IQ4_NL_4_4";
            case 37 -> "IQ4_NL_4_8";
            case 38 -> "IQ4_NL_8_8";
            default -> null;
        };
        return removed != null ? "ggml type " + id + " (" + removed + ") was removed from ggml and is not supported"
                : "unknown ggml type " + Long.toUnsignedString(id);
    }
}
