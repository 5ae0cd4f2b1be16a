package dev.tensorfile.gguf;

import dev.tensorfile.core.TensorInfo;

/**
 * One {@code gguf_tensor_info_t}: name, {@code ne[]} (innermost first, as stored), ggml type and offset in the
 * data section, with where it was read for error messages.
 *
 * @param info the tensor in the core model (row-major shape: {@code ne[]} reversed)
 * @param ne the dimensions as stored, innermost first
 * @param ggmlType the ggml type id
 * @param offset the data's offset from the start of the data section
 * @param index the position among the tensor infos
 * @param position the absolute file offset of this tensor info
 * @param offsetPosition the absolute file offset of its {@code offset} field
 */
record GgufTensorInfo(TensorInfo info, long[] ne, int ggmlType, long offset, int index, long position,
        long offsetPosition) {
    /** The structure name used in error messages. */
    String structure() { return "tensor info #" + index + " ('" + info.name() + "')"; }
}
