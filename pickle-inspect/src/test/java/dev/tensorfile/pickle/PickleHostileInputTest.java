package dev.tensorfile.pickle;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.ScanFinding;
import dev.tensorfile.core.ScanReport;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.Verdict;
import dev.tensorfile.testframework.Fixtures;
import dev.tensorfile.testframework.Hostile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and broken input, one rule per method, run with a 64 MB heap and a 512 KB thread stack: each ends in a
 * typed exception whose message names the file, the structure and the byte offset (when opened for tensors) or in a
 * finding (when scanned) — never an OutOfMemoryError, a StackOverflowError, an index error or a hang.
 */
class PickleHostileInputTest {
    private static final Fixtures FIXTURES = Fixtures.resources("fixtures");

    @TempDir Path dir;
    private int n;

    private Path write(byte[] bytes, String name) {
        try {
            Path p = dir.resolve((n++) + "-" + name);
            Files.write(p, bytes);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opening must fail with a MalformedFileException naming the file, the structure and the offset. */
    private MalformedFileException rejected(byte[] bytes, String name, String structure, long offset, String what) {
        Path p = write(bytes, name);
        return Hostile.assertRejected(MalformedFileException.class, p, () -> {
            try (TensorFile f = TensorFiles.open(p)) {
                f.verify();
            }
        }, structure, offset, what);
    }

    private ScanReport scan(byte[] bytes, String name) {
        return new PickleScanner().scan(write(bytes, name), ReadLimits.DEFAULT);
    }

    private static void hasFinding(ScanReport r, String global, Verdict severity, String detail) {
        assertTrue(r.findings().stream().anyMatch(f -> f.global().equals(global) && f.severity() == severity
                && f.detail().contains(detail)), global + " " + severity + " '" + detail + "' among " + r.findings());
    }

    private static byte[] repeat(byte[] head, int op, int times, byte[] tail) {
        byte[] b = new byte[head.length + times + tail.length];
        System.arraycopy(head, 0, b, 0, head.length);
        Arrays.fill(b, head.length, head.length + times, (byte) op);
        System.arraycopy(tail, 0, b, head.length + times, tail.length);
        return b;
    }

    @Test
    void rejectsTruncatedStream() {
        byte[] b = new PickleBuilder().proto(2).op('}').str("weights").bytes(); // no SETITEM, no STOP
        rejected(b, "truncated.pkl", "pickle", 3 + 2 + 7, "");
        hasFinding(scan(b, "truncated.pkl"), "(malformed)", Verdict.UNKNOWN, "malformed");
    }

    @Test
    void rejectsTruncatedArgument() {
        byte[] b = new PickleBuilder().proto(4).op(0x8d).u64(1000).raw(new byte[10]).bytes(); // BINUNICODE8 of 1000, 10 present
        rejected(b, "short-arg.pkl", "pickle", 2, "1000");
    }

    @Test
    void rejectsUnknownOpcode() {
        byte[] b = new PickleBuilder().proto(2).op(']', 0xFF).stop().bytes();
        rejected(b, "opcode.pkl", "pickle", 3, "unknown opcode 0xff");
        hasFinding(scan(b, "opcode.pkl"), "(malformed)", Verdict.UNKNOWN, "unknown opcode 0xff");
    }

    @Test
    void rejectsMemoReferenceToNothing() {
        byte[] b = new PickleBuilder().proto(2).op(']').op('h', 7).stop().bytes();
        rejected(b, "memo.pkl", "pickle", 3, "memo has no entry 7");
    }

    @Test
    void rejectsStackUnderflow() {
        rejected(new PickleBuilder().proto(2).op('0').stop().bytes(), "pop.pkl", "pickle", 2, "stack underflow");
        rejected(new PickleBuilder().proto(2).op('}', 'K', 1, 's').stop().bytes(), "setitem.pkl", "pickle", 5, "stack underflow");
        rejected(new PickleBuilder().proto(2).op('t').stop().bytes(), "tuple.pkl", "pickle", 2, "no MARK");
    }

    /** Two million MEMOIZE of one value: bounded by the memo limit, not the heap. */
    @Test
    void rejectsMemoBomb() {
        byte[] b = repeat(new byte[] {(byte) 0x80, 4, ']'}, 0x94, 2_000_000, new byte[] {'.'});
        MalformedFileException e = rejected(b, "memo-bomb.pkl", "pickle", -1, "(limit)");
        assertTrue(e.offset() > 3, e.getMessage());
        hasFinding(scan(b, "memo-bomb.pkl"), "(malformed)", Verdict.UNKNOWN, "(limit)");
    }

    /** A million MARKs (a million nested lists in protocol 0/1 form). */
    @Test
    void rejectsMillionNestedMarks() {
        byte[] b = repeat(new byte[] {(byte) 0x80, 2}, '(', 1_000_000, new byte[] {'l', '.'});
        rejected(b, "marks.pkl", "pickle", 2 + 4096, "MARK");
    }

    /** A million empty lists pushed to be nested by APPEND: the stack limit ends it. */
    @Test
    void rejectsMillionNestedLists() {
        byte[] pushes = repeat(new byte[] {(byte) 0x80, 2}, ']', 1_000_000, new byte[0]);
        byte[] b = repeat(pushes, 'a', 999_999, new byte[] {'.'});
        Path p = write(b, "nested.pkl");
        MalformedFileException e = Hostile.assertRejected(MalformedFileException.class, p, () -> TensorFiles.open(p).close());
        assertTrue(e.getMessage().length() < 400, e.getMessage());
        assertTrue(e.getMessage().contains("(limit)") || e.getMessage().contains("nested more than"), e.getMessage());
    }

    /** Lists nested 50 000 deep (within every count limit): readers of the tree never recurse that deep. */
    @Test
    void deepNestingWithinLimitsDoesNotOverflowTheStack() {
        byte[] pushes = repeat(new byte[] {(byte) 0x80, 2}, ']', 50_000, new byte[0]);
        byte[] b = repeat(pushes, 'a', 49_999, new byte[] {'.'});
        Path p = write(b, "deep.pkl");
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
            try (TensorFile f = TensorFiles.open(p)) {
                assertTrue(f.tensors().isEmpty());
            } catch (TensorFileException expected) {
                assertTrue(expected.getMessage().contains(p.getFileName().toString()), expected.getMessage());
            }
            assertEquals(Verdict.SAFE, new PickleScanner().scan(p, ReadLimits.DEFAULT).verdict());
        });
    }

    /** A list that contains itself (memo GET of the list being built): no endless walk. */
    @Test
    void selfReferenceEndsCleanly() {
        byte[] b = new PickleBuilder().proto(2).op(']', 'q', 0, 'h', 0, 'a').op('}', 'q', 1).str("w").op('h', 0, 's', 'h', 1, 's')
                .stop().bytes();
        Path p = write(b, "cycle.pkl");
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
            try (TensorFile f = TensorFiles.open(p)) {
                assertTrue(f.tensors().isEmpty());
            } catch (TensorFileException expected) {
                assertTrue(expected.getMessage().contains("cycle.pkl"), expected.getMessage());
            }
            assertEquals(Verdict.SAFE, new PickleScanner().scan(p, ReadLimits.DEFAULT).verdict());
        });
    }

    @Test
    void rejectsClaimedStringLengthBeyondTheFile() {
        byte[] b = new PickleBuilder().proto(4).op(0x8d).u64(Long.MAX_VALUE).stop().bytes();
        rejected(b, "huge-claim.pkl", "pickle", 2, "bytes");
        byte[] b2 = new PickleBuilder().proto(4).op(0x8e).u64(1L << 40).stop().bytes(); // BINBYTES8
        rejected(b2, "huge-bytes.pkl", "pickle", 2, "bytes");
    }

    @Test
    void rejectsFrameBeyondTheFile() {
        byte[] b = new PickleBuilder().proto(4).op(0x95).u64(1L << 50).op(']').stop().bytes();
        rejected(b, "frame.pkl", "pickle", 2, "FRAME");
    }

    /** A protocol 0 string of 40 MB: text is copied onto the heap only within a budget. */
    @Test
    void rejectsHugeTextArgumentBeyondTheHeapBudget() throws IOException {
        Path p = dir.resolve("text.pkl");
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(p))) {
            out.write(new byte[] {'S', '\''});
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 'a');
            for (int i = 0; i < 40; i++) out.write(chunk);
            out.write(new byte[] {'\'', '\n', '.'});
        }
        Hostile.assertRejected(MalformedFileException.class, p, () -> TensorFiles.open(p).close(), "pickle", 0, "limit");
    }

    @Test
    void rejectsHugeIntegerText() {
        byte[] b = repeat(new byte[] {'I'}, '9', 100_000, new byte[] {'\n', '.'});
        rejected(b, "int.pkl", "pickle", 0, "");
    }

    // --- zip containers ---

    private static byte[] torchZip(ZipBuilder z) { return z.bytes(); }

    /** An entry whose directory claims far more than deflate can produce from its bytes (a zip bomb by claim). */
    @Test
    void rejectsZipBombByClaimedSize() {
        ZipBuilder z = new ZipBuilder();
        ZipBuilder.Entry e = z.add("archive/data.pkl", new PickleBuilder().proto(2).op('}').stop().bytes());
        e.deflate = true;
        e.sizeOverride = 4_000_000_000L;
        byte[] b = torchZip(z);
        rejected(b, "bomb-claim.pt", "zip central directory entry 'archive/data.pkl'", -1, "zip bomb");
        hasFinding(scan(b, "bomb-claim.pt"), "(container)", Verdict.UNKNOWN, "zip bomb");
    }

    /** An entry that really inflates to 300 MB (honestly declared): never inflated onto a 64 MB heap. */
    @Test
    void rejectsZipBombByRealSize() throws IOException {
        long size = 300_000_000L;
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        byte[] chunk = new byte[1 << 20];
        try (java.util.zip.DeflaterOutputStream d = new java.util.zip.DeflaterOutputStream(compressed,
                new Deflater(Deflater.BEST_COMPRESSION, true))) {
            for (long done = 0; done < size; done += chunk.length) {
                d.write(chunk);
                crc.update(chunk);
            }
        }
        ZipBuilder z = new ZipBuilder();
        ZipBuilder.Entry e = z.add("archive/data.pkl", null);
        e.deflated = compressed.toByteArray();
        e.sizeOverride = size;
        e.crcOverride = crc.getValue();
        Path p = write(z.bytes(), "bomb-real.pt");
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () -> {
            Hostile.assertRejected(TensorFileException.class, p, () -> TensorFiles.open(p).close(), "archive/data.pkl", "limit");
            ScanReport r = new PickleScanner().scan(p, ReadLimits.DEFAULT);
            hasFinding(r, "(container)", Verdict.UNKNOWN, "limit");
        });
    }

    /** An entry that inflates to more than its directory says. */
    @Test
    void rejectsEntryInflatingBeyondItsDeclaredSize() {
        ZipBuilder z = new ZipBuilder();
        ZipBuilder.Entry e = z.add("archive/data.pkl", repeat(new byte[] {(byte) 0x80, 2, '}'}, 'N', 5000, new byte[] {'0', '.'}));
        e.deflate = true;
        e.sizeOverride = 100L;
        rejected(z.bytes(), "bigger.pt", "zip entry 'archive/data.pkl'", -1, "more than the 100 bytes");
    }

    @Test
    void rejectsDuplicateEntryNames() {
        ZipBuilder z = new ZipBuilder();
        byte[] pkl = new PickleBuilder().proto(2).op('}').stop().bytes();
        z.add("archive/data.pkl", pkl);
        z.add("archive/data.pkl", pkl);
        byte[] b = z.bytes();
        long secondRecord = b.length - 22 - (46 + 16);
        rejected(b, "dup.pt", "zip central directory entry 'archive/data.pkl'", secondRecord, "duplicate entry name");
        hasFinding(scan(b, "dup.pt"), "(container)", Verdict.UNKNOWN, "duplicate entry name");
    }

    @Test
    void rejectsTraversingEntryNames() {
        ZipBuilder z = new ZipBuilder();
        z.add("../archive/data.pkl", new PickleBuilder().proto(2).op('}').stop().bytes());
        byte[] b = z.bytes();
        long record = b.length - 22 - (46 + "../archive/data.pkl".length());
        rejected(b, "dotdot.pt", "zip central directory entry '../archive/data.pkl'", record, "leaves the archive");
        hasFinding(scan(b, "dotdot.pt"), "(container)", Verdict.UNKNOWN, "leaves the archive");
    }

    /** A deflated pickle entry whose CRC does not match: an error when opened, a finding (and still scanned) when scanned. */
    @Test
    void rejectsCrcMismatch() {
        ZipBuilder z = new ZipBuilder();
        ZipBuilder.Entry e = z.add("archive/data.pkl", new PickleBuilder().proto(2).op('}').stop().bytes());
        e.deflate = true;
        e.crcOverride = 0x12345678L;
        byte[] b = z.bytes();
        rejected(b, "crc.pt", "zip entry 'archive/data.pkl'", 30 + "archive/data.pkl".length(), "CRC-32");
        hasFinding(scan(b, "crc.pt"), "(container)", Verdict.UNKNOWN, "CRC-32");
    }

    /** A storage entry whose CRC does not match: verify reads every byte and says which. */
    @Test
    void rejectsCrcMismatchOfAStoredStorage() {
        ZipBuilder z = new ZipBuilder();
        z.add("archive/data.pkl", torchStateDict(4, new long[] {2, 2}));
        z.add("archive/data/0", new byte[16]).crcOverride = 1L;
        Path p = write(z.bytes(), "crc-storage.pt");
        Hostile.assertRejected(TensorFileException.class, p, () -> {
            try (TensorFile f = TensorFiles.open(p)) {
                f.verify();
            }
        }, "archive/data/0", "CRC-32");
    }

    /** A tensor whose shape needs more elements than its storage holds. */
    @Test
    void rejectsTensorBeyondItsStorage() {
        ZipBuilder z = new ZipBuilder();
        z.add("archive/data.pkl", torchStateDict(4, new long[] {100, 100}));
        z.add("archive/data/0", new byte[16]);
        Path p = write(z.bytes(), "beyond.pt");
        Hostile.assertRejected(TensorFileException.class, p, () -> {
            try (TensorFile f = TensorFiles.open(p)) {
                f.verify();
            }
        }, "w");
    }

    /** A persistent id naming a storage entry that is not in the archive. */
    @Test
    void rejectsMissingStorageEntry() {
        ZipBuilder z = new ZipBuilder();
        z.add("archive/data.pkl", torchStateDict(4, new long[] {2, 2}));
        Path p = write(z.bytes(), "missing.pt");
        Hostile.assertRejected(TensorFileException.class, p, () -> {
            try (TensorFile f = TensorFiles.open(p)) {
                f.verify();
            }
        }, "data/0");
    }

    @Test
    void rejectsCentralDirectoryOutsideTheFile() {
        ZipBuilder z = new ZipBuilder();
        z.add("archive/data.pkl", new PickleBuilder().proto(2).op('}').stop().bytes());
        byte[] b = z.bytes();
        // the end record's central directory offset (last 6..2 bytes before the comment length) points far away
        int at = b.length - 6;
        b[at] = (byte) 0xF0; b[at + 1] = (byte) 0xFF; b[at + 2] = (byte) 0xFF; b[at + 3] = (byte) 0x0F;
        Path p = write(b, "cd.pt");
        Hostile.assertRejected(MalformedFileException.class, p, () -> new PyTorchFormat().open(p, ReadLimits.DEFAULT).close(), "at byte");
        new PickleScanner().scan(p, ReadLimits.DEFAULT); // a finding or nothing, never a crash
    }

    /** A claimed entry count of 65535 in a tiny archive. */
    @Test
    void rejectsEntryCountBeyondTheDirectory() {
        ZipBuilder z = new ZipBuilder();
        z.add("archive/data.pkl", new PickleBuilder().proto(2).op('}').stop().bytes());
        byte[] b = z.bytes();
        int at = b.length - 22 + 8;
        b[at] = (byte) 0xFF; b[at + 1] = (byte) 0xFF; b[at + 2] = (byte) 0xFF; b[at + 3] = (byte) 0xFF;
        Path p = write(b, "count.pt");
        Hostile.assertRejected(MalformedFileException.class, p, () -> new PyTorchFormat().open(p, ReadLimits.DEFAULT).close(), "at byte");
    }

    /** Archives nested in archives 20 deep: the scan stops at a depth and says so. */
    @Test
    void deeplyNestedArchivesEndInAFinding() {
        byte[] b = new PickleBuilder().proto(2).op('}').stop().bytes();
        for (int i = 0; i < 20; i++) {
            ZipBuilder z = new ZipBuilder();
            z.add("level" + i + ".zip", b);
            b = z.bytes();
        }
        ScanReport r = scan(b, "nested.zip");
        assertEquals(Verdict.UNKNOWN, r.verdict(), r.findings().toString());
        assertTrue(r.findings().stream().map(ScanFinding::detail).anyMatch(d -> d.contains("nested")), r.findings().toString());
    }

    /** A tar member claiming 8 GiB in a small archive: a finding, no allocation. */
    @Test
    void rejectsTarMemberBeyondTheArchive() {
        byte[] member = BypassCorpusTest.tarMember("pickle", new PickleBuilder().proto(2).op('}').stop().bytes());
        byte[] size = String.format("%011o\0", 1L << 33).getBytes();
        System.arraycopy(size, 0, member, 124, size.length);
        ScanReport r = scan(member, "huge.tar");
        hasFinding(r, "(container)", Verdict.UNKNOWN, "more than the archive holds");
        assertTrue(r.findings().stream().anyMatch(f -> f.detail().contains("at byte 0")), r.findings().toString());
    }

    /** A legacy checkpoint whose storage data is cut off after the pickles. */
    @Test
    void rejectsTruncatedLegacyStorages() throws IOException {
        byte[] full = Files.readAllBytes(FIXTURES.file("pytorch/dv-state-legacy.pth"));
        byte[] cut = Arrays.copyOf(full, full.length - 100);
        Path p = write(cut, "legacy-cut.pth");
        Hostile.assertRejected(MalformedFileException.class, p, () -> {
            try (TensorFile f = TensorFiles.open(p)) {
                f.verify();
            }
        }, "at byte");
    }

    /** A state dict {"w": FloatStorage '0' of {@code numel} elements viewed with {@code shape}}, protocol 2. */
    static byte[] torchStateDict(long numel, long[] shape) {
        PickleBuilder b = new PickleBuilder().proto(2).op('}', '(').str("w")
                .global("torch._utils", "_rebuild_tensor_v2").op('(')
                .op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").op('J').u32(numel).op('t', 'Q')
                .int1(0);
        b.op('(');
        for (long d : shape) b.op('J').u32(d);
        b.op('t', '(');
        long stride = 1;
        long[] strides = new long[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= shape[i];
        }
        for (long s : strides) b.op('J').u32(s);
        b.op('t', 0x89).global("collections", "OrderedDict").op(')', 'R', 't', 'R', 'u').stop();
        return b.bytes();
    }

    @SuppressWarnings("unused")
    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater();
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!d.finished()) out.write(buf, 0, d.deflate(buf));
        d.end();
        return out.toByteArray();
    }

    // ---- compressed joblib: bz2 (our decoder), xz and lzma (org.tukaani:xz) ----

    private static final ReadLimits SMALL = new ReadLimits(1 << 20, 256, 1 << 20, 100_000, 1 << 20, 1);

    /** 8 MiB of zeros in a few hundred bytes, written by Python's bz2 and lzma: refused past the limit. */
    @Test
    void rejectsADecompressionBombBeyondTheLimit() throws IOException {
        for (String bomb : new String[] {"bomb-8MiB.bz2", "bomb-8MiB.xz"}) {
            Path p = write(Files.readAllBytes(FIXTURES.file("joblib/" + bomb)), bomb);
            Hostile.assertRejected(MalformedFileException.class, p, () -> new JoblibFormat().open(p, SMALL).close(),
                    "decompresses to more than 1048576 bytes");
            ScanReport r = new PickleScanner().scan(p, SMALL);
            assertEquals(Verdict.UNKNOWN, r.verdict(), r.findings().toString());
            assertTrue(r.findings().getFirst().detail().contains("decompresses to more than"), r.findings().toString());
        }
    }

    /** Every byte of a bz2 joblib flipped in turn: a clean error or a read, never anything else; never "safe" unread. */
    @Test
    void rejectsCorruptBzip2AtEveryByte() throws IOException {
        byte[] good = Files.readAllBytes(FIXTURES.file("joblib/arrays-bz2.joblib"));
        int errors = 0;
        for (int i = 4; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x5a;
            Path p = write(bad, "flip" + i + ".joblib");
            boolean read = true;
            try (TensorFile f = TensorFiles.open(p)) {
                f.verify();
            } catch (TensorFileException e) {
                read = false;
                errors++;
                assertTrue(e.getMessage().contains(p.getFileName().toString()), e.getMessage());
            }
            ScanReport r = new PickleScanner().scan(p, ReadLimits.DEFAULT);
            if (!read) assertTrue(r.verdict() != Verdict.SAFE, i + ": " + r.findings());
        }
        assertTrue(errors > good.length / 2, "the block and stream CRCs catch flipped bytes: " + errors);
    }

    @Test
    void rejectsBzip2CutShort() throws IOException {
        byte[] good = Files.readAllBytes(FIXTURES.file("joblib/arrays-bz2.joblib"));
        Path p = write(Arrays.copyOf(good, good.length - 7), "cut.joblib");
        Hostile.assertRejected(MalformedFileException.class, p, () -> TensorFiles.open(p).close(),
                "bz2 stream: corrupt compressed data: bzip2 stream at byte");
        assertEquals(Verdict.UNKNOWN, new PickleScanner().scan(p, ReadLimits.DEFAULT).verdict());
    }

    @Test
    void rejectsXzCutShort() throws IOException {
        byte[] good = Files.readAllBytes(FIXTURES.file("joblib/arrays-xz.joblib"));
        Path p = write(Arrays.copyOf(good, good.length - 20), "cut.joblib");
        Hostile.assertRejected(MalformedFileException.class, p, () -> TensorFiles.open(p).close(), "xz stream: corrupt compressed data");
        assertEquals(Verdict.UNKNOWN, new PickleScanner().scan(p, ReadLimits.DEFAULT).verdict());
    }

    /** An lzma header that claims a 1 GiB dictionary: refused before anything is allocated (64 MB heap). */
    @Test
    void rejectsAnLzmaDictionaryBeyondTheHeap() {
        byte[] b = new byte[64];
        b[0] = 0x5d;
        b[1] = 0; b[2] = 0; b[3] = 0; b[4] = 0x40; // 1 << 30, little-endian
        Arrays.fill(b, 5, 13, (byte) 0xff); // size unknown
        Path p = write(b, "huge-dict.joblib");
        Hostile.assertRejected(MalformedFileException.class, p, () -> TensorFiles.open(p).close(), "lzma stream", 0, "its dictionary needs");
        assertEquals(Verdict.UNKNOWN, new PickleScanner().scan(p, ReadLimits.DEFAULT).verdict());
    }
}
