package dev.tensorfile.core.spi;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorInfo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MappedFileTest {
    @TempDir Path dir;

    @Test
    void mapsTheWholeFileAndUnmapsOnClose() throws IOException {
        Path f = dir.resolve("a.bin");
        Files.write(f, new byte[] {9, 8, 7, 6});
        MappedFile m = MappedFile.open(f, "test");
        assertEquals(4, m.size());
        SegmentTensor t = new SegmentTensor(TensorInfo.of("t", DType.U8, Shape.of(3)), m.segment().asSlice(1, 3), m);
        assertEquals(8, t.bytes().get(ValueLayout.JAVA_BYTE, 0));
        assertEquals(java.util.Optional.of(new FileRegion(m, 1, 3)), t.fileRegion(), "bytes 1..3 of the file, as written");
        m.close();
        assertEquals(java.util.Optional.empty(), t.fileRegion(), "no region of a closed file");
        m.close();
        assertFalse(m.isOpen());
        IllegalStateException e = assertThrows(IllegalStateException.class, t::bytes);
        assertEquals("tensor 't' used after " + f + " was closed", e.getMessage());
        assertThrows(IllegalStateException.class, () -> m.segment().get(ValueLayout.JAVA_BYTE, 0), "the mapping is gone");
    }

    @Test
    void anEmptyFileMapsToAnEmptySegment() throws IOException {
        Path f = Files.createFile(dir.resolve("empty.bin"));
        try (MappedFile m = MappedFile.open(f, "test")) {
            assertEquals(0, m.size());
        }
    }

    @Test
    void missingFilesAndDirectoriesAreTypedErrors() {
        TensorFileException missing = assertThrows(TensorFileException.class, () -> MappedFile.open(dir.resolve("no"), "test"));
        assertEquals("no such file", missing.detail());
        TensorFileException directory = assertThrows(TensorFileException.class, () -> MappedFile.open(dir, "test"));
        assertTrue(directory.detail().contains("is a directory"));
    }

    @Test
    void positionalReadsReturnTheMappedBytesAndStopAtTheEnd() throws IOException {
        Path f = dir.resolve("r.bin");
        Files.write(f, new byte[] {1, 2, 3, 4, 5, 6});
        try (MappedFile m = MappedFile.open(f, "test")) {
            ByteBuffer dst = ByteBuffer.allocate(3);
            assertEquals(3, m.read(2, dst));
            assertEquals(ByteBuffer.wrap(new byte[] {3, 4, 5}), dst.flip());
            ByteBuffer tail = ByteBuffer.allocate(4);
            assertEquals(2, m.read(4, tail), "fewer bytes at the end of the file");
            assertEquals(5, tail.get(0));
            assertEquals(6, tail.get(1));
            assertEquals(0, m.read(6, ByteBuffer.allocate(4)));
        }
    }

    @Test
    void positionalReadsAreRefusedAfterCloseAndReadTheMappedFileWhateverItsPathNamesNow() throws IOException {
        Path f = dir.resolve("r.bin");
        Files.write(f, new byte[] {1, 2, 3, 4});
        MappedFile closed = MappedFile.open(f, "test");
        closed.close();
        assertEquals(-1, closed.read(0, ByteBuffer.allocate(2)));

        try (MappedFile m = MappedFile.open(f, "test")) {
            Path other = Files.write(dir.resolve("other.bin"), new byte[] {7, 7, 7, 7});
            Files.move(other, f, StandardCopyOption.REPLACE_EXISTING);
            ByteBuffer got = ByteBuffer.allocate(2);
            assertEquals(2, m.read(0, got), "the channel it was mapped through reads the first file still");
            assertEquals(ByteBuffer.wrap(new byte[] {1, 2}), got.flip());
            assertEquals(1, m.segment().get(ValueLayout.JAVA_BYTE, 0), "as the mapping does");
        }
    }

    @Test
    void aChannelClosedByAnInterruptIsOpenedAgainForTheNextRead() throws IOException {
        Path f = dir.resolve("r.bin");
        Files.write(f, new byte[] {1, 2, 3, 4});
        try (MappedFile m = MappedFile.open(f, "test")) {
            assertEquals(2, m.read(0, ByteBuffer.allocate(2)));
            Thread.currentThread().interrupt();
            assertEquals(-1, m.read(0, ByteBuffer.allocate(2)), "the interrupt closes the channel mid-read");
            assertTrue(Thread.interrupted());
            ByteBuffer again = ByteBuffer.allocate(2);
            assertEquals(2, m.read(2, again));
            assertEquals(3, again.get(0));
        }
        try (MappedFile m = MappedFile.open(f, "test")) {
            Thread.currentThread().interrupt();
            assertEquals(-1, m.read(0, ByteBuffer.allocate(2)));
            assertTrue(Thread.interrupted());
            Files.move(Files.write(dir.resolve("other.bin"), new byte[] {7, 7, 7, 7}), f, StandardCopyOption.REPLACE_EXISTING);
            assertEquals(-1, m.read(0, ByteBuffer.allocate(2)), "not opened again on a path that names another file");
        }
    }

    @Test
    void theChannelTheFileWasMappedThroughIsClosedWithTheMapping() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc to see open descriptors");
        Path f = dir.resolve("r.bin");
        Files.write(f, new byte[] {1, 2, 3, 4});
        MappedFile m = MappedFile.open(f, "test");
        assertEquals(1, descriptorsOf(f, fds), "the mapping holds its channel");
        assertEquals(2, m.read(0, ByteBuffer.allocate(2)));
        assertEquals(1, descriptorsOf(f, fds), "reads use it");
        m.close();
        assertEquals(0, descriptorsOf(f, fds));
    }

    private static long descriptorsOf(Path file, Path fds) throws IOException {
        Path real = file.toRealPath();
        try (var s = Files.list(fds)) {
            return s.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(real);
                } catch (IOException e) {
                    return false; // closed while listing
                }
            }).count();
        }
    }
}
