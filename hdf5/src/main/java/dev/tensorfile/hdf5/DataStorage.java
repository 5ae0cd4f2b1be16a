package dev.tensorfile.hdf5;

import dev.tensorfile.core.spi.MappedFile;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Where a dataset's elements come from, in the file's byte order: a block of the file (contiguous or compact),
 * nothing (never written: the fill value), or chunks ({@link ChunkedStorage}).
 */
sealed interface DataStorage permits DataStorage.Block, DataStorage.Fill, ChunkedStorage {
    /** Copies bytes {@code [byteOffset, byteOffset + dst.byteSize())} of the row-major data into {@code dst}. */
    void read(long byteOffset, MemorySegment dst, int threads);

    /** Reads and checks every stored byte (every chunk decoded, every checksum checked). */
    default void verify() {}

    /**
     * Bytes of the file, as they are: a slice of {@code file}'s mapping, fetched when read if the file is remote.
     */
    record Block(MemorySegment data, MappedFile file) implements DataStorage {
        @Override public void read(long byteOffset, MemorySegment dst, int threads) {
            if (file.isRemote()) file.require(file.offsetOf(data) + byteOffset, dst.byteSize());
            MemorySegment.copy(data, byteOffset, dst, 0, dst.byteSize());
        }
    }

    /** Storage never allocated: every element is the fill value. */
    record Fill(byte[] pattern) implements DataStorage {
        @Override public void read(long byteOffset, MemorySegment dst, int threads) {
            fill(pattern, byteOffset, dst);
        }
    }

    /** Fills {@code dst} with {@code pattern} repeated, as if it started at byte {@code byteOffset} of the data. */
    static void fill(byte[] pattern, long byteOffset, MemorySegment dst) {
        if (pattern == null || allZero(pattern)) {
            dst.fill((byte) 0);
            return;
        }
        int n = pattern.length;
        for (long i = 0; i < dst.byteSize(); i++) {
            dst.set(ValueLayout.JAVA_BYTE, i, pattern[(int) ((byteOffset + i) % n)]);
        }
    }

    private static boolean allZero(byte[] p) {
        for (byte b : p) if (b != 0) return false;
        return true;
    }
}
