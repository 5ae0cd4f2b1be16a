package dev.tensorfile.core.spi;

import java.util.Objects;

/**
 * Where a tensor's bytes lie, as they are, in a mapped file: what a converter needs to have the kernel copy them
 * ({@link dev.tensorfile.core.TensorSink#transferFrom}).
 *
 * @param mapping the mapped file the bytes are read from
 * @param offset the first byte in the file
 * @param length the number of bytes
 */
public record FileRegion(MappedFile mapping, long offset, long length) {
    public FileRegion {
        Objects.requireNonNull(mapping, "mapping");
        if (offset < 0 || length < 0) throw new IllegalArgumentException("region " + offset + "+" + length);
    }
}
