package dev.tensorfile.core;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** Receives one tensor's bytes in order, chunk by chunk; see {@link TensorWriter#open(String)}. */
public interface TensorSink extends AutoCloseable {
    /** Appends {@code chunk} to the tensor's data. */
    void write(MemorySegment chunk);

    /**
     * Appends {@code length} bytes of {@code file} from byte {@code offset}, copied by the kernel
     * ({@code FileChannel.transferTo}) where the writer stores bytes as they come; a converter uses it for tensors
     * that are views of a mapped file, so their bytes never pass through user space. Answers false, having written
     * nothing, where the writer cannot (it transforms the bytes, or it is not file-backed): the caller then calls
     * {@link #write} itself.
     */
    default boolean transferFrom(Path file, long offset, long length) { return false; }

    /**
     * Ends the tensor.
     *
     * @throws IllegalStateException if fewer or more bytes were written than the tensor declared
     */
    @Override
    void close();
}
