package dev.tensorfile.tensorflow;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Hand-built tensor bundles, for hostile-input and edge-case tests only (interop truth comes from the fixtures
 * TensorFlow wrote): a LevelDB table written as {@code table_format.md} describes it, protobuf fields written as the
 * encoding guide describes them.
 */
final class Bundles {
    private Bundles() {}

    /** One key/value of a table. */
    record KV(byte[] key, byte[] value) {
        static KV of(String key, byte[] value) { return new KV(key.getBytes(StandardCharsets.UTF_8), value); }
    }

    /** A protobuf message being written. */
    static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long v) { tag(field, 0); raw(varintBytes(v)); return this; }

        Proto fixed32(int field, int v) { tag(field, 5); raw(new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)}); return this; }

        Proto bytes(int field, byte[] b) { tag(field, 2); raw(varintBytes(b.length)); raw(b); return this; }

        Proto string(int field, String s) { return bytes(field, s.getBytes(StandardCharsets.UTF_8)); }

        Proto message(int field, Proto m) { return bytes(field, m.toBytes()); }

        Proto raw(byte[] b) { out.writeBytes(b); return this; }

        private void tag(int field, int wire) { raw(varintBytes((long) field << 3 | wire)); }

        byte[] toBytes() { return out.toByteArray(); }
    }

    static byte[] varintBytes(long v) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        while ((v & ~0x7FL) != 0) {
            o.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        o.write((int) v);
        return o.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    static byte[] u32(long v) { return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)}; }

    static int maskedCrc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return Crc32c.mask((int) c.getValue());
    }

    /** {@code BundleHeaderProto}. */
    static byte[] header(int shards, int endianness) {
        Proto p = new Proto().varint(1, shards);
        if (endianness != 0) p.varint(2, endianness);
        return p.message(3, new Proto().varint(1, 1)).toBytes();
    }

    /** {@code BundleEntryProto} of a whole tensor. */
    static byte[] entry(int dtype, long[] dims, int shard, long offset, long size, int crc) {
        Proto shape = new Proto();
        for (long d : dims) shape.message(2, new Proto().varint(1, d));
        Proto p = new Proto().varint(1, dtype).message(2, shape);
        if (shard != 0) p.varint(3, shard);
        if (offset != 0) p.varint(4, offset);
        return p.varint(5, size).fixed32(6, crc).toBytes();
    }

    /** Block contents: entries with shared key prefixes, a restart point every {@code interval} entries. */
    static byte[] block(List<KV> kvs, int interval) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        List<Integer> restarts = new ArrayList<>();
        byte[] prev = new byte[0];
        for (int i = 0; i < kvs.size(); i++) {
            KV kv = kvs.get(i);
            int shared = 0;
            if (i % interval == 0) {
                restarts.add(o.size());
            } else {
                while (shared < prev.length && shared < kv.key.length && prev[shared] == kv.key[shared]) shared++;
            }
            o.writeBytes(varintBytes(shared));
            o.writeBytes(varintBytes(kv.key.length - shared));
            o.writeBytes(varintBytes(kv.value.length));
            o.write(kv.key, shared, kv.key.length - shared);
            o.writeBytes(kv.value);
            prev = kv.key;
        }
        if (restarts.isEmpty()) restarts.add(0);
        for (int r : restarts) o.writeBytes(u32(r));
        o.writeBytes(u32(restarts.size()));
        return o.toByteArray();
    }

    /** A valid snappy stream of {@code plain}: literals of at most 60 bytes. */
    static byte[] snappy(byte[] plain) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(varintBytes(plain.length));
        for (int at = 0; at < plain.length; at += 60) {
            int n = Math.min(60, plain.length - at);
            o.write((n - 1) << 2);
            o.write(plain, at, n);
        }
        return o.toByteArray();
    }

    /** A stored block: contents, compression type, masked CRC-32C of both. */
    static byte[] stored(byte[] contents, int type) {
        byte[] typed = concat(contents, new byte[] {(byte) type});
        return concat(typed, u32(maskedCrc(typed)));
    }

    /**
     * A table of {@code kvs}: {@code perBlock} entries per data block, a restart every {@code interval} entries,
     * blocks snappy-compressed (as literals) when {@code snappy}.
     */
    static byte[] table(List<KV> kvs, int perBlock, int interval, boolean snappy) {
        List<byte[]> blocks = new ArrayList<>();
        List<byte[]> lastKeys = new ArrayList<>();
        for (int i = 0; i < kvs.size(); i += perBlock) {
            List<KV> part = kvs.subList(i, Math.min(kvs.size(), i + perBlock));
            blocks.add(block(part, interval));
            lastKeys.add(part.getLast().key);
        }
        return table(blocks, lastKeys, snappy);
    }

    /** A table of the given data block contents, each keyed in the index by its last key. */
    static byte[] table(List<byte[]> blocks, List<byte[]> lastKeys, boolean snappy) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        List<KV> index = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            byte[] contents = snappy ? snappy(blocks.get(i)) : blocks.get(i);
            long offset = file.size();
            file.writeBytes(stored(contents, snappy ? 1 : 0));
            index.add(new KV(lastKeys.get(i), concat(varintBytes(offset), varintBytes(contents.length))));
        }
        byte[] meta = block(List.of(), 1);
        long metaOffset = file.size();
        file.writeBytes(stored(meta, 0));
        byte[] indexBlock = block(index, 1);
        long indexOffset = file.size();
        file.writeBytes(stored(indexBlock, 0));
        return concat(file.toByteArray(), footer(metaOffset, meta.length, indexOffset, indexBlock.length));
    }

    static byte[] footer(long metaOffset, long metaSize, long indexOffset, long indexSize) {
        byte[] handles = concat(varintBytes(metaOffset), varintBytes(metaSize), varintBytes(indexOffset), varintBytes(indexSize));
        byte[] footer = new byte[Table.FOOTER_LENGTH];
        System.arraycopy(handles, 0, footer, 0, handles.length);
        long m = Table.MAGIC;
        for (int i = 0; i < 8; i++) footer[40 + i] = (byte) (m >>> (8 * i));
        return footer;
    }

    /** Writes {@code dir/PREFIX.index} and {@code dir/PREFIX.data-0000i-of-0000n}; returns the prefix. */
    static Path write(Path dir, String prefix, byte[] index, byte[]... shards) {
        try {
            Files.write(dir.resolve(prefix + ".index"), index);
            for (int i = 0; i < shards.length; i++) {
                Files.write(dir.resolve(String.format("%s.data-%05d-of-%05d", prefix, i, shards.length)), shards[i]);
            }
            return dir.resolve(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Little-endian floats. */
    static byte[] floats(float... v) {
        byte[] b = new byte[4 * v.length];
        for (int i = 0; i < v.length; i++) {
            int x = Float.floatToRawIntBits(v[i]);
            for (int k = 0; k < 4; k++) b[4 * i + k] = (byte) (x >>> (8 * k));
        }
        return b;
    }

    /** A one-shard bundle of F32 tensors named {@code names}, each holding {@code values}. */
    static Path floatBundle(Path dir, String prefix, List<String> names, float... values) {
        byte[] data = floats(values);
        List<KV> kvs = new ArrayList<>();
        kvs.add(new KV(new byte[0], header(1, 0)));
        ByteArrayOutputStream shard = new ByteArrayOutputStream();
        for (String n : names.stream().sorted().toList()) {
            kvs.add(KV.of(n, entry(1, new long[] {values.length}, 0, shard.size(), data.length, maskedCrc(data))));
            shard.writeBytes(data);
        }
        return write(dir, prefix, table(kvs, 16, 4, false), shard.toByteArray());
    }
}
