package dev.tensorfile.core;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Writes a model file by streaming: declared first, fed one tensor at a time, committed atomically.
 *
 * <p>Every format here puts offsets in a header, so a writer must know every tensor before any data:
 * {@link #declare} takes the metadata and the tensors and answers the order in which their data must be fed
 * (safetensors, for one, orders data by alignment). Each tensor's bytes then come whole ({@link #write}) or in
 * chunks ({@link #open}). {@link #close()} commits: the data goes to a temporary file in the destination's
 * directory, is forced to disk and atomically moved over the destination, and only if every declared tensor was
 * written in full. {@link #abort()}, or an exception inside try-with-resources, leaves the destination as it was.
 * <pre>{@code
 * try (TensorWriter w = TensorFiles.format("safetensors").orElseThrow().newWriter(out, WriteOptions.NONE)) {
 *     for (TensorInfo t : w.declare(metadata, tensors)) w.write(t.name(), dataOf(t));
 * }
 * }</pre>
 */
public interface TensorWriter extends AutoCloseable {
    /**
     * Declares the file's content; call once, before any data.
     *
     * @return the tensors in the order their data must be fed
     * @throws TensorFileException if the format cannot hold them (the message says which and why)
     */
    List<TensorInfo> declare(Metadata metadata, List<TensorInfo> tensors);

    /** Writes the whole data of the next tensor, which must be {@code name}. */
    default void write(String name, MemorySegment bytes) {
        try (TensorSink sink = open(name)) {
            sink.write(bytes);
        }
    }

    /** Starts the data of the next tensor, which must be {@code name}. */
    TensorSink open(String name);

    /** What the format could not carry of the declared metadata, one line each (empty when everything fits). */
    default List<String> notes() { return List.of(); }

    /** Commits the file if every tensor was written in full; otherwise discards it and throws. Idempotent. */
    @Override
    void close();

    /** Discards everything written; the destination is untouched. Idempotent. */
    void abort();
}
