package dev.tensorfile.tensorflow;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.testframework.Hostile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.tensorfile.tensorflow.Bundles.KV;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-built hostile bundles, one per rule: each fails with a typed one-line error naming the file, the structure
 * and (where there is one) the byte offset; never an OutOfMemoryError (this suite runs in a 64 MB heap), a hang or
 * an IndexOutOfBoundsException.
 */
class TensorFlowHostileInputTest {
    @TempDir Path dir;

    private static final byte[] ONE = Bundles.floats(1);

    private static KV header() { return new KV(new byte[0], Bundles.header(1, 0)); }

    private static KV tensor(String name, long[] dims, long offset, long size) {
        return KV.of(name, Bundles.entry(1, dims, 0, offset, size, Bundles.maskedCrc(ONE)));
    }

    private Path bundle(byte[] index, byte[]... shards) { return Bundles.write(dir, "ckpt", index, shards); }

    private Path bundle(List<KV> kvs, byte[]... shards) { return bundle(Bundles.table(kvs, 8, 4, false), shards); }

    private static <T extends TensorFileException> T fails(Class<T> type, Path p, String expected) {
        return fails(type, p, ReadLimits.DEFAULT, expected);
    }

    private static <T extends TensorFileException> T fails(Class<T> type, Path p, ReadLimits limits, String expected) {
        T e = Hostile.assertRejected(type, p, () -> {
            try (TensorFile f = TensorFiles.format("tensorflow").orElseThrow().open(p, limits)) {
                f.verify();
                f.tensors().forEach(t -> { if (t.dtype() == dev.tensorfile.core.DType.STRING) t.strings(); });
            }
        }, expected);
        assertTrue(e.getMessage().startsWith("tensorflow: "), e.getMessage());
        return e;
    }

    // ---- the table: footer, handles, trailers, blocks ----

    @Test
    void rejectsIndexShorterThanTheFooter() {
        fails(MalformedFileException.class, bundle(new byte[20], ONE), "48-byte footer");
    }

    @Test
    void rejectsIndexLargerThanTheHeaderLimit() {
        byte[] index = Bundles.table(List.of(header(), tensor("a", new long[] {}, 0, 4)), 8, 4, false);
        ReadLimits small = new ReadLimits(64, 64, 1 << 20, 1 << 20, 1 << 20, 1);
        fails(MalformedFileException.class, bundle(index, ONE), small, "larger than the 64 a header may have");
    }

    @Test
    void rejectsIndexWithoutTheTableMagic() {
        byte[] index = Bundles.table(List.of(header()), 8, 4, false);
        index[index.length - 1] ^= 1;
        fails(MalformedFileException.class, bundle(index, ONE), "is not the table magic");
    }

    @Test
    void rejectsIndexHandleOutsideTheFile() {
        byte[] index = Bundles.concat(new byte[10], Bundles.footer(0, 0, 1 << 20, 100));
        MalformedFileException e = fails(MalformedFileException.class, bundle(index, ONE), "index handle");
        assertEquals(12, e.offset(), "the index handle, after the 2-byte metaindex handle");
    }

    @Test
    void rejectsHandleVarintLongerThanTenBytes() {
        byte[] footer = Bundles.footer(0, 0, 0, 0);
        for (int i = 0; i < 11; i++) footer[i] = (byte) 0x80;
        fails(MalformedFileException.class, bundle(footer, ONE), "varint");
    }

    @Test
    void rejectsBlockWhoseChecksumDoesNotMatch() {
        byte[] index = Bundles.table(List.of(header()), 8, 4, false);
        index[1] ^= 0x40; // inside the first data block
        fails(MalformedFileException.class, bundle(index, ONE), "block checksum");
    }

    @Test
    void rejectsUnknownBlockCompressionType() {
        byte[] block = Bundles.block(List.of(header()), 4);
        byte[] stored = Bundles.stored(block, 7);
        fails(MalformedFileException.class, bundle(tableOfStored(stored, block.length), ONE), "compression type 7");
    }

    /** A table whose one data block is {@code stored} (contents of {@code size} bytes, then the trailer). */
    private static byte[] tableOfStored(byte[] stored, int size) {
        byte[] indexBlock = Bundles.block(List.of(new KV(new byte[] {'z'}, Bundles.concat(Bundles.varintBytes(0), Bundles.varintBytes(size)))), 1);
        byte[] meta = Bundles.block(List.of(), 1);
        long metaAt = stored.length;
        long indexAt = metaAt + meta.length + Table.TRAILER_LENGTH;
        return Bundles.concat(stored, Bundles.stored(meta, 0), Bundles.stored(indexBlock, 0),
                Bundles.footer(metaAt, meta.length, indexAt, indexBlock.length));
    }

    private Path blockOf(byte[] contents) {
        return bundle(tableOfStored(Bundles.stored(contents, 0), contents.length), ONE);
    }

    @Test
    void rejectsBlockTooSmallForItsRestartCount() {
        fails(MalformedFileException.class, blockOf(new byte[] {1, 2}), "no room for its restart count");
    }

    @Test
    void rejectsRestartCountLargerThanTheBlock() {
        byte[] b = Bundles.block(List.of(header()), 4);
        byte[] bad = Bundles.concat(java.util.Arrays.copyOf(b, b.length - 4), Bundles.u32(1_000_000));
        fails(MalformedFileException.class, blockOf(bad), "restart count 1000000");
    }

    @Test
    void rejectsRestartOffsetThatIsNotAnEntry() {
        byte[] entries = entryBytes(header(), KV.of("a", Bundles.entry(1, new long[] {}, 0, 0, 4, Bundles.maskedCrc(ONE))));
        byte[] bad = Bundles.concat(entries, Bundles.u32(0), Bundles.u32(3), Bundles.u32(2));
        fails(MalformedFileException.class, blockOf(bad), "restart offset 3 is not where an entry starts");
    }

    @Test
    void rejectsRestartOffsetPastTheEntries() {
        byte[] entries = entryBytes(header());
        byte[] bad = Bundles.concat(entries, Bundles.u32(0), Bundles.u32(9999), Bundles.u32(2));
        fails(MalformedFileException.class, blockOf(bad), "restart offset 9999");
    }

    @Test
    void rejectsRestartEntryThatSharesKeyBytes() {
        KV a = KV.of("ab", ONE);
        byte[] first = entryBytes(header(), a);
        // a restart entry claiming to share 1 byte with "ab"
        byte[] second = Bundles.concat(Bundles.varintBytes(1), Bundles.varintBytes(1), Bundles.varintBytes(0), new byte[] {'c'});
        byte[] body = Bundles.concat(first, second);
        byte[] bad = Bundles.concat(body, Bundles.u32(0), Bundles.u32(first.length), Bundles.u32(2));
        fails(MalformedFileException.class, blockOf(bad), "must share none");
    }

    @Test
    void rejectsSharedPrefixLongerThanThePreviousKey() {
        byte[] e = Bundles.concat(Bundles.varintBytes(5), Bundles.varintBytes(1), Bundles.varintBytes(0), new byte[] {'x'});
        byte[] body = Bundles.concat(entryBytes(header()), e);
        fails(MalformedFileException.class, blockOf(Bundles.concat(body, Bundles.u32(0), Bundles.u32(1))), "shares 5 bytes of a previous key of 0");
    }

    @Test
    void rejectsEntryThatOverrunsItsBlock() {
        byte[] e = Bundles.concat(Bundles.varintBytes(0), Bundles.varintBytes(0), Bundles.varintBytes(1_000_000));
        fails(MalformedFileException.class, blockOf(Bundles.concat(e, Bundles.u32(0), Bundles.u32(1))), "overruns the block");
    }

    @Test
    void rejectsEntryVarintLongerThanFiveBytes() {
        byte[] e = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0, 0, 0};
        fails(MalformedFileException.class, blockOf(Bundles.concat(e, Bundles.u32(0), Bundles.u32(1))), "longer than 5 bytes");
    }

    @Test
    void rejectsKeysThatDoNotIncrease() {
        List<KV> kvs = List.of(header(), tensor("b", new long[] {}, 0, 4), tensor("a", new long[] {}, 0, 4));
        fails(MalformedFileException.class, bundle(Bundles.table(kvs, 8, 1, false), ONE), "keys must strictly increase");
    }

    @Test
    void rejectsRepeatedKeys() {
        List<KV> kvs = List.of(header(), tensor("a", new long[] {}, 0, 4), tensor("a", new long[] {}, 0, 4));
        fails(MalformedFileException.class, bundle(Bundles.table(kvs, 1, 1, false), ONE), "keys must strictly increase");
    }

    /** Two index entries naming the same data block: the block would be read (and decompressed) twice. */
    @Test
    void rejectsDataBlocksThatOverlap() {
        byte[] block = Bundles.block(List.of(header()), 4);
        byte[] stored = Bundles.stored(block, 0);
        byte[] handle = Bundles.concat(Bundles.varintBytes(0), Bundles.varintBytes(block.length));
        byte[] indexBlock = Bundles.block(List.of(new KV(new byte[] {'a'}, handle), new KV(new byte[] {'b'}, handle)), 1);
        byte[] meta = Bundles.block(List.of(), 1);
        long metaAt = stored.length;
        long indexAt = metaAt + meta.length + Table.TRAILER_LENGTH;
        byte[] index = Bundles.concat(stored, Bundles.stored(meta, 0), Bundles.stored(indexBlock, 0),
                Bundles.footer(metaAt, meta.length, indexAt, indexBlock.length));
        fails(MalformedFileException.class, bundle(index, ONE), "starts before the previous one ends");
    }

    // ---- snappy blocks ----

    @Test
    void rejectsSnappyBlockClaimingMoreThanItCanExpandTo() {
        byte[] bomb = Bundles.concat(Bundles.varintBytes(0xFFFFFFF0L), new byte[] {0, 'x'});
        fails(MalformedFileException.class, bundle(tableOfStored(Bundles.stored(bomb, 1), bomb.length), ONE), "more than snappy can expand");
    }

    /** A real run of copies (64 bytes per 3) that does expand 21 times, beyond the header budget given. */
    @Test
    void rejectsSnappyBlocksBeyondTheHeaderBudget() {
        int copies = 20_000;
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        o.writeBytes(Bundles.varintBytes(1 + 64L * copies));
        o.write(0);
        o.write('x');
        for (int i = 0; i < copies; i++) o.writeBytes(new byte[] {(byte) (2 | 63 << 2), 1, 0});
        byte[] bomb = o.toByteArray();
        ReadLimits small = new ReadLimits(1 << 20, 64, 1 << 20, 1 << 20, 1 << 20, 1);
        fails(MalformedFileException.class, bundle(tableOfStored(Bundles.stored(bomb, 1), bomb.length), ONE), small, "at most");
    }

    @Test
    void rejectsSnappyCopyFromBeforeTheBlock() {
        byte[] bad = Bundles.concat(Bundles.varintBytes(8), new byte[] {1 | 0 << 2, 9});
        fails(MalformedFileException.class, bundle(tableOfStored(Bundles.stored(bad, 1), bad.length), ONE), "copy offset 9");
    }

    // ---- the bundle: header and entries ----

    @Test
    void rejectsIndexWithoutTheHeaderEntry() {
        fails(MalformedFileException.class, bundle(List.of(tensor("a", new long[] {}, 0, 4)), ONE), "no BundleHeaderProto");
    }

    @Test
    void rejectsShardCountOutsideTheRange() {
        List<KV> kvs = List.of(new KV(new byte[0], Bundles.header(0, 0)));
        fails(MalformedFileException.class, bundle(kvs, ONE), "num_shards 0");
        List<KV> many = List.of(new KV(new byte[0], Bundles.header(Integer.MAX_VALUE, 0)));
        fails(MalformedFileException.class, bundle(many, ONE), "num_shards 2147483647");
    }

    @Test
    void rejectsUnknownEndianness() {
        fails(MalformedFileException.class, bundle(List.of(new KV(new byte[0], Bundles.header(1, 5))), ONE), "endianness 5");
    }

    @Test
    void rejectsShardIdOutsideTheHeader() {
        KV bad = KV.of("a", Bundles.entry(1, new long[] {}, 3, 0, 4, 0));
        fails(MalformedFileException.class, bundle(List.of(header(), bad), ONE), "shard_id 3 is outside the header's 1 shards");
    }

    @Test
    void rejectsNegativeShardId() {
        KV bad = KV.of("a", new Bundles.Proto().varint(1, 1).varint(3, -1).varint(5, 4).toBytes());
        fails(MalformedFileException.class, bundle(List.of(header(), bad), ONE), "shard_id -1");
    }

    @Test
    void rejectsOffsetPlusSizePastTheShard() {
        fails(MalformedFileException.class, bundle(List.of(header(), tensor("a", new long[] {}, 2, 4)), ONE), "lie outside");
    }

    @Test
    void rejectsOffsetNearTheTopOfTheRange() {
        KV bad = KV.of("a", Bundles.entry(1, new long[] {}, 0, Long.MAX_VALUE - 1, 4, 0));
        fails(MalformedFileException.class, bundle(List.of(header(), bad), ONE), "lie outside");
    }

    @Test
    void rejectsNegativeOffset() {
        KV bad = KV.of("a", new Bundles.Proto().varint(1, 1).varint(4, -8).varint(5, 4).toBytes());
        fails(MalformedFileException.class, bundle(List.of(header(), bad), ONE), "offset -8 is negative");
    }

    @Test
    void rejectsSizeThatDisagreesWithTheShape() {
        fails(MalformedFileException.class, bundle(List.of(header(), tensor("a", new long[] {2}, 0, 4)), ONE), "size 4 is not the 8 bytes");
    }

    @Test
    void rejectsNegativeDimension() {
        fails(MalformedFileException.class, bundle(List.of(header(), tensor("a", new long[] {-1}, 0, 4)), ONE), "dimension 0 is -1");
    }

    @Test
    void rejectsShapeWhoseSizeOverflows() {
        long[] dims = {1L << 40, 1L << 40};
        fails(MalformedFileException.class, bundle(List.of(header(), tensor("a", dims, 0, 4)), ONE), "overflows");
    }

    @Test
    void rejectsUnknownRank() {
        byte[] entry = new Bundles.Proto().varint(1, 1).message(2, new Bundles.Proto().varint(3, 1)).varint(5, 4).toBytes();
        fails(MalformedFileException.class, bundle(List.of(header(), KV.of("a", entry)), ONE), "unknown_rank");
    }

    @Test
    void rejectsEntryProtoVarintCutOff() {
        KV bad = KV.of("a", new byte[] {0x08, (byte) 0x80});
        fails(MalformedFileException.class, bundle(List.of(header(), bad), ONE), "varint is cut off");
    }

    @Test
    void rejectsEntryProtoFieldLongerThanTheEntry() {
        KV bad = KV.of("a", new byte[] {0x12, 0x7F, 0});
        fails(MalformedFileException.class, bundle(List.of(header(), bad), ONE), "claims 127 bytes");
    }

    @Test
    void rejectsKeyThatIsNotUtf8() {
        KV bad = new KV(new byte[] {'a', (byte) 0xFF}, Bundles.entry(1, new long[] {}, 0, 0, 4, 0));
        fails(MalformedFileException.class, bundle(List.of(header(), bad), ONE), "not valid UTF-8");
    }

    // ---- shards ----

    @Test
    void rejectsMissingShard() {
        Path prefix = bundle(List.of(header(), tensor("a", new long[] {}, 0, 4)));
        fails(TensorFileException.class, prefix, "data shard ckpt.data-00000-of-00001 is missing");
    }

    @Test
    void rejectsShardThatLinksOutsideTheDirectory() throws IOException {
        Path inner = Files.createDirectory(dir.resolve("inner"));
        Path outside = Files.write(dir.resolve("elsewhere.bin"), ONE);
        Path prefix = Bundles.write(inner, "ckpt", Bundles.table(List.of(header(), tensor("a", new long[] {}, 0, 4)), 8, 4, false));
        Files.createSymbolicLink(inner.resolve("ckpt.data-00000-of-00001"), outside);
        fails(TensorFileException.class, prefix, "outside the directory of the index");
    }

    // ---- data ----

    @Test
    void verifyRejectsDataThatDoesNotMatchItsChecksum() {
        fails(MalformedFileException.class, bundle(List.of(header(), tensor("a", new long[] {}, 0, 4)), Bundles.floats(2)), "CRC-32C");
    }

    @Test
    void rejectsStringTensorWithMoreElementsThanBytes() {
        KV s = KV.of("s", Bundles.entry(7, new long[] {1_000_000_000L}, 0, 0, 4, 0));
        fails(MalformedFileException.class, bundle(List.of(header(), s), ONE), "1000000000 strings need at least");
    }

    @Test
    void rejectsStringLengthThatOverrunsTheTensor() {
        byte[] data = Bundles.concat(Bundles.varintBytes(1_000_000), new byte[4]);
        KV s = KV.of("s", Bundles.entry(7, new long[] {1}, 0, 0, data.length, 0));
        fails(MalformedFileException.class, bundle(List.of(header(), s), data), "overruns the tensor");
    }

    @Test
    void rejectsStringLengthChecksumMismatch() {
        byte[] data = Bundles.concat(Bundles.varintBytes(1), new byte[] {1, 2, 3, 4}, new byte[] {'x'});
        KV s = KV.of("s", Bundles.entry(7, new long[] {1}, 0, 0, data.length, 0));
        fails(MalformedFileException.class, bundle(List.of(header(), s), data), "length checksum");
    }

    // ---- saved_model.pb / .pbtxt ----

    private Path savedModel(String name, byte[] content) throws IOException {
        Path model = Files.createDirectories(dir.resolve("model"));
        Files.write(model.resolve(name), content);
        return model;
    }

    @Test
    void rejectsSavedModelFieldLongerThanTheFile() throws IOException {
        byte[] pb = {0x12, (byte) 0xFF, 0x7F, 0x0A};
        fails(MalformedFileException.class, savedModel("saved_model.pb", pb), "claims 16383 bytes");
    }

    @Test
    void rejectsTextFormatStringNotClosed() throws IOException {
        fails(MalformedFileException.class, savedModel("saved_model.pbtxt", "meta_graphs { meta_info_def { tags: \"serve }}".getBytes()), "string is not closed");
    }

    @Test
    void rejectsTextFormatBraceClosingNothing() throws IOException {
        fails(MalformedFileException.class, savedModel("saved_model.pbtxt", "saved_model_schema_version: 1 }".getBytes()), "closes nothing");
    }

    @Test
    void rejectsTextFormatMessageNotClosed() throws IOException {
        fails(MalformedFileException.class, savedModel("saved_model.pbtxt", "meta_graphs { meta_info_def {".getBytes()), "not closed at the end");
    }

    /** Many entries in little space: the index's own bytes bound what opening allocates. */
    @Test
    void manyEntriesStayWithinTheHeap() {
        List<KV> kvs = new ArrayList<>();
        kvs.add(header());
        for (int i = 0; i < 20_000; i++) kvs.add(tensor(String.format("v%06d", i), new long[] {}, 0, 4));
        Path prefix = bundle(Bundles.table(kvs, 256, 16, true), ONE);
        try (TensorFile f = TensorFiles.open(prefix)) {
            assertEquals(20_000, f.tensors().size());
        }
    }

    private static byte[] entryBytes(KV... kvs) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        for (KV kv : kvs) {
            o.writeBytes(Bundles.varintBytes(0));
            o.writeBytes(Bundles.varintBytes(kv.key().length));
            o.writeBytes(Bundles.varintBytes(kv.value().length));
            o.writeBytes(kv.key());
            o.writeBytes(kv.value());
        }
        return o.toByteArray();
    }
}
