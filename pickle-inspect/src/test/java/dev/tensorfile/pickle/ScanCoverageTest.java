package dev.tensorfile.pickle;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.ScanFinding;
import dev.tensorfile.core.ScanReport;
import dev.tensorfile.core.Verdict;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scanner says {@code safe} only when every byte a loader could unpickle was parsed and judged. Files that are
 * no pickle, archives it does not open and pickles that break off are {@code unknown}, with the reason. The
 * fixtures in {@code fixtures/scan} were made by 7zip, zstd, tar + xz, zip and Python's pickle
 * ({@code make_scan_fixtures.py}; {@code read_back.json} holds what those tools read back from them).
 */
class ScanCoverageTest {
    private static final Fixtures FIXTURES = Fixtures.resources("fixtures");

    @TempDir Path dir;

    private static ScanReport scan(Path p) { return new PickleScanner().scan(p, ReadLimits.DEFAULT); }

    private static String details(ScanReport r) {
        StringBuilder b = new StringBuilder();
        for (ScanFinding f : r.findings()) b.append(f.global()).append(": ").append(f.detail()).append('\n');
        return b.toString();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "eval-in.7z                  | 7z archive: the scanner does not open these",
            "eval.pkl.zst                | zstd-compressed data: the scanner does not open these",
            "eval-encrypted.zip          | encrypted zip entry",
            "empty.pt                    | an empty file",
            "image-named.pt              | a pickle that breaks off before it references anything",
            "stops-at-unknown-opcode.pkl | unknown opcode 0xff"})
    void whatCannotBeReadIsUnknownWithItsReason(String file, String reason) {
        ScanReport r = scan(FIXTURES.file("scan/" + file));
        assertEquals(Verdict.UNKNOWN, r.verdict(), details(r));
        assertTrue(details(r).contains(reason), details(r));
    }

    /** xz is decompressed, and the tar inside it opened: the eval pickle it hides is found. */
    @Test
    void anXzCompressedTarIsOpened() {
        ScanReport r = scan(FIXTURES.file("scan/eval-in.tar.xz"));
        assertEquals(Verdict.DANGEROUS, r.verdict(), details(r));
        assertTrue(r.findings().stream().anyMatch(f -> f.global().equals("builtins.eval") && f.entry().equals("(xz)!model.pkl")),
                details(r));
    }

    @Test
    void bytesThatAreNoPickleOpcodeAreNotSafe() throws IOException {
        Path p = dir.resolve("raw.bin");
        Files.write(p, new byte[] {0x02, 0x00, 0x00, 0x00, 0x10});
        ScanReport r = scan(p);
        assertEquals(Verdict.UNKNOWN, r.verdict());
        assertTrue(details(r).contains("byte 0 is 0x02, no pickle opcode"), details(r));
    }

    /** An unopened archive is unknown wherever it is: inside a ZIP too. */
    @Test
    void anUnopenedArchiveInsideAZipIsUnknown() throws IOException {
        byte[] sevenZip = Files.readAllBytes(FIXTURES.file("scan/eval-in.7z"));
        Path p = dir.resolve("outer.zip");
        ZipBuilder z = new ZipBuilder();
        z.add("archive/extra.bin", sevenZip);
        Files.write(p, z.bytes());
        ScanReport r = scan(p);
        assertEquals(Verdict.UNKNOWN, r.verdict(), details(r));
        assertTrue(r.findings().stream().anyMatch(f -> f.entry().equals("archive/extra.bin")
                && f.detail().startsWith("7z archive")), details(r));
    }

    /** The encryption flag on a plain entry (CVE-2025-1945): torch reads the bytes as they are, and so does the scan. */
    @Test
    void anEncryptionFlagOnPlainBytesStillScansThem() throws IOException {
        Path p = dir.resolve("flagged.zip");
        ZipBuilder z = new ZipBuilder();
        z.add("archive/data.pkl", PickleBuilder.reduceCall(2, "os", "system")).flags = 1;
        Files.write(p, z.bytes());
        ScanReport r = scan(p);
        assertEquals(Verdict.DANGEROUS, r.verdict(), details(r));
        assertTrue(details(r).contains("encrypted zip entry"), details(r));
    }

    @Test
    void aWholePickleIsStillSafe() throws IOException {
        Path p = dir.resolve("list.pkl");
        Files.write(p, new PickleBuilder().proto(2).op(']').stop().bytes());
        ScanReport r = scan(p);
        assertEquals(Verdict.SAFE, r.verdict(), details(r));
    }
}
