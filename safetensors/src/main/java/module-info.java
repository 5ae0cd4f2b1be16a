/**
 * tensorfile safetensors: reads (header only, zero copy) and writes (streaming, atomic, optionally sharded)
 * Hugging Face safetensors files, as {@link dev.tensorfile.safetensors.SafetensorsFormat}.
 */
module dev.tensorfile.safetensors {
    requires transitive dev.tensorfile.core;
    requires com.fasterxml.jackson.databind;

    exports dev.tensorfile.safetensors;

    provides dev.tensorfile.core.TensorFormat with dev.tensorfile.safetensors.SafetensorsFormat;
}
