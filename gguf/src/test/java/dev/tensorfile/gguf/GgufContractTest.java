package dev.tensorfile.gguf;

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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The core {@code TensorFileContractTest} over every GGUF fixture (the first shard of the split opens the whole
 * set): every tensor reads end to end, byte length equals dtype × shape, readBytes agrees with bytes(), find by
 * name, verify, idempotent close, use after close fails cleanly.
 *
 * <p>The same checks as core's test-jar class, restated here: this module's tests compile on the module path
 * (patched into {@code dev.tensorfile.gguf}), where the test-jar's {@code dev.tensorfile.core} package is split
 * from the core module and cannot be seen, so the class cannot be extended without a build change.
 */
class GgufContractTest {
    @TestFactory
    List<DynamicTest> everyFileKeepsTheContract() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : Fixtures.files()) {
            tests.add(DynamicTest.dynamicTest(file.getFileName().toString(), () -> check(file)));
        }
        assertFalse(tests.isEmpty(), "no files to check");
        return tests;
    }

    private static void check(Path file) {
        Tensor first = null;
        TensorFile f = TensorFiles.open(file);
        try (f) {
            assertEquals("gguf", f.format());
            for (Tensor t : f.tensors()) {
                if (first == null) first = t;
                TensorInfo i = t.info();
                assertEquals(i.shape().byteSize(i.dtype()), i.byteLength(), i.name() + ": byte length");
                assertEquals(i.byteLength(), t.bytes().byteSize(), i.name() + ": bytes()");
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment all = arena.allocate(Math.max(1, i.byteLength())).asSlice(0, i.byteLength());
                    t.readBytes(0, all);
                    assertEquals(-1, all.mismatch(t.bytes()), i.name() + ": readBytes differs from bytes()");
                    if (i.byteLength() > 3) {
                        // A range that starts and ends inside elements (big-endian files decode such ranges).
                        MemorySegment part = arena.allocate(i.byteLength() - 2);
                        t.readBytes(1, part);
                        assertEquals(-1, part.mismatch(t.bytes().asSlice(1, i.byteLength() - 2)), i.name() + ": range");
                    }
                }
                assertEquals(t, f.find(i.name()).orElseThrow(), i.name() + ": find by name");
                assertFalse(i.dtype() == DType.STRING);
            }
            assertDoesNotThrow(f::verify);
        }
        assertDoesNotThrow(f::close, "close is idempotent");
        if (first != null && first.info().byteLength() > 0) {
            Tensor closed = first;
            assertThrows(IllegalStateException.class, closed::bytes, "use after close");
        }
    }
}
