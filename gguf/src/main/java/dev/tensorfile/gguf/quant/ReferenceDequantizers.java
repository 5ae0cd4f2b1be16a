package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;

import java.lang.foreign.MemorySegment;

/**
 * Plain transcriptions of ggml's {@code dequantize_row_*}: the specification every other implementation is tested
 * against bit for bit, and the decoder of the types (and batch tails) that have no faster kernel.
 */
final class ReferenceDequantizers implements Dequantizers {
    static final ReferenceDequantizers INSTANCE = new ReferenceDequantizers();

    private ReferenceDequantizers() {}

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public BlockDecoder decoder(DType type) {
        return switch (type) {
            case Q4_0 -> LegacyQuants::decodeQ4_0;
            case Q4_1 -> LegacyQuants::decodeQ4_1;
            case Q5_0 -> LegacyQuants::decodeQ5_0;
            case Q5_1 -> LegacyQuants::decodeQ5_1;
            case Q8_0 -> LegacyQuants::decodeQ8_0;
            case Q1_0 -> LegacyQuants::decodeQ1_0;
            case Q2_0 -> LegacyQuants::decodeQ2_0;
            case Q2_K -> KQuants::decodeQ2_K;
            case Q3_K -> KQuants::decodeQ3_K;
            case Q4_K -> KQuants::decodeQ4_K;
            case Q5_K -> KQuants::decodeQ5_K;
            case Q6_K -> KQuants::decodeQ6_K;
            case IQ4_NL -> NonLinearQuants::decodeIQ4_NL;
            case IQ4_XS -> NonLinearQuants::decodeIQ4_XS;
            case MXFP4 -> NonLinearQuants::decodeMXFP4;
            case NVFP4 -> NonLinearQuants::decodeNVFP4;
            case TQ1_0 -> TernaryQuants::decodeTQ1_0;
            case TQ2_0 -> TernaryQuants::decodeTQ2_0;
            case IQ2_XXS -> GridQuants::decodeIQ2_XXS;
            case IQ2_XS -> GridQuants::decodeIQ2_XS;
            case IQ2_S -> GridQuants::decodeIQ2_S;
            case IQ3_XXS -> GridQuants::decodeIQ3_XXS;
            case IQ3_S -> GridQuants::decodeIQ3_S;
            case IQ1_S -> GridQuants::decodeIQ1_S;
            case IQ1_M -> GridQuants::decodeIQ1_M;
            default -> null;    // Q8_1 and Q8_K have no to_float in ggml; scalars are not block types
        };
    }
}
