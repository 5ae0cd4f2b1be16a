package dev.tensorfile.core.spi;

import dev.tensorfile.core.MalformedFileException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ZipArchive} against archives that lie: each rule its typed one-line error, with structure and offset. */
class ZipArchiveHostileInputTest {
    static final Path FILE = Path.of("hostile.zip");

    static byte[] archive() throws IOException {
        return ZipArchiveTest.zip(true, "archive/data.pkl", ZipArchiveTest.text("pickle"), "archive/data/0", new byte[64]);
    }

    static int eocd(byte[] b) {
        for (int p = b.length - 22; p >= 0; p--) if (le(b).getInt(p) == 0x06054b50) return p;
        throw new AssertionError();
    }

    static ByteBuffer le(byte[] b) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN); }

    static MalformedFileException rejected(byte[] b, String structure, long offset, String message) {
        MalformedFileException e = assertThrows(MalformedFileException.class,
                () -> ZipArchive.read(MemorySegment.ofArray(b), FILE, "zip", 1000));
        assertTrue(e.structure().contains(structure), e.getMessage());
        if (offset >= 0) assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getMessage().contains("hostile.zip"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    @Test
    void rejectsAFileWithoutEndRecord() throws IOException {
        byte[] b = archive();
        rejected(Arrays.copyOf(b, eocd(b)), "zip end of central directory", -1, "no end-of-central-directory record");
        rejected(new byte[5], "zip end of central directory", 0, "no end-of-central-directory record");
    }

    @Test
    void rejectsADirectoryLargerThanWhatPrecedesItsEndRecord() throws IOException {
        byte[] b = archive();
        int e = eocd(b);
        le(b).putInt(e + 12, 0x7FFFFFF0);
        rejected(b, "zip end of central directory", e, "does not fit before its end record");
    }

    @Test
    void rejectsADirectoryOffsetPastItsEndRecord() throws IOException {
        byte[] b = archive();
        int e = eocd(b);
        le(b).putInt(e + 16, 0x7FFFFFF0);
        rejected(b, "zip end of central directory", e, "points past its end record");
    }

    @Test
    void rejectsAnEntryCountTheDirectoryCannotHold() throws IOException {
        byte[] b = archive();
        int e = eocd(b);
        le(b).putShort(e + 10, (short) 0xFFFE);
        rejected(b, "zip central directory", -1, "zip entry count 65534 needs at least");
    }

    @Test
    void rejectsMoreEntriesThanTheLimit() throws IOException {
        byte[] b = archive();
        MalformedFileException e = assertThrows(MalformedFileException.class,
                () -> ZipArchive.read(MemorySegment.ofArray(b), FILE, "zip", 1));
        assertTrue(e.getMessage().contains("zip entry count 2 is above the limit of 1"), e.getMessage());
    }

    @Test
    void rejectsABadCentralSignature() throws IOException {
        byte[] b = archive();
        int cd = le(b).getInt(eocd(b) + 16);
        b[cd] = 'X';
        rejected(b, "zip central directory entry #0", cd, "bad central directory signature");
    }

    @Test
    void rejectsALocalHeaderOffsetOutsideTheFile() throws IOException {
        byte[] b = archive();
        int cd = le(b).getInt(eocd(b) + 16);
        le(b).putInt(cd + 42, 0x7FFFFFF0);
        rejected(b, "zip central directory entry #0", cd, "local header offset 2147483632 outside the file");
    }

    @Test
    void rejectsABadLocalHeaderSignature() throws IOException {
        byte[] b = archive();
        b[0] = 'X';
        rejected(b, "zip local header of 'archive/data.pkl'", 0, "bad local header signature");
    }

    @Test
    void rejectsEntryDataRunningPastTheEndOfTheFile() throws IOException {
        byte[] b = archive();
        int cd = le(b).getInt(eocd(b) + 16);
        le(b).putInt(cd + 20, 0x7FFFFFF0);
        rejected(b, "zip central directory entry #0", cd, "runs past the end of the file");
    }

    @Test
    void rejectsAZip64LocatorPointingOutsideTheFile() throws IOException {
        byte[] b = archive();
        int e = eocd(b);
        byte[] withLocator = new byte[b.length + 20];
        System.arraycopy(b, 0, withLocator, 0, e);
        ByteBuffer l = le(withLocator);
        l.putInt(e, 0x07064b50).putInt(e + 4, 0).putLong(e + 8, 1L << 40).putInt(e + 16, 1);
        System.arraycopy(b, e, withLocator, e + 20, b.length - e);
        rejected(withLocator, "zip64 end of central directory locator", -1, "zip64 end record offset 1099511627776 outside the file");
    }

    @Test
    void listsWhatACarefulReaderRefusesAsProblems() throws IOException {
        byte[] b = ZipArchiveTest.zip(true, "a.pkl", new byte[1], "A.pkl", new byte[1], "../evil.pkl", new byte[1]);
        ZipArchive zip = ZipArchive.read(MemorySegment.ofArray(b), FILE, "zip", 10);
        assertEquals(2, zip.problems().size(), zip.problems().toString());
        assertTrue(zip.problems().get(0).what().contains("differs only in case from 'a.pkl'"));
        assertTrue(zip.problems().get(1).what().contains("leaves the archive"));
    }

    @Test
    void refusesToInflateBeyondTheLimitOrTheDeclaredSize() throws IOException {
        byte[] data = new byte[10_000];
        byte[] b = ZipArchiveTest.zip(false, "x.pkl", data);
        ZipArchive zip = ZipArchive.read(MemorySegment.ofArray(b), FILE, "zip", 10);
        ZipArchive.Entry e = zip.entries().getFirst();
        MalformedFileException x = assertThrows(MalformedFileException.class, () -> zip.content(e, 100));
        assertTrue(x.getMessage().contains("inflates to 10000 bytes, more than the limit of 100"), x.getMessage());
        // the directory claims fewer bytes than the data inflate to
        int cd = le(b).getInt(eocd(b) + 16);
        le(b).putInt(cd + 24, 100);
        ZipArchive lying = ZipArchive.read(MemorySegment.ofArray(b), FILE, "zip", 10);
        x = assertThrows(MalformedFileException.class, () -> lying.content(lying.entries().getFirst(), 1 << 20));
        assertTrue(x.getMessage().contains("inflates to more than the 100 bytes the directory says"), x.getMessage());
    }

    @Test
    void namesAMethodItCannotRead() throws IOException {
        byte[] b = archive();
        int cd = le(b).getInt(eocd(b) + 16);
        le(b).putShort(cd + 10, (short) 12);
        ZipArchive zip = ZipArchive.read(MemorySegment.ofArray(b), FILE, "zip", 10);
        MalformedFileException x = assertThrows(MalformedFileException.class, () -> zip.content(zip.entries().getFirst(), 100));
        assertTrue(x.getMessage().contains("compression method 12 (bzip2) is not supported"), x.getMessage());
    }
}
