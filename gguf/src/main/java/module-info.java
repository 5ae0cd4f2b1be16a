/**
 * tensorfile GGUF: reads GGUF v1–v3 (little- and big-endian, split sets) and writes GGUF v3 with ggml's layout.
 * {@link dev.tensorfile.gguf.GgufFormat} is the entry point, found through {@link java.util.ServiceLoader};
 * {@link dev.tensorfile.gguf.kernels} holds fused dot-product kernels over GGUF weights for inference runtimes.
 */
module dev.tensorfile.gguf {
    requires transitive dev.tensorfile.core;
    requires static jdk.incubator.vector;
    requires org.slf4j;

    exports dev.tensorfile.gguf;
    exports dev.tensorfile.gguf.kernels;

    provides dev.tensorfile.core.TensorFormat with dev.tensorfile.gguf.GgufFormat;
    provides dev.tensorfile.core.spi.BlockCodecProvider with dev.tensorfile.gguf.quant.GgmlBlockCodecProvider;
}
