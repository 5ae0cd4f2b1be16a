package dev.tensorfile.safetensors;

import dev.tensorfile.core.DType;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The dtypes of the reference crate ({@code huggingface/safetensors}, {@code safetensors/src/tensor.rs}, enum
 * {@code Dtype}), in its declaration order. The crate declares them "in increasing alignment order", and its writer
 * sorts tensors by that order, descending, then by name; the rank here is that position.
 */
final class SafetensorsDType {
    /** The crate's {@code Dtype} enum, in declaration order; header spelling equals our {@link DType} names. */
    static final List<DType> ORDER = List.of(
            DType.BOOL, DType.F4, DType.F6_E2M3, DType.F6_E3M2, DType.U8, DType.I8, DType.F8_E5M2, DType.F8_E4M3,
            DType.F8_E8M0, DType.F8_E4M3FNUZ, DType.F8_E5M2FNUZ, DType.I16, DType.U16, DType.F16, DType.BF16,
            DType.I32, DType.U32, DType.F32, DType.C64, DType.F64, DType.I64, DType.U64);

    private static final Map<DType, Integer> RANK = new EnumMap<>(DType.class);
    private static final Map<String, DType> BY_NAME = new java.util.HashMap<>();

    static {
        for (int i = 0; i < ORDER.size(); i++) {
            RANK.put(ORDER.get(i), i);
            BY_NAME.put(ORDER.get(i).name(), ORDER.get(i));
        }
    }

    private SafetensorsDType() {}

    /** The dtype spelled {@code name} in a header, or null if the crate does not know it. */
    static DType byName(String name) { return BY_NAME.get(name); }

    /** True if safetensors can hold {@code type}. */
    static boolean supports(DType type) { return RANK.containsKey(type); }

    /** Position in the crate's enum: the writer's alignment order. */
    static int rank(DType type) { return RANK.get(type); }

    /** The crate's {@code Dtype::bitsize()}: bits per element. */
    static int bits(DType type) { return 8 * type.blockBytes() / type.blockElements(); }
}
