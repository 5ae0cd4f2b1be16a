package dev.tensorfile.core.spi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicFileOutputTest {
    @TempDir Path dir;

    @Test
    void writesHeapSegmentsOfAnyArrayType() throws IOException {
        Path dest = dir.resolve("f.bin");
        float[] floats = {1.5f, -2f, Float.NaN};
        long[] longs = {0x0102030405060708L};
        try (AtomicFileOutput out = AtomicFileOutput.create(dest, "raw")) {
            out.write(MemorySegment.ofArray(floats));
            out.write(MemorySegment.ofArray(longs));
            out.write(MemorySegment.ofArray(new byte[] {9}));
            out.commit();
        }
        ByteBuffer expected = ByteBuffer.allocate(21).order(ByteOrder.nativeOrder());
        for (float f : floats) expected.putFloat(f);
        expected.putLong(longs[0]).put((byte) 9);
        assertArrayEquals(expected.array(), Files.readAllBytes(dest));
    }

    @Test
    void committedFileHasTheModeOfAnyNewFileNotThePrivateModeOfATempFile() throws IOException {
        Path plain = Files.createFile(dir.resolve("plain"));
        Path dest = dir.resolve("g.bin");
        try (AtomicFileOutput out = AtomicFileOutput.create(dest, "raw")) {
            out.write(new byte[] {1});
            out.commit();
        }
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
        assertEquals(expected, Files.getPosixFilePermissions(dest));
        assertTrue(expected.contains(PosixFilePermission.OWNER_WRITE));
        try (var left = Files.list(dir)) {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp file left");
        }
    }

    @Test
    void kernelCopiesFromSeveralFilesLandInOrderAndLeaveNoSourceOpen() throws IOException {
        Path a = Files.write(dir.resolve("a.bin"), new byte[] {1, 2, 3, 4, 5});
        Path b = Files.write(dir.resolve("b.bin"), new byte[] {6, 7, 8});
        Path dest = dir.resolve("f.bin");
        try (AtomicFileOutput out = AtomicFileOutput.create(dest, "raw")) {
            out.transferFrom(a, 1, 2);
            out.transferFrom(a, 4, 1);
            out.transferFrom(b, 0, 3);
            out.transferFrom(a, 0, 1);
            assertThrows(dev.tensorfile.core.TensorFileException.class, () -> out.transferFrom(b, 2, 2));
            assertEquals(7, out.position());
            out.commit();
        }
        assertArrayEquals(new byte[] {2, 3, 5, 6, 7, 8, 1}, Files.readAllBytes(dest));
        Path fds = Path.of("/proc/self/fd");
        if (Files.isDirectory(fds)) {
            try (var s = Files.list(fds)) {
                assertEquals(0, s.filter(fd -> {
                    try {
                        Path target = Files.readSymbolicLink(fd);
                        return target.equals(a.toRealPath()) || target.equals(b.toRealPath());
                    } catch (IOException e) {
                        return false;
                    }
                }).count(), "source channels closed by commit");
            }
        }
    }
}
