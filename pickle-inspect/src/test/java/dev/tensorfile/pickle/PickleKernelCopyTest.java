package dev.tensorfile.pickle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.spi.SegmentTensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    @TestFactory
    List<DynamicTest> contiguousTensorsAreFileRegionsWithTheManifestsBytes() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path manifest : Fixtures.manifests()) {
            JsonNode m = Fixtures.read(manifest);
            if (!m.path("tensors").isArray() || m.path("tensors").isEmpty()) continue;
            Path file = Fixtures.file(m.path("file").asText());
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
