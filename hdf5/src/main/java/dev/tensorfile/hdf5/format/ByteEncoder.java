package dev.tensorfile.hdf5.format;

import java.io.ByteArrayOutputStream;

/**
 * The little-endian byte builder the structures' encoders write with: the writing twin of the core cursor, for the
 * 8-byte offsets and lengths the writer uses. Each structure encodes itself beside the code that parses it
 * ({@code Superblock.encodeV2}, {@code ObjectHeader.encodeV2}, {@code DatatypeMessage.encode}, ...).
 */
final class ByteEncoder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ByteEncoder u8(int v) { out.write(v); return this; }

    ByteEncoder u16(int v) { out.write(v); out.write(v >>> 8); return this; }

    ByteEncoder u32(long v) { for (int i = 0; i < 4; i++) out.write((int) (v >>> (8 * i))); return this; }

    ByteEncoder u64(long v) { for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i))); return this; }

    ByteEncoder bytes(byte[] b) { out.write(b, 0, b.length); return this; }

    ByteEncoder zeros(int n) { for (int i = 0; i < n; i++) out.write(0); return this; }

    ByteEncoder ascii(String s) { return bytes(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII)); }

    int size() { return out.size(); }

    byte[] toBytes() { return out.toByteArray(); }
}
