package dev.tensorfile.testframework;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.TensorInfo;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every format's {@link TensorFile} keeps, run over every file a format's test lists (jhdf's
 * {@code TestAllFilesBase}, Lucene's {@code BaseDirectoryTestCase}). For each file:
 * <ul>
 *   <li>it opens, names its format, and lists tensors with unique names;</li>
 *   <li>{@link TensorFile#find} and {@link TensorFile#tensor} answer the listed tensor for every name, and nothing
 *       (an empty optional, a {@link NoSuchElementException}) for a name the file does not have;</li>
 *   <li>every tensor's byte length is its shape × dtype, {@link Tensor#bytes()} has that length, and
 *       {@link Tensor#readBytes} agrees with it over the whole tensor and over a range that starts and ends inside
 *       elements; a range past the end is an {@link IndexOutOfBoundsException}, never a read of other bytes;</li>
 *   <li>a {@link DType#STRING} tensor has one string per element;</li>
 *   <li>{@link TensorFile#verify()} passes;</li>
 *   <li>{@link TensorFile#close()} is idempotent, and afterwards every tensor with data fails with an
 *       {@link IllegalStateException} (never a JVM crash or stale bytes).</li>
 * </ul>
 * A format's test extends this and lists its files:
 * <pre>{@code
 * class SafetensorsContractTest extends TensorFileContract {
 *     protected List<Path> files() { return FIXTURES.files(".safetensors"); }
 * }
 * }</pre>
 */
public abstract class TensorFileContract {
    /** A name no fixture uses. */
    private static final String NO_SUCH_TENSOR = "no such tensor \u2400";

    /** For subclasses. */
    protected TensorFileContract() {}

    /** The files to check, each a valid file (or directory, for a multi-file format) of the format. */
    protected abstract List<Path> files();

    /** Opens a file; by default through {@link TensorFiles#open(Path)}, which also checks recognition. */
    protected TensorFile open(Path file) { return TensorFiles.open(file); }

    /** One test per file. */
    @TestFactory
    List<DynamicTest> everyFileKeepsTheContract() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : files()) {
            tests.add(DynamicTest.dynamicTest(String.valueOf(file.getFileName()), () -> check(file)));
        }
        assertFalse(tests.isEmpty(), "no files to check");
        return tests;
    }

    private void check(Path file) {
        TensorFile f = open(file);
        List<Tensor> tensors;
        try (f) {
            assertFalse(f.format().isBlank(), "format name");
            assertNotNull(f.path(), "path");
            assertNotNull(f.metadata(), "metadata");
            tensors = f.tensors();
            Set<String> names = new HashSet<>();
            for (Tensor t : tensors) {
                TensorInfo i = t.info();
                assertTrue(names.add(i.name()), i.name() + ": listed twice");
                assertSame(t, f.tensor(i.name()), i.name() + ": tensor(name) answers the listed tensor");
                assertSame(t, f.find(i.name()).orElseThrow(), i.name() + ": find(name) answers the listed tensor");
                if (i.dtype() == DType.STRING) {
                    assertEquals(i.elementCount(), t.strings().size(), i.name() + ": one string per element");
                } else {
                    checkBytes(t);
                }
            }
            assertTrue(f.find(NO_SUCH_TENSOR).isEmpty(), "find of a name the file lacks");
            assertThrows(NoSuchElementException.class, () -> f.tensor(NO_SUCH_TENSOR), "tensor of a name the file lacks");
            assertDoesNotThrow(f::verify, "verify");
        }
        assertDoesNotThrow(f::close, "close is idempotent");
        for (Tensor t : tensors) {
            if (t.info().dtype() == DType.STRING || t.info().byteLength() == 0) continue;
            assertThrows(IllegalStateException.class, t::bytes, t.name() + ": bytes() after close");
            assertThrows(IllegalStateException.class, () -> t.readBytes(0, MemorySegment.ofArray(new byte[1])),
                    t.name() + ": readBytes after close");
        }
    }

    private static void checkBytes(Tensor t) {
        TensorInfo i = t.info();
        long length = i.byteLength();
        assertEquals(i.shape().byteSize(i.dtype()), length, i.name() + ": byte length is shape x dtype");
        MemorySegment bytes = t.bytes();
        assertEquals(length, bytes.byteSize(), i.name() + ": bytes() length");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = arena.allocate(Math.max(1, length)).asSlice(0, length);
            t.readBytes(0, all);
            assertEquals(-1, all.mismatch(bytes), i.name() + ": readBytes differs from bytes()");
            if (length > 3) {
                // A range that starts and ends inside elements: formats that decode (big-endian, compressed
                // chunks) must cut it out of what they decode, not round it to whole elements or chunks.
                MemorySegment part = arena.allocate(length - 2);
                t.readBytes(1, part);
                assertEquals(-1, part.mismatch(bytes.asSlice(1, length - 2)), i.name() + ": readBytes of an inner range");
            }
            MemorySegment one = arena.allocate(1);
            assertThrows(IndexOutOfBoundsException.class, () -> t.readBytes(length, one), i.name() + ": readBytes past the end");
            assertThrows(IndexOutOfBoundsException.class, () -> t.readBytes(-1, one), i.name() + ": readBytes before the start");
        }
    }
}
