package dev.tensorfile.hdf5;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tensorfile.core.LimitExceededException;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.hdf5.format.Lookup3;
import dev.tensorfile.testframework.Fixtures;
import dev.tensorfile.testframework.Hostile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per structure rule, each on a fixture broken in one place; runs with a 64 MB heap and a 512 KB stack.
 * Each asserts the exception type and that its one-line message names the file, the structure and the byte
 * offset. Structures are found by their signatures (spec: "OHDR", "TREE", "HEAP", ...) in h5py's files.
 */
@Timeout(30)
class Hdf5HostileInputTest {
    private static final Fixtures FIXTURES = Fixtures.resources("hdf5");

    @TempDir Path dir;
    private int files;

    private static byte[] fixture(String name) {
        return Fixtures.bytes(name.startsWith("dv-") ? FIXTURES.file("shared").resolve(name) : FIXTURES.file("gen/" + name));
    }

    private Path write(byte[] bytes, String suffix) throws IOException {
        Path p = dir.resolve("f" + (files++) + suffix);
        Files.write(p, bytes);
        return p;
    }

    private Path write(byte[] bytes) throws IOException { return write(bytes, ".h5"); }

    private static int find(byte[] b, String sig, int from) {
        outer:
        for (int i = from; i <= b.length - sig.length(); i++) {
            for (int j = 0; j < sig.length(); j++) if (b[i + j] != sig.charAt(j)) continue outer;
            return i;
        }
        throw new AssertionError(sig + " not found");
    }

    /**
     * Re-seals the v2 object header at {@code at} after a patch (spec IV.A.1.b: lookup3 over prefix and chunk 0),
     * so the reader gets past the checksum to the rule under test.
     */
    private static void reseal(byte[] b, int at) {
        int flags = b[at + 5];
        int p = at + 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
        int n = 1 << (flags & 3);
        long chunk0 = 0;
        for (int i = 0; i < n; i++) chunk0 |= (long) (b[p + i] & 0xff) << (8 * i);
        int end = (int) (p + n + chunk0);
        int sum = Lookup3.hash(java.lang.foreign.MemorySegment.ofArray(b), at, end - at);
        ByteBuffer.wrap(b, end, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(sum);
    }

    private static int enclosingHeader(byte[] b, int at) {
        while (!new String(b, at, 4).equals("OHDR")) at--;
        return at;
    }

    private static long u64(byte[] b, int at) { return ByteBuffer.wrap(b, at, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(); }

    private static void put64(byte[] b, int at, long v) { ByteBuffer.wrap(b, at, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v); }

    /** Opens and reads every tensor whole, expecting {@code type}; checks the message names file, structure, offset. */
    private static <T extends TensorFileException> T rejects(Class<T> type, Path p, ReadLimits limits, String structure,
            long offset, String rule) {
        T e = Hostile.assertRejected(type, p, () -> {
            try (TensorFile f = limits == null ? TensorFiles.open(p) : new Hdf5Format().open(p, limits)) {
                for (Tensor t : f.tensors()) {
                    if (t.dtype() == dev.tensorfile.core.DType.STRING) t.strings();
                    else t.bytes();
                }
            }
        }, structure, offset, rule);
        if (p.getFileName().toString().endsWith(".h5")) Hdf5RemoteTest.readsTheSameOverHttp(p, limits == null ? ReadLimits.DEFAULT : limits);
        return e;
    }

    private static MalformedFileException rejects(Path p, String structure, long offset, String rule) {
        return rejects(MalformedFileException.class, p, null, structure, offset, rule);
    }

    @Test
    void rejectsSuperblockChecksumMismatch() throws IOException {
        byte[] b = fixture("layouts-latest.h5");
        b[20] ^= 1; // superblock v3: the superblock extension address; checksum at byte 44
        rejects(write(b), "superblock", 44, "checksum");
    }

    @Test
    void rejectsObjectHeaderSignature() throws IOException {
        byte[] b = fixture("layouts-latest.h5");
        int at = find(b, "OHDR", 0);
        b[at + 3] = 'X';
        rejects(write(b), "object header", at, "signature");
    }

    @Test
    void rejectsObjectHeaderChecksumMismatch() throws IOException {
        byte[] b = fixture("layouts-latest.h5");
        int at = find(b, "OHDR", 0);
        b[at + 12] ^= 0x40;
        rejects(write(b), "object header", -1, "checksum");
    }

    @Test
    void rejectsAddressPastTheEndOfTheFile() throws IOException {
        byte[] b = fixture("layouts-earliest.h5");
        // superblock v0: the root group's symbol table entry holds its object header address at byte 64
        put64(b, 64, b.length + 4096L);
        rejects(write(b), "object header", b.length + 4096L, "past the end of the file");
    }

    @Test
    void rejectsContiguousDataPastTheEndOfTheFile() throws IOException {
        byte[] b = fixture("superblock2.h5");
        // layout message v3, class 1 (contiguous) of x: address, then size 24; move the data to 8 bytes before the end
        int at = -1;
        for (int i = 0; i < b.length - 18 && at < 0; i++) {
            if (b[i] == 3 && b[i + 1] == 1 && u64(b, i + 10) == 24) at = i;
        }
        assertTrue(at > 0, "layout message not found");
        put64(b, at + 2, b.length - 8);
        reseal(b, enclosingHeader(b, at));
        rejects(write(b), "data layout message", at, "past the end of the file");
    }

    @Test
    void rejectsContinuationChainCycle() throws IOException {
        // a v2 continuation message (type 0x10, 16 bytes) pointing at an "OCHK" block: point it at its own "OHDR"
        for (String file : java.util.List.of("groups-latest.h5", "types-latest.h5")) {
            byte[] b = fixture(file);
            for (int ochk = b.length - 4; ochk > 0; ochk--) {
                if (!new String(b, ochk, 4).equals("OCHK")) continue;
                for (int i = 6; i < b.length - 8; i++) {
                    if (u64(b, i) != ochk) continue;
                    boolean plain = b[i - 4] == 0x10 && b[i - 3] == 16 && b[i - 2] == 0;
                    boolean ordered = b[i - 6] == 0x10 && b[i - 5] == 16 && b[i - 4] == 0;
                    if (!plain && !ordered) continue;
                    int header = enclosingHeader(b, i);
                    int block = i;
                    while (!new String(b, block, 4).equals("OCHK") && block > header) block--;
                    if (block != header) continue; // the message is in a continuation block itself
                    put64(b, i, header);
                    reseal(b, header);
                    rejects(write(b), "object header continuation message", i, "cycle");
                    return;
                }
            }
        }
        throw new AssertionError("no continuation message found");
    }

    @Test
    void rejectsV1BTreeCycle() throws IOException {
        byte[] b = fixture("layouts-earliest.h5");
        // an internal chunk-index node (type 1, level > 0) whose first child becomes the node itself
        for (int at = find(b, "TREE", 0); ; at = find(b, "TREE", at + 4)) {
            if (b[at + 4] != 1 || b[at + 5] == 0) continue;
            for (int rank = 1; rank <= 3; rank++) {
                int child = at + 24 + 8 + 8 * (rank + 1);
                long target = u64(b, child);
                if (target > 0 && target < b.length - 4 && new String(b, (int) target, 4).equals("TREE")) {
                    put64(b, child, at);
                    rejects(write(b), "v1 B-tree node", at, "cycle");
                    return;
                }
            }
        }
    }

    @Test
    void rejectsLocalHeapSignature() throws IOException {
        byte[] b = fixture("groups-earliest.h5");
        int at = find(b, "HEAP", 0);
        b[at] = 'X';
        rejects(write(b), "local heap", at, "signature");
    }

    @Test
    void rejectsSymbolTableNodeSignature() throws IOException {
        byte[] b = fixture("groups-earliest.h5");
        int at = find(b, "SNOD", 0);
        b[at] = 'X';
        rejects(write(b), "symbol table node", at, "signature");
    }

    @Test
    void rejectsFractalHeapHeaderChecksumMismatch() throws IOException {
        byte[] b = fixture("groups-latest.h5");
        int at = find(b, "FRHP", 0);
        b[at + 7] ^= 1;
        rejects(write(b), "fractal heap header", -1, "checksum");
    }

    @Test
    void rejectsV2BTreeHeaderChecksumMismatch() throws IOException {
        byte[] b = fixture("groups-latest.h5");
        int at = find(b, "BTHD", 0);
        b[at + 9] ^= 1;
        rejects(write(b), "v2 B-tree header", -1, "checksum");
    }

    @Test
    void rejectsFixedArrayHeaderChecksumMismatch() throws IOException {
        byte[] b = fixture("layouts-latest.h5");
        int at = find(b, "FAHD", 0);
        b[at + 8] ^= 1;
        rejects(write(b), "fixed array header", -1, "checksum");
    }

    @Test
    void rejectsExtensibleArrayHeaderChecksumMismatch() throws IOException {
        byte[] b = fixture("layouts-latest.h5");
        int at = find(b, "EAHD", 0);
        b[at + 8] ^= 1;
        rejects(write(b), "extensible array header", -1, "checksum");
    }

    @Test
    void rejectsGlobalHeapSignature() throws IOException {
        byte[] b = fixture("types-latest.h5");
        int at = find(b, "GCOL", 0);
        b[at] = 'X';
        rejects(write(b), "global heap", at, "signature");
    }

    @Test
    void rejectsDataspaceLargerThanItsStorage() throws IOException {
        byte[] b = fixture("superblock2.h5");
        // dataspace message v2 of x: version 2, rank 2, flags, type 1 (simple), dims 2 and 3
        byte[] want = {2, 2, 1, 1, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0};
        int at = -1;
        for (int i = 0; i < b.length - want.length && at < 0; i++) {
            if (Arrays.equals(b, i, i + 2, want, 0, 2) && b[i + 3] == 1 && Arrays.equals(b, i + 4, i + 20, want, 4, 20)) at = i;
        }
        assertTrue(at > 0, "dataspace not found");
        b[at + 4] = 4;
        b[at + 20] = 4;
        reseal(b, enclosingHeader(b, at));
        rejects(write(b), "data layout message", -1, "needs 48 bytes but its contiguous storage holds 24");
        // flags bit 0: maximum dimensions follow, which libhdf5 checks against the dimensions too
    }

    private JsonNode hostile() throws IOException {
        return new ObjectMapper().readTree(FIXTURES.file("gen/hostile/chunks.h5.json").toFile());
    }

    private Path hostileFile() throws IOException {
        return write(Fixtures.bytes(FIXTURES.file("gen/hostile/chunks.h5")));
    }

    private static MalformedFileException rejectsRead(Path p, String dataset, long offset, String rule) {
        try (TensorFile f = TensorFiles.open(p)) {
            Tensor t = f.tensor(dataset);
            MalformedFileException e = Hostile.assertRejected(MalformedFileException.class, p, t::bytes, "chunk", offset, rule);
            assertEquals(java.util.List.of(0, 1, 2), java.util.stream.IntStream.range(0, 3)
                    .map(i -> f.tensor("ok").bytes().getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, i)).boxed().toList(),
                    "the file's other datasets still read");
            Hdf5RemoteTest.readsTheSameOverHttp(p, ReadLimits.DEFAULT);
            return e;
        }
    }

    @Test
    void rejectsDecompressionBomb() throws IOException {
        rejectsRead(hostileFile(), "bomb", hostile().get("bomb").get("chunk_address").asLong(), "16");
    }

    @Test
    void rejectsCorruptDeflateStream() throws IOException {
        rejectsRead(hostileFile(), "corrupt_deflate", hostile().get("corrupt_deflate").get("chunk_address").asLong(), "deflate");
    }

    @Test
    void rejectsFailedFletcher32() throws IOException {
        rejectsRead(hostileFile(), "bad_fletcher32", hostile().get("bad_fletcher32").get("chunk_address").asLong(), "fletcher32");
    }

    @Test
    void rejectsGroupsNestedDeeperThanTheLimit() throws IOException {
        rejects(MalformedFileException.class, write(fixture("groups-earliest.h5")), ReadLimits.DEFAULT.withMaxNestingDepth(1),
                "object header", -1, "groups nest deeper than 1");
    }

    @Test
    void rejectsTruncatedKerasArchive() throws IOException {
        byte[] b = fixture("model.keras");
        rejects(MalformedFileException.class, write(Arrays.copyOf(b, b.length - 30), ".keras"), null, "zip", -1, "");
    }

    @Test
    void rejectsMalformedShardIndexInOneLine() throws IOException {
        Path index = write("{\"weight_map\": {".getBytes(), ".weights.json");
        TensorFileException e = rejects(TensorFileException.class, index, null, "shard index", -1, "at line 1, column 17");
        assertTrue(!e.getMessage().contains("Source:"), e.getMessage());
    }

    @Test
    void rejectsKerasShardOutsideItsDirectory() throws IOException {
        Path index = write("{\"weight_map\": {\"layers/dense/vars\": \"../evil.weights.h5\"}}".getBytes(), ".weights.json");
        rejects(TensorFileException.class, index, null, "shard", -1, "outside the index's directory");
    }

    /**
     * Data layout message version 1 (libhdf5 1.4, PyTables' smpl_SDSextendible.h5): a chunked layout of rank 3 is
     * chunks of 2x5 elements of 4 bytes. Rank 1 leaves no element size; a last field of 0 contradicts the datatype.
     */
    @Test
    void rejectsVersion1ChunkedLayoutWithoutElementSize() throws IOException {
        byte[] b = Fixtures.bytes(FIXTURES.file("pytables").resolve("smpl_SDSextendible.h5"));
        int at = layoutV1(b);
        b[at + 1] = 1;
        rejects(write(b), "data layout message", at + 1, "chunked layout dimensionality 1 leaves no element size");
    }

    @Test
    void rejectsVersion1ChunkedLayoutWhoseElementSizeIsNotTheDatatypes() throws IOException {
        byte[] b = Fixtures.bytes(FIXTURES.file("pytables").resolve("smpl_SDSextendible.h5"));
        int at = layoutV1(b);
        b[at + 8 + 8 + 8] = 0; // the third of the rank fields, after version..reserved (8) and the address (8)
        rejects(write(b), "data layout message", -1, "chunk element size 0 differs from the datatype's 4");
    }

    /** The v1 object header message of type 8 (data layout) holding version 1, rank 3, class 2 (chunked). */
    private static int layoutV1(byte[] b) {
        for (int i = 0; i < b.length - 12; i++) {
            if (b[i] == 8 && b[i + 1] == 0 && b[i + 8] == 1 && b[i + 9] == 3 && b[i + 10] == 2) return i + 8;
        }
        throw new AssertionError("layout message not found");
    }

    /**
     * A vlen string attribute whose global heap ID points past the end of the file: listed as unsupported with the
     * reason, and the file still opens with its other attributes and datasets (h5py too fails only on that one).
     */
    @Test
    void anUnreadableVlenStringAttributeCostsOnlyThatAttribute() throws IOException {
        byte[] b = Fixtures.bytes(FIXTURES.file("gen/vlen-empty-earliest.h5"));
        int gcol = find(b, "GCOL", 0);
        // the heap ID of "a", the first element of the root's 'names': length 1, the collection's address, index
        byte[] id = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putLong(gcol).array();
        int at = -1;
        for (int i = 0; i < b.length - 12 && at < 0; i++) if (Arrays.equals(b, i, i + 12, id, 0, 12)) at = i;
        assertTrue(at > 0, "heap ID not found");
        put64(b, at + 4, 1L << 40);
        try (TensorFile f = TensorFiles.open(write(b))) {
            var entry = f.unsupported().stream().filter(u -> u.name().equals("names")).findFirst().orElseThrow();
            assertTrue(entry.description().contains("attribute not read") && entry.description().contains("past the end of the file")
                    && !entry.description().contains(".h5:"), entry.description());
            assertEquals(new dev.tensorfile.core.MetadataValue.Str(""), f.metadata().get("empty_scalar").orElseThrow());
            assertEquals(java.util.List.of("", "q", ""), f.tensor("strings").strings());
            assertEquals(12, f.tensor("x").bytes().byteSize());
        }
    }

    /** An attribute message we cannot parse (version 9) is listed under its object, and the file still opens. */
    @Test
    void anUnparsableAttributeMessageCostsOnlyThatAttribute() throws IOException {
        byte[] b = Fixtures.bytes(FIXTURES.file("gen/vlen-empty-earliest.h5"));
        int at = find(b, "all_empty", 0) - 8; // attribute message v1: version, reserved, three sizes, then the name
        assertEquals(1, b[at]);
        b[at] = 9;
        try (TensorFile f = TensorFiles.open(write(b))) {
            var entry = f.unsupported().stream().filter(u -> u.name().equals("/")).findFirst().orElseThrow();
            assertTrue(entry.description().contains("attribute message version 9") && entry.description().contains("at byte " + at),
                    entry.description());
            assertTrue(f.metadata().get("all_empty").isEmpty());
            assertEquals(4, ((dev.tensorfile.core.MetadataValue.Array) f.metadata().get("names").orElseThrow()).size());
        }
    }

    /**
     * PyTables' pipeline order (fletcher32 before shuffle and deflate): deflate may give the chunk plus its checksum
     * (2 + 4 bytes here), never more.
     */
    @Test
    void rejectsFletcher32FirstChunkInflatingPastChunkAndChecksum() throws IOException {
        Path p = write(Fixtures.bytes(FIXTURES.file("gen/hostile/fletcher32-first.h5")));
        long where = new ObjectMapper().readTree(FIXTURES.file("gen/hostile/fletcher32-first.h5.chunks.json").toFile())
                .get("over").get("chunk_address").asLong();
        rejectsRead(p, "over", where, "inflates past the chunk's 6 bytes");
    }

    private Path plugins() throws IOException { return write(Fixtures.bytes(FIXTURES.file("gen/hostile/plugins.h5"))); }

    private static long pluginChunk(String dataset) throws IOException {
        return new ObjectMapper().readTree(FIXTURES.file("gen/hostile/plugins.h5.chunks.json").toFile())
                .get(dataset).get("chunk_address").asLong();
    }

    /** A Blosc header declaring 1 GiB for a 16-byte chunk: refused before anything is allocated. */
    @Test
    void rejectsBloscHeaderClaimingMoreThanTheChunk() throws IOException {
        rejectsRead(plugins(), "blosc_bomb", pluginChunk("blosc_bomb"), "Blosc header claims 1073741824 bytes where the chunk holds 16");
    }

    @Test
    void rejectsTruncatedBloscChunk() throws IOException {
        rejectsRead(plugins(), "blosc_truncated", pluginChunk("blosc_truncated"), "compressed bytes where the chunk has");
    }

    @Test
    void rejectsBloscLzMatchBeforeTheBlock() throws IOException {
        rejectsRead(plugins(), "blosclz_bad_distance", pluginChunk("blosclz_bad_distance"), "BloscLZ match distance 200 is before the block");
    }

    /** A real zstd frame of 256 KiB of zeros where the Blosc block holds 16 bytes: refused by its declared size. */
    @Test
    void rejectsZstdFrameLargerThanItsBlock() throws IOException {
        rejectsRead(plugins(), "zstd_bomb", pluginChunk("zstd_bomb"), "zstd frame declares 262144 bytes where 16 remain");
    }

    @Test
    void rejectsSzipHeaderClaimingMoreThanTheChunk() throws IOException {
        rejectsRead(plugins(), "szip_bomb", pluginChunk("szip_bomb"), "szip header claims 1073741824 bytes where the chunk holds 256");
    }

    @Test
    void rejectsTruncatedSzipStream() throws IOException {
        rejectsRead(plugins(), "szip_truncated", pluginChunk("szip_truncated"), "szip stream is truncated");
    }

    /**
     * A legal file claiming terabytes: h5py's chunked datasets with no chunk written (all fill value). Opening and
     * range reads work and read the fill value h5py reads back; a whole decode is refused, typed and in one line,
     * before anything is allocated: 'huge' (4 TiB) and 'big' (1 GiB) are over the default limit, this JVM's 64 MB
     * heap.
     */
    @Test
    @Timeout(30)
    void aDatasetWithNoChunksClaimingTerabytesReadsInRangesAndRefusesAWholeDecodeTyped() throws IOException {
        Path p = write(Fixtures.bytes(FIXTURES.file("gen/hostile/unallocated.h5")));
        JsonNode read = new ObjectMapper().readTree(FIXTURES.file("gen/hostile/unallocated.h5.json").toFile());
        try (TensorFile f = TensorFiles.open(p)) {
            for (String name : new String[] {"huge", "big"}) {
                Tensor t = f.tensor(name);
                JsonNode h5py = read.get(name);
                assertEquals(h5py.get("nbytes").asLong(), t.info().byteLength());
                float[] head = new float[4];
                float[] tail = new float[4];
                t.readFloats(0, head, 0, 4);
                t.readFloats(t.elementCount() - 4, tail, 0, 4);
                for (int i = 0; i < 4; i++) {
                    assertEquals(h5py.get("first_row_head").get(i).floatValue(), head[i]);
                    assertEquals(h5py.get("last_row_tail").get(i).floatValue(), tail[i]);
                }
            }
            long limit = ReadLimits.DEFAULT.maxWholeDecodeBytes();
            for (String name : new String[] {"huge", "big"}) {
                LimitExceededException e = Hostile.assertRejected(LimitExceededException.class, p, () -> f.tensor(name).bytes(), name);
                long claimed = read.get(name).get("nbytes").asLong();
                assertEquals("hdf5: " + p + ": tensor '" + name + "': a whole decode needs " + claimed + " bytes, over "
                        + "the limit of " + limit + " bytes (ReadLimits.maxWholeDecodeBytes); read it in ranges",
                        e.getMessage());
                assertEquals(claimed, e.requestedBytes());
            }
        }
    }

    /**
     * verify() on the same legal file finishes: it decodes the chunks the index lists (none here) and builds no fill
     * for the million chunks never written, nor reads the 4 TiB they stand for. It still decodes every written chunk:
     * on a file whose written chunks are corrupt it fails typed, naming a chunk.
     */
    @Test
    @Timeout(30)
    void verifyChecksWrittenChunksOnlyAndFinishesOnTerabytesOfFill() throws IOException {
        try (TensorFile f = TensorFiles.open(write(Fixtures.bytes(FIXTURES.file("gen/hostile/unallocated.h5"))))) {
            f.verify();
        }
        Path p = hostileFile();
        try (TensorFile f = TensorFiles.open(p)) {
            String m = Hostile.assertRejected(MalformedFileException.class, p, f::verify, "chunk", -1).getMessage();
            java.util.Set<Long> corrupt = new java.util.HashSet<>();
            hostile().forEach(d -> corrupt.add(d.get("chunk_address").asLong()));
            assertTrue(corrupt.stream().anyMatch(a -> m.contains("at byte " + a)), m);
        }
    }

    /**
     * Blosc (BloscLZ, LZ4, zlib, Zstd), szip: the real files with bytes flipped, runs zeroed and chunks cut, read
     * end to end. Each either reads or fails with a typed error; never an index, arithmetic or memory error.
     */
    @Test
    @Timeout(120)
    void corruptedPluginChunksFailTyped() throws IOException {
        java.util.Random rng = new java.util.Random(32001);
        for (String name : new String[] {"blosc-h5py.h5", "blosc-pytables.h5", "szip.h5"}) {
            byte[] original = fixture(name);
            int metadataEnd = original.length / 8; // h5py writes metadata first: mutate where the chunks are
            for (int round = 0; round < 40; round++) {
                byte[] b = original.clone();
                switch (round % 3) {
                    case 0 -> { for (int k = 0; k < 16; k++) b[metadataEnd + rng.nextInt(b.length - metadataEnd)] ^= (byte) (1 << rng.nextInt(8)); }
                    case 1 -> { int at = metadataEnd + rng.nextInt(b.length - metadataEnd - 64); Arrays.fill(b, at, at + 1 + rng.nextInt(64), (byte) rng.nextInt(256)); }
                    default -> { int at = metadataEnd + rng.nextInt(b.length - metadataEnd - 8); for (int k = 0; k < 8; k++) b[at + k] = (byte) rng.nextInt(256); }
                }
                Path p = write(b);
                // a hit dataspace may declare terabytes: the whole decode refuses those typed (a small limit keeps the
                // run short: decoding what is under it is the point here, not decoding much)
                try (TensorFile f = TensorFiles.open(p, ReadLimits.DEFAULT.withMaxWholeDecodeBytes(16 << 20))) {
                    for (Tensor t : f.tensors()) {
                        try {
                            t.bytes();
                        } catch (TensorFileException expected) {
                            String m = expected.getMessage();
                            assertTrue(!m.contains("\n") && m.contains(p.getFileName().toString()), m);
                        }
                    }
                } catch (TensorFileException expected) {
                    // the metadata was hit: a typed rejection too
                }
                Files.delete(p);
            }
        }
    }
}
