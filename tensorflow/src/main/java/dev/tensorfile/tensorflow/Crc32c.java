package dev.tensorfile.tensorflow;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/**
 * CRC-32C as LevelDB and TensorFlow store it: "masked" (rotated and offset), because a CRC computed over bytes that
 * embed CRCs is weak (LevelDB {@code util/crc32c.h}).
 */
final class Crc32c {
    private static final int MASK_DELTA = 0xa282ead8;
    private static final long CHUNK = 1L << 30;

    private Crc32c() {}

    /** The CRC-32C of {@code bytes}, unmasked. */
    static int of(MemorySegment bytes) {
        CRC32C crc = new CRC32C();
        update(crc, bytes);
        return (int) crc.getValue();
    }

    /** Adds {@code bytes} to {@code crc}, in pieces a ByteBuffer can hold. */
    static void update(CRC32C crc, MemorySegment bytes) {
        long size = bytes.byteSize();
        for (long at = 0; at < size; at += CHUNK) crc.update(bytes.asSlice(at, Math.min(CHUNK, size - at)).asByteBuffer());
    }

    /** The masked form of {@code crc}, as files store it. */
    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }
}
