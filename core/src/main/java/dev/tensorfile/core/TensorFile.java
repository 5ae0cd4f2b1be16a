package dev.tensorfile.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * An open model file: its metadata and its tensors, read lazily.
 *
 * <p>Opening reads the header only; tensors are views of a memory mapping, unmapped by {@link #close()}.
 * Instances are safe for concurrent reads.
 * <pre>{@code
 * try (TensorFile file = TensorFiles.open(Path.of("model.safetensors"))) {
 *     Tensor t = file.tensor("lm_head.weight");
 *     float[] row = new float[(int) t.shape().dim(1)];
 *     t.readFloats(0, row, 0, row.length);
 * }
 * }</pre>
 */
public interface TensorFile extends AutoCloseable {
    /** The file this was opened from (for a sharded set, the index or first shard). */
    Path path();

    /** The format name, as the CLI's JSON shows it: {@code safetensors gguf onnx hdf5 keras pytorch ...}. */
    String format();

    /** The file's metadata. */
    Metadata metadata();

    /** Every tensor, in file order. */
    List<Tensor> tensors();

    /**
     * The tensor called {@code name}, if there is one. A lookup in a map the implementation builds when it opens,
     * not a scan of {@link #tensors()}: a model has tens of thousands of tensors and callers look each one up.
     */
    Optional<Tensor> find(String name);

    /**
     * The tensor called {@code name}.
     *
     * @throws NoSuchElementException if there is none
     */
    default Tensor tensor(String name) {
        return find(name).orElseThrow(() -> new NoSuchElementException(path() + ": no tensor named '" + name + "'"));
    }

    /**
     * Format-specific structure for people, one line each, shown by {@code tensorfile inspect} after the metadata:
     * an ONNX graph's inputs, outputs and operators, an HDF5 group tree with layouts and filters. Empty by default.
     */
    default List<String> details() { return List.of(); }

    /** Entries the file holds that are not tensors of any DType (listed, never silently dropped). */
    default List<UnsupportedEntry> unsupported() { return List.of(); }

    /**
     * Tensors that are exact views of another tensor listed before them (PyTorch's tied weights: same storage,
     * offset, shape and stride), from the alias's name to the first name. Both are in {@link #tensors()}; a
     * {@link Converter} writes the data once, under the first name. Empty by default.
     */
    default java.util.Map<String, String> aliases() { return java.util.Map.of(); }

    /**
     * Full structural validation: every tensor read end to end, every checksum the format has checked.
     *
     * @throws TensorFileException on the first problem found
     */
    default void verify() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(1 << 20);
            for (Tensor t : tensors()) {
                long length = t.info().byteLength();
                for (long at = 0; at < length; at += buf.byteSize()) {
                    t.readBytes(at, buf.asSlice(0, Math.min(buf.byteSize(), length - at)));
                }
            }
        }
    }

    /** Unmaps the file; idempotent. Tensors of this file fail with {@link IllegalStateException} afterwards. */
    @Override
    void close();

    /** For a file read over HTTP(S), the requests made and bytes fetched so far; empty for a local file. */
    default java.util.Optional<RemoteTransfer> remoteTransfer() { return java.util.Optional.empty(); }
}
