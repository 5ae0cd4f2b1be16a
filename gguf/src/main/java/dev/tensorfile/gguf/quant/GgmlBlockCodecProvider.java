package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.spi.BlockCodec;
import dev.tensorfile.core.spi.BlockCodecProvider;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Supplies a {@link BlockCodec} for every ggml block type that ggml can dequantize: Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
 * Q2_K … Q6_K, IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ4_NL, IQ4_XS, TQ1_0, TQ2_0, MXFP4, NVFP4, Q1_0
 * and Q2_0 (not Q8_1 and Q8_K, which ggml itself cannot turn back into floats). Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K,
 * Q5_K and Q6_K also encode, with ggml's reference quantizers.
 *
 * <p>Decoding is bit-identical to ggml's {@code dequantize_row_*} evaluated in float32 without fused multiply-add.
 * Which implementation runs (Vector API or scalar) is decided once per JVM; see {@link #implementation()}.
 */
public final class GgmlBlockCodecProvider implements BlockCodecProvider {
    private static final List<BlockCodec> CODECS = build();

    /** For {@link java.util.ServiceLoader}. */
    public GgmlBlockCodecProvider() {}

    @Override
    public List<BlockCodec> codecs() {
        return CODECS;
    }

    /**
     * The dequantization implementation chosen for this JVM: {@code "panama"} (Vector API) or {@code "scalar"}.
     *
     * @throws IllegalStateException if {@code -Dtensorfile.quant=panama} was asked for and cannot be honoured
     */
    public static String implementation() {
        return DequantizerChoice.get().name();
    }

    private static List<BlockCodec> build() {
        Dequantizers chosen = DequantizerChoice.get();
        List<BlockCodec> list = new ArrayList<>();
        for (DType t : DType.values()) {
            if (!t.isQuantized()) continue;
            BlockDecoder d = chosen.decoder(t);
            if (d == null) d = StagedDequantizers.INSTANCE.decoder(t);
            if (d == null) d = ReferenceDequantizers.INSTANCE.decoder(t);
            if (d == null) continue;
            list.add(new QuantCodec(t, d, chosen.segmentDecoder(t), encoder(t)));
        }
        return Collections.unmodifiableList(list);
    }

    static BlockEncoder encoder(DType t) {
        return switch (t) {
            case Q8_0 -> LegacyQuants::encodeQ8_0;
            case Q4_0 -> LegacyQuants::encodeQ4_0;
            case Q4_1 -> LegacyQuants::encodeQ4_1;
            case Q5_0 -> LegacyQuants::encodeQ5_0;
            case Q5_1 -> LegacyQuants::encodeQ5_1;
            case Q4_K -> KQuantizer::encodeQ4_K;
            case Q5_K -> KQuantizer::encodeQ5_K;
            case Q6_K -> KQuantizer::encodeQ6_K;
            default -> null;
        };
    }
}
