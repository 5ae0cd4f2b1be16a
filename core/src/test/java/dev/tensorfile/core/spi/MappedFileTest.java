package dev.tensorfile.core.spi;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

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
        m.close();
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
}
