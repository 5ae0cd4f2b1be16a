package dev.tensorfile.core;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every format's {@link TensorFile} keeps, run over every fixture a format names: every tensor reads
 * end to end, byte length equals dtype × shape, close is idempotent, use after close fails cleanly. A format's
 * test subclasses this and lists its files.
 */
public abstract class TensorFileContractTest {
    /** For subclasses. */
    protected TensorFileContractTest() {}

    /** The files to check, each a valid file of the format. */
    protected abstract List<Path> files();

    /** Opens a file; by default through {@link TensorFiles#open(Path)}, which also checks recognition. */
    protected TensorFile open(Path file) { return TensorFiles.open(file); }

    @TestFactory
    List<DynamicTest> everyFileKeepsTheContract() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : files()) {
            tests.add(DynamicTest.dynamicTest(file.getFileName().toString(), () -> check(file)));
        }
        assertFalse(tests.isEmpty(), "no files to check");
        return tests;
    }

    private void check(Path file) {
        Tensor first = null;
        TensorFile f = open(file);
        try (f) {
            assertFalse(f.format().isBlank());
            for (Tensor t : f.tensors()) {
                if (first == null) first = t;
                TensorInfo i = t.info();
                if (i.dtype() != DType.STRING) {
                    assertEquals(i.shape().byteSize(i.dtype()), i.byteLength(), i.name() + ": byte length");
                    assertEquals(i.byteLength(), t.bytes().byteSize(), i.name() + ": bytes()");
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment all = arena.allocate(Math.max(1, i.byteLength())).asSlice(0, i.byteLength());
                        t.readBytes(0, all);
                        assertEquals(-1, all.mismatch(t.bytes()), i.name() + ": readBytes differs from bytes()");
                    }
                    assertEquals(t, f.find(i.name()).orElseThrow(), i.name() + ": find by name");
                } else {
                    assertEquals(i.elementCount(), t.strings().size(), i.name() + ": string count");
                }
            }
            assertDoesNotThrow(f::verify);
        }
        assertDoesNotThrow(f::close, "close is idempotent");
        if (first != null && first.info().byteLength() > 0) {
            Tensor closed = first;
            assertThrows(IllegalStateException.class, closed::bytes, "use after close");
        }
        assertTrue(true);
    }
}
