package dev.tensorfile.core.spi;

import dev.tensorfile.core.RemoteOptions;
import dev.tensorfile.core.loopback.LoopbackServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ZipArchive} over archives the JDK's {@code ZipOutputStream} writes, locally and over HTTP. */
@Timeout(60)
class ZipArchiveTest {
    @TempDir Path dir;

    static byte[] zip(boolean stored, Object... nameAndContent) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (int i = 0; i < nameAndContent.length; i += 2) {
                byte[] data = (byte[]) nameAndContent[i + 1];
                ZipEntry e = new ZipEntry((String) nameAndContent[i]);
                if (stored) {
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(data.length);
                    e.setCompressedSize(data.length);
                    CRC32 crc = new CRC32();
                    crc.update(data);
                    e.setCrc(crc.getValue());
                }
                z.putNextEntry(e);
                z.write(data);
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    static byte[] text(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    @Test
    void readsStoredEntriesAsSlicesOfTheMapping() throws IOException {
        Path f = dir.resolve("a.zip");
        Files.write(f, zip(true, "archive/data.pkl", text("pickle"), "archive/data/0", new byte[1000]));
        try (MappedFile m = MappedFile.open(f, "zip")) {
            ZipArchive zip = ZipArchive.read(m, "zip", 100, 1 << 20);
            assertEquals(List.of("archive/data.pkl", "archive/data/0"), zip.entries().stream().map(ZipArchive.Entry::name).toList());
            ZipArchive.Entry e = zip.find("ARCHIVE/DATA.PKL"); // miniz looks names up case-insensitively
            MemorySegment raw = zip.raw(e);
            assertEquals("pickle", new String(raw.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            assertEquals(m.segment().address() + zip.dataOffset(e), raw.address()); // zero-copy
            assertEquals(0, zip.start());
            assertTrue(zip.problems().isEmpty());
            assertEquals(1000, zip.content(zip.find("archive/data/0"), 10).byteSize()); // stored: no limit on a view
        }
    }

    @Test
    void inflatesDeflatedEntriesBoundedAndByOffset() throws IOException {
        byte[] data = new byte[300_000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7 % 251);
        byte[] b = zip(false, "x.npy", data);
        ZipArchive zip = ZipArchive.read(MemorySegment.ofArray(b), null, "zip", 10);
        ZipArchive.Entry e = zip.entries().getFirst();
        assertTrue(e.deflated());
        assertArrayEquals(data, zip.content(e, data.length).toArray(ValueLayout.JAVA_BYTE));
        ZipArchive.Inflating in = zip.inflating(e);
        byte[] part = new byte[1000];
        in.read(250_000, MemorySegment.ofArray(part));
        for (int i = 0; i < part.length; i++) assertEquals(data[250_000 + i], part[i]);
        in.read(5, MemorySegment.ofArray(part)); // before the last position: starts again
        assertEquals(data[5], part[0]);
    }

    @Test
    void findsAnArchiveAppendedToOtherBytes() throws IOException {
        byte[] z = zip(true, "a.pkl", text("x"));
        byte[] b = new byte[100 + z.length];
        System.arraycopy(z, 0, b, 100, z.length);
        ZipArchive zip = ZipArchive.read(MemorySegment.ofArray(b), null, "zip", 10);
        assertEquals(100, zip.start());
        assertEquals("x", new String(zip.raw(zip.find("a.pkl")).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
        assertTrue(ZipArchive.hasEndRecord(MemorySegment.ofArray(b)));
        assertFalse(ZipArchive.startsWithLocalHeader(MemorySegment.ofArray(b)));
    }

    @Test
    void namesMethodsItDoesNotRead() {
        assertEquals(" (bzip2)", ZipArchive.methodName(12));
        assertEquals(" (zstd)", ZipArchive.methodName(93));
        assertEquals(" (AES encryption)", ZipArchive.methodName(99));
        assertEquals("", ZipArchive.methodName(77));
    }

    /**
     * Over HTTP a large archive costs its tail (end record and directory) and the entries opened: here 200 stored
     * entries of 1 MiB in a sparse 200 MiB file, of which one small entry is read.
     */
    @Test
    void overHttpFetchesTheTailAndTheEntriesItOpensOnly() throws IOException {
        Path f = dir.resolve("big.zip");
        writeSparseStoredZip(f, 200, 1 << 20);
        try (LoopbackServer server = LoopbackServer.start(dir);
                RemoteFile remote = RemoteFile.open(server.uri(f), RemoteOptions.DEFAULT.withToken(null).withTimeout(Duration.ofSeconds(20)))) {
            MappedFile m = MappedFile.remote(remote);
            ZipArchive zip = ZipArchive.read(m, "zip", 1000, 1 << 20);
            assertEquals(201, zip.entries().size());
            ZipArchive.Entry last = zip.find("archive/version");
            assertEquals("3\n", new String(zip.content(last, 100).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            ZipArchive.Entry e = zip.find("archive/data/150");
            MemorySegment lazy = zip.rawUnfetched(e);
            assertEquals(1 << 20, lazy.byteSize());
            long fetched = remote.transferred().bytesFetched();
            assertTrue(fetched < 400 * 1024, remote.transferred().toString()); // first 100 KiB, the tail, one header
            assertFalse(remote.isFetched(m.offsetOf(lazy), lazy.byteSize()));
            m.require(lazy);
            assertTrue(remote.isFetched(m.offsetOf(lazy), lazy.byteSize()));
        }
    }

    /** Stored entries {@code archive/data/N} whose data are holes, then {@code archive/version}. */
    static void writeSparseStoredZip(Path f, int n, int each) throws IOException {
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        long crcOfZeros;
        CRC32 crc = new CRC32();
        crc.update(new byte[each]);
        crcOfZeros = crc.getValue();
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            long at = 0;
            for (int i = 0; i <= n; i++) {
                String name = i < n ? "archive/data/" + i : "archive/version";
                byte[] data = i < n ? null : text("3\n");
                long size = i < n ? each : data.length;
                long c;
                if (i < n) c = crcOfZeros;
                else {
                    CRC32 v = new CRC32();
                    v.update(data);
                    c = v.getValue();
                }
                byte[] nm = text(name);
                raf.seek(at);
                raf.write(header(0x04034b50, nm, c, size, -1));
                if (data != null) raf.write(data);
                central.writeBytes(header(0x02014b50, nm, c, size, at));
                at += 30 + nm.length + size;
            }
            byte[] cd = central.toByteArray();
            raf.seek(at);
            raf.write(cd);
            java.nio.ByteBuffer eocd = java.nio.ByteBuffer.allocate(22).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            eocd.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) (n + 1)).putShort((short) (n + 1))
                    .putInt(cd.length).putInt((int) at).putShort((short) 0);
            raf.write(eocd.array());
        }
    }

    /** A local header ({@code offset < 0}) or a central directory record, method 0. */
    static byte[] header(int signature, byte[] name, long crc, long size, long offset) {
        boolean central = offset >= 0;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((central ? 46 : 30) + name.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(signature);
        if (central) b.putShort((short) 20);
        b.putShort((short) 20).putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0);
        b.putInt((int) crc).putInt((int) size).putInt((int) size).putShort((short) name.length).putShort((short) 0);
        if (central) b.putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) offset);
        b.put(name);
        return b.array();
    }

    @Test
    void aLocalHeaderNotYetFetchedIsCheckedWhenItsEntryIsOpened() throws IOException {
        Path f = dir.resolve("renamed.zip");
        writeSparseStoredZip(f, 200, 1 << 20);
        // rename entry 150 in its local header only
        long at;
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            long pos = 0;
            for (int i = 0; i < 150; i++) pos += 30 + ("archive/data/" + i).length() + (1 << 20);
            raf.seek(pos + 30);
            raf.write(text("archive/data/15X"));
            at = pos;
        }
        try (MappedFile local = MappedFile.open(f, "zip")) {
            ZipArchive zip = ZipArchive.read(local, "zip", 1000, 1 << 20);
            assertEquals(1, zip.problems().size());
            assertTrue(zip.problems().getFirst().what().contains("local header names it 'archive/data/15X'"));
        }
        try (LoopbackServer server = LoopbackServer.start(dir);
                RemoteFile remote = RemoteFile.open(server.uri(f), RemoteOptions.DEFAULT.withToken(null).withTimeout(Duration.ofSeconds(20)))) {
            ZipArchive zip = ZipArchive.read(MappedFile.remote(remote), "zip", 1000, 1 << 20);
            assertTrue(zip.problems().isEmpty());
            assertEquals(at + 30 + 16, zip.dataOffset(zip.find("archive/data/150")));
            assertEquals(1, zip.problems().size());
        }
    }
}
