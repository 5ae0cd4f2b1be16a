package dev.tensorfile.cli;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.RemoteOptions;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.loopback.LoopbackServer;
import dev.tensorfile.testframework.TorchCheckpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A remote PyTorch archive whose storages are located when read: what it refuses, it refuses then. */
@Timeout(120)
class RemotePyTorchTest {
    @TempDir Path dir;

    static final RemoteOptions OPTIONS = RemoteOptions.DEFAULT.withToken(null).withTimeout(Duration.ofSeconds(20));

    /**
     * A local header naming its entry otherwise than the central directory (a reader trusting either is misled) is
     * refused at open locally, where every local header is read; over HTTP, when the storage is first read.
     */
    @Test
    void rejectsAStorageWhoseLocalHeaderNamesAnotherEntryWhenItIsRead() throws IOException {
        Path file = dir.resolve("renamed.pt");
        TorchCheckpoints.write(file, 300, 16_384, false);
        long header = localHeaderOf(file, "archive/data/150");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(header + 30);
            raf.write("archive/data/15X".getBytes(StandardCharsets.US_ASCII));
        }
        MalformedFileException local = assertThrows(MalformedFileException.class, () -> TensorFiles.open(file).close());
        assertTrue(local.getMessage().contains("local header names it 'archive/data/15X'"), local.getMessage());
        try (LoopbackServer server = LoopbackServer.start(dir);
                TensorFile f = TensorFiles.open(server.uri(file), OPTIONS, ReadLimits.DEFAULT)) {
            assertEquals(300, f.tensors().size());
            assertEquals(65_536, f.find("layer10.weight").orElseThrow().bytes().byteSize());
            MalformedFileException e = assertThrows(MalformedFileException.class,
                    () -> f.find("layer150.weight").orElseThrow().bytes());
            assertEquals(local.getMessage().replace(file.toString(), ""), e.getMessage().replace(f.path().toString(), ""));
        }
    }

    /** Where the local header of {@code name} starts, from the central directory. */
    static long localHeaderOf(Path file, String name) {
        try (dev.tensorfile.core.spi.MappedFile m = dev.tensorfile.core.spi.MappedFile.open(file, "zip")) {
            dev.tensorfile.core.spi.ZipArchive zip = dev.tensorfile.core.spi.ZipArchive.read(m, "zip", 1000, 1 << 20);
            return zip.find(name).headerOffset();
        }
    }
}
