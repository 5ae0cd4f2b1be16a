package dev.tensorfile.pickle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.spi.SegmentTensor;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Contiguous little-endian tensors over STORED zip entries (and legacy storages) are {@link SegmentTensor} views
 * of the file, so a converter can copy them as file regions: the bytes at {@code fileOffset()} in the file itself,
 * read without our reader, are the ones torch loaded (the manifests' sha256). Non-contiguous views are not views.
 */
class PickleKernelCopyTest {
    private static final Fixtures FIXTURES = Fixtures.resources("fixtures");

    /** Four float32 storage elements: sixteen distinct bytes, found in the archive by search, not by our reader. */
    private static final byte[] STORAGE = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    @TempDir Path dir;

    /** A one-tensor torch zip ({"w": 2x2 float32, row-major}) whose storage entry is stored or deflated. */
    private Path archive(String name, boolean deflate, String byteorder) throws IOException {
        ZipBuilder z = new ZipBuilder();
        z.add("archive/data.pkl", PickleHostileInputTest.torchStateDict(4, new long[] {2, 2}));
        if (byteorder != null) z.add("archive/byteorder", byteorder.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        z.add("archive/data/0", STORAGE).deflate = deflate;
        Path p = dir.resolve(name);
        Files.write(p, z.bytes());
        return p;
    }

    @Test
    void storedLittleEndianStorageIsARegionOfTheArchive() throws IOException {
        Path p = archive("stored.pt", false, "little");
        byte[] file = Files.readAllBytes(p);
        long at = indexOf(file, STORAGE);
        assertTrue(at > 0, "the storage bytes are in the archive as they are");
        try (TensorFile f = TensorFiles.open(p)) {
            Tensor w = f.tensor("w");
            assertTrue(w.isView());
            SegmentTensor view = assertInstanceOf(SegmentTensor.class, w);
            assertEquals(p, view.file());
            assertEquals(at, view.fileOffset());
        }
    }

    @Test
    void deflatedStorageIsDecodedOnRead() throws IOException {
        try (TensorFile f = TensorFiles.open(archive("deflated.pt", true, "little"))) {
            Tensor w = f.tensor("w");
            assertFalse(w.isView());
            assertFalse(w instanceof SegmentTensor);
            assertArrayEquals(STORAGE, w.bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void bigEndianStorageIsSwappedOnRead() throws IOException {
        try (TensorFile f = TensorFiles.open(archive("big.pt", false, "big"))) {
            Tensor w = f.tensor("w");
            assertFalse(w.isView());
            assertFalse(w instanceof SegmentTensor);
            byte[] want = {4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9, 16, 15, 14, 13};
            assertArrayEquals(want, w.bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }

    private static long indexOf(byte[] hay, byte[] needle) {
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) return i;
        }
        return -1;
    }

    @TestFactory
    List<DynamicTest> contiguousTensorsAreFileRegionsWithTheManifestsBytes() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path manifest : FIXTURES.manifests("expected")) {
            JsonNode m = Fixtures.readJson(manifest);
            if (!m.path("tensors").isArray() || m.path("tensors").isEmpty()) continue;
            Path file = FIXTURES.file(m.path("file").asText());
            tests.add(DynamicTest.dynamicTest(m.path("file").asText(), () -> {
                try (TensorFile f = TensorFiles.open(file); FileChannel ch = FileChannel.open(file)) {
                    for (JsonNode t : m.path("tensors")) {
                        String name = t.path("name").asText();
                        Tensor got = f.tensor(name);
                        if (!t.path("is_contiguous").asBoolean()) {
                            assertFalse(got.isView(), name + " is a strided view: gathered on read");
                            continue;
                        }
                        assertTrue(got.isView(), name);
                        SegmentTensor view = assertInstanceOf(SegmentTensor.class, got, name);
                        assertEquals(file, view.file(), name);
                        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(got.info().byteLength()));
                        readFully(ch, view.fileOffset(), buf);
                        assertEquals(t.path("sha256").asText(), Fixtures.sha256(buf.array()), name + ": bytes at fileOffset");
                    }
                }
            }));
        }
        assertEquals(8, tests.size(), "every PyTorch/TorchScript manifest with tensors is checked");
        return tests;
    }

    private static void readFully(FileChannel ch, long at, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, at + buf.position()) < 0) throw new IOException("end of file at " + (at + buf.position()));
        }
    }
}
