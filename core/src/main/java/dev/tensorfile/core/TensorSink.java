package dev.tensorfile.core;

import java.lang.foreign.MemorySegment;

/** Receives one tensor's bytes in order, chunk by chunk; see {@link TensorWriter#open(String)}. */
public interface TensorSink extends AutoCloseable {
    /** Appends {@code chunk} to the tensor's data. */
    void write(MemorySegment chunk);

    /**
     * Ends the tensor.
     *
     * @throws IllegalStateException if fewer or more bytes were written than the tensor declared
     */
    @Override
    void close();
}
