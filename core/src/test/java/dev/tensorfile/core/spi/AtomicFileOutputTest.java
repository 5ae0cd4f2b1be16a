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
    void kernelCopiesFromSeveralMappingsLandInOrder() throws IOException {
        Path dest = dir.resolve("f.bin");
        try (MappedFile a = MappedFile.open(Files.write(dir.resolve("a.bin"), new byte[] {1, 2, 3, 4, 5}), "raw");
             MappedFile b = MappedFile.open(Files.write(dir.resolve("b.bin"), new byte[] {6, 7, 8}), "raw");
             AtomicFileOutput out = AtomicFileOutput.create(dest, "raw")) {
            assertTrue(out.transferFrom(a, 1, 2));
            assertTrue(out.transferFrom(a, 4, 1));
            assertTrue(out.transferFrom(b, 0, 3));
            assertTrue(out.transferFrom(a, 0, 1));
            assertThrows(dev.tensorfile.core.TensorFileException.class, () -> out.transferFrom(b, 2, 2));
            assertEquals(7, out.position());
            out.commit();
        }
        assertArrayEquals(new byte[] {2, 3, 5, 6, 7, 8, 1}, Files.readAllBytes(dest));
    }

    @Test
    void kernelCopiesReadTheMappedFileEvenWhenItsPathNamesAnotherByNow() throws IOException {
        Path source = Files.write(dir.resolve("model.bin"), new byte[] {1, 2, 3, 4});
        Path dest = dir.resolve("f.bin");
        try (MappedFile mapped = MappedFile.open(source, "raw");
             AtomicFileOutput out = AtomicFileOutput.create(dest, "raw")) {
            Path replacement = Files.write(dir.resolve("new.bin"), new byte[] {9, 9, 9, 9});
            Files.move(replacement, source, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertTrue(out.transferFrom(mapped, 0, 4));
            out.commit();
        }
        assertArrayEquals(new byte[] {1, 2, 3, 4}, Files.readAllBytes(dest), "the bytes that were mapped");
    }

    @Test
    void aClosedMappingIsRefusedWithNothingWritten() throws IOException {
        MappedFile closed = MappedFile.open(Files.write(dir.resolve("a.bin"), new byte[] {1, 2}), "raw");
        closed.close();
        try (AtomicFileOutput out = AtomicFileOutput.create(dir.resolve("f.bin"), "raw")) {
            assertFalse(out.transferFrom(closed, 0, 2));
            assertEquals(0, out.position());
        }
    }
}
