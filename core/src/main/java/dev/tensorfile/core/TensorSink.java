package dev.tensorfile.core;

import dev.tensorfile.core.spi.MappedFile;

import java.lang.foreign.MemorySegment;

/** Receives one tensor's bytes in order, chunk by chunk; see {@link TensorWriter#open(String)}. */
public interface TensorSink extends AutoCloseable {
    /** Appends {@code chunk} to the tensor's data. */
    void write(MemorySegment chunk);

    /**
     * Appends {@code length} bytes of the mapped {@code file} from byte {@code offset}, copied by the kernel
     * ({@link MappedFile#transferTo}) where the writer stores bytes as they come; a converter uses it for tensors
     * that are views of a mapped file, so their bytes never pass through user space. The copy reads the file that
     * is mapped, even if its path names another file by now. Answers false, having written nothing, where the
     * writer or the file cannot (the writer transforms the bytes or is not file-backed; the file is closed): the
     * caller then calls {@link #write} itself.
     */
    default boolean transferFrom(MappedFile file, long offset, long length) { return false; }

    /**
     * Ends the tensor.
     *
     * @throws IllegalStateException if fewer or more bytes were written than the tensor declared
     */
    @Override
    void close();
}
