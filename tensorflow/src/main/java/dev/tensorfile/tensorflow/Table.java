package dev.tensorfile.tensorflow;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.ByteCursor;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A table in LevelDB's format ({@code doc/table_format.md}; TensorFlow's {@code tsl/lib/io/table}), which is what a
 * tensor bundle's {@code .index} file is: data blocks of sorted keys, an index block with a handle per data block,
 * and a 48-byte footer ending in a magic number. Each block is followed by a trailer (compression type, masked
 * CRC-32C), checked here; blocks are stored as they are or snappy-compressed.
 *
 * <p>Every length, handle, varint and restart offset is checked against the bytes that hold it before it is used;
 * handles must lie inside the file, in order and without overlapping (so no block is decompressed twice), and keys
 * must strictly increase (so no name repeats).
 */
final class Table {
    /** {@code kTableMagicNumber}, little-endian in the last 8 bytes. */
    static final long MAGIC = 0xdb4775248b80fb57L;
    /** Two block handles padded to 40 bytes, then the magic. */
    static final int FOOTER_LENGTH = 48;
    /** Compression type byte and masked CRC-32C after every block. */
    static final int TRAILER_LENGTH = 5;
    static final int NO_COMPRESSION = 0;
    static final int SNAPPY = 1;

    /**
     * One key/value of a data block.
     *
     * @param key the full key (prefix sharing undone)
     * @param value the value's bytes: a view of the mapping, or of the decompressed block
     * @param offset the value's absolute file offset, or for a compressed block the block's
     */
    record Entry(byte[] key, MemorySegment value, long offset) {}

    /** Where a block lies. */
    private record BlockHandle(long offset, long size) {}

    private final MemorySegment content;
    private final Path file;
    private final ReadLimits limits;
    private long decoded;

    private Table(MemorySegment content, Path file, ReadLimits limits) {
        this.content = content;
        this.file = file;
        this.limits = limits;
    }

    /** Every entry of every data block of the table {@code content} (the whole of {@code file}), in key order. */
    static List<Entry> read(MemorySegment content, Path file, ReadLimits limits) {
        return new Table(content, file, limits).entries();
    }

    private ByteCursor cursor() { return new ByteCursor(content, 0, TensorFlowFile.FORMAT, file); }

    private List<Entry> entries() {
        long size = content.byteSize();
        ByteCursor c = cursor().structure("table footer");
        if (size < FOOTER_LENGTH) throw c.fail("a table ends in a " + FOOTER_LENGTH + "-byte footer; the file has " + size + " bytes");
        long footer = size - FOOTER_LENGTH;
        c.seek(size - 8);
        long magic = c.i64();
        if (magic != MAGIC) {
            throw c.failAt(size - 8, "magic number 0x" + Long.toHexString(magic) + " is not the table magic 0x" + Long.toHexString(MAGIC));
        }
        c.seek(footer);
        BlockHandle meta = handle(c, footer, "metaindex handle");
        BlockHandle index = handle(c, footer, "index handle");
        if (c.position() > size - 8) throw c.failAt(footer, "block handles run into the magic number");
        if (meta.offset + meta.size + TRAILER_LENGTH > index.offset && index.offset + index.size + TRAILER_LENGTH > meta.offset) {
            throw c.failAt(footer, "metaindex and index blocks overlap");
        }
        ByteCursor indexBlock = block(index, "index block");
        List<BlockHandle> handles = new ArrayList<>();
        long end = 0;
        for (Entry e : parse(indexBlock, "index block", false)) {
            ByteCursor v = new ByteCursor(e.value, e.offset, TensorFlowFile.FORMAT, file).structure("index block entry");
            BlockHandle h = handle(v, footer, "data block handle");
            if (h.offset < end) {
                throw v.failAt(0, "data block at byte " + h.offset + " starts before the previous one ends (" + end + ")");
            }
            end = h.offset + h.size + TRAILER_LENGTH;
            if (h.offset < index.offset + index.size + TRAILER_LENGTH && end > index.offset) {
                throw v.failAt(0, "data block at byte " + h.offset + " overlaps the index block");
            }
            handles.add(h);
        }
        List<Entry> out = new ArrayList<>();
        byte[] previous = null;
        for (int i = 0; i < handles.size(); i++) {
            String name = "data block #" + i;
            for (Entry e : parse(block(handles.get(i), name), name, true)) {
                if (previous != null && Arrays.compareUnsigned(previous, e.key) >= 0) {
                    throw new ByteCursor(e.value, e.offset, TensorFlowFile.FORMAT, file).structure(name)
                            .fail("key '" + printable(e.key) + "' does not follow '" + printable(previous) + "': keys must strictly increase");
                }
                previous = e.key;
                out.add(e);
            }
        }
        return out;
    }

    /** A block handle: two varint64s, the block inside {@code [0, limit)} with its trailer. */
    private BlockHandle handle(ByteCursor c, long limit, String what) {
        long at = c.position();
        long offset = varint64(c, what + " offset");
        long size = varint64(c, what + " size");
        if (offset < 0 || size < 0 || offset > limit || size > limit - offset || TRAILER_LENGTH > limit - offset - size) {
            throw c.failAt(at, what + " [" + Long.toUnsignedString(offset) + ", +" + Long.toUnsignedString(size)
                    + "] and its trailer do not fit before byte " + limit);
        }
        return new BlockHandle(offset, size);
    }

    /** A block's contents, its trailer checked, decompressed if it was compressed. */
    private ByteCursor block(BlockHandle h, String name) {
        ByteCursor c = cursor().structure(name);
        c.seek(h.offset + h.size);
        int type = c.u8();
        int stored = c.i32();
        CRC32C crc = new CRC32C();
        Crc32c.update(crc, content.asSlice(h.offset, h.size + 1));
        int computed = Crc32c.mask((int) crc.getValue());
        if (computed != stored) {
            throw c.failAt(h.offset + h.size, "block checksum 0x" + Integer.toHexString(stored)
                    + " does not match its bytes (0x" + Integer.toHexString(computed) + ")");
        }
        c.seek(h.offset);
        ByteCursor contents = c.split(h.size).structure(name);
        if (type == NO_COMPRESSION) return contents;
        if (type != SNAPPY) {
            throw c.failAt(h.offset + h.size, "block compression type " + type + " is not 0 (none) or 1 (snappy)");
        }
        long budget = Math.min(Integer.MAX_VALUE - 8, limits.maxHeaderBytes() - decoded);
        byte[] plain = Snappy.decompress(contents, Math.max(0, budget));
        decoded += plain.length;
        return new ByteCursor(MemorySegment.ofArray(plain), h.offset, TensorFlowFile.FORMAT, file)
                .structure(name + " (snappy; offsets inside the uncompressed block)");
    }

    /**
     * The entries of one block: {@code shared, non_shared, value_length} varint32s, the key's unshared bytes, the
     * value; then the restart offsets (uint32 each) and their count. Every restart must be where an entry starts
     * and that entry must share nothing with the previous key.
     */
    private List<Entry> parse(ByteCursor b, String name, boolean mapped) {
        long size = b.remaining();
        if (size < 4) throw b.fail(name + " of " + size + " bytes has no room for its restart count");
        b.seek(size - 4);
        long restarts = b.u32();
        if (restarts < 1 || restarts > (size - 4) / 4) {
            throw b.failAt(size - 4, "restart count " + restarts + " does not fit a block of " + size + " bytes");
        }
        long limit = size - 4 - 4 * restarts;
        long[] restart = new long[(int) restarts];
        b.seek(limit);
        for (int i = 0; i < restarts; i++) {
            long at = b.position();
            restart[i] = b.u32();
            if (restart[i] > limit || (restart[i] == limit && limit != 0) || (i > 0 && restart[i] <= restart[i - 1])) {
                throw b.failAt(at, "restart offset " + restart[i] + " is not an entry start before the restart array at " + limit);
            }
        }
        if (restart[0] != 0) throw b.failAt(limit, "the first restart offset is " + restart[0] + ", not 0");
        b.seek(0);
        List<Entry> out = new ArrayList<>();
        byte[] key = new byte[0];
        int r = 0;
        while (b.position() < limit) {
            long at = b.position();
            boolean isRestart = r < restarts && restart[r] == at;
            if (r < restarts && restart[r] < at) {
                throw b.failAt(limit + 4L * r, "restart offset " + restart[r] + " is not where an entry starts");
            }
            if (isRestart) r++;
            long shared = varint32(b, limit, "shared key length");
            long unshared = varint32(b, limit, "unshared key length");
            long valueLength = varint32(b, limit, "value length");
            if (shared > key.length) throw b.failAt(at, "entry shares " + shared + " bytes of a previous key of " + key.length);
            if (isRestart && shared != 0) throw b.failAt(at, "entry at a restart point shares " + shared + " key bytes; it must share none");
            if (unshared > limit - b.position() || valueLength > limit - b.position() - unshared) {
                throw b.failAt(at, "entry of " + unshared + " key and " + valueLength + " value bytes overruns the block's entries, which end at " + limit);
            }
            if (shared + unshared > limits.maxStringBytes()) throw b.failAt(at, "key of " + (shared + unshared) + " bytes is too long");
            byte[] next = Arrays.copyOf(key, (int) (shared + unshared));
            MemorySegment.copy(b.slice(unshared), java.lang.foreign.ValueLayout.JAVA_BYTE, 0, next, (int) shared, (int) unshared);
            key = next;
            long valueAt = b.absolutePosition();
            MemorySegment value = b.slice(valueLength);
            out.add(new Entry(key, value, mapped ? valueAt : b.absolutePosition() - b.position()));
        }
        if (r < restarts && limit > 0) throw b.failAt(limit + 4L * r, "restart offset " + restart[r] + " is not where an entry starts");
        return out;
    }

    private static long varint32(ByteCursor b, long limit, String what) {
        long at = b.position();
        long v = 0;
        for (int i = 0; i < 5; i++) {
            if (b.position() >= limit) throw b.failAt(at, what + " varint is cut off by the end of the entries");
            int x = b.u8();
            v |= (long) (x & 0x7F) << (7 * i);
            if (x < 0x80) {
                if (v > 0xFFFFFFFFL) throw b.failAt(at, what + " varint exceeds 32 bits");
                return v;
            }
        }
        throw b.failAt(at, what + " varint is longer than 5 bytes");
    }

    private static long varint64(ByteCursor c, String what) {
        long at = c.position();
        long v = 0;
        for (int i = 0; i < 10; i++) {
            if (c.remaining() == 0) throw c.failAt(at, what + " varint is cut off");
            int x = c.u8();
            if (i == 9 && x > 1) throw c.failAt(at, what + " varint is longer than 64 bits");
            v |= (long) (x & 0x7F) << (7 * i);
            if (x < 0x80) return v;
        }
        throw c.failAt(at, what + " varint is longer than 10 bytes");
    }

    /** A key for an error message: printable ASCII as it is, other bytes as \xNN, at most 200 characters. */
    static String printable(byte[] key) {
        StringBuilder s = new StringBuilder();
        for (byte x : key) {
            if (s.length() > 200) return s.append("...").toString();
            if (x >= 0x20 && x < 0x7F) s.append((char) x);
            else s.append(String.format("\\x%02x", x & 0xFF));
        }
        return s.toString();
    }
}
