package dev.tensorfile.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state machine every writer inherits ({@code spi.AbstractTensorWriter}), on a test-only format: declared first,
 * fed in the writer's order, committed only when complete. Every real writer runs the shared
 * {@code TensorWriterContract} of tensorfile-test-framework as well.
 */
class AbstractTensorWriterTest {
    @TempDir Path dir;

    private final List<TensorInfo> two = List.of(TensorInfo.of("a", DType.U8, Shape.of(2)), TensorInfo.of("b", DType.U8, Shape.of(3)));

    private static MemorySegment bytes(int... b) {
        byte[] a = new byte[b.length];
        for (int i = 0; i < b.length; i++) a[i] = (byte) b[i];
        return MemorySegment.ofArray(a);
    }

    private List<Path> filesIn() throws IOException {
        try (var s = Files.list(dir)) { return s.toList(); }
    }

    @Test
    void commitsInTheWritersOrderAndLeavesNoTemporaryFile() throws IOException {
        Path out = dir.resolve("m.raw");
        try (TensorWriter w = InMemoryFormat.storingEverythingBut().newWriter(out, WriteOptions.NONE)) {
            List<TensorInfo> order = w.declare(Metadata.empty(), two);
            assertEquals(List.of("b", "a"), order.stream().map(TensorInfo::name).toList());
            w.write("b", bytes(3, 4, 5));
            try (TensorSink sink = w.open("a")) {
                sink.write(bytes(1));
                sink.write(bytes(2));
            }
        }
        assertArrayEquals(new byte[] {3, 4, 5, 1, 2}, Files.readAllBytes(out));
        assertEquals(List.of(out), filesIn());
    }

    @Test
    void anIncompleteWriteNeverReachesTheDestination() throws IOException {
        Path out = dir.resolve("m.raw");
        Files.write(out, new byte[] {42});
        TensorWriter w = InMemoryFormat.storingEverythingBut().newWriter(out, WriteOptions.NONE);
        w.declare(Metadata.empty(), two);
        w.write("b", bytes(3, 4, 5));
        IllegalStateException e = assertThrows(IllegalStateException.class, w::close);
        assertTrue(e.getMessage().contains("1 of 2 tensors were not written, the first 'a'"), e.getMessage());
        assertArrayEquals(new byte[] {42}, Files.readAllBytes(out), "the old file is untouched");
        assertEquals(List.of(out), filesIn(), "the temporary file is gone");
    }

    @Test
    void anExceptionInsideTryWithResourcesLeavesNothing() throws IOException {
        Path out = dir.resolve("m.raw");
        RuntimeException e = assertThrows(RuntimeException.class, () -> {
            try (TensorWriter w = InMemoryFormat.storingEverythingBut().newWriter(out, WriteOptions.NONE)) {
                w.declare(Metadata.empty(), two);
                w.write("b", bytes(3, 4, 5));
                throw new RuntimeException("source failed");
            }
        });
        assertEquals("source failed", e.getMessage());
        assertEquals(1, e.getSuppressed().length, "the writer's own complaint is attached, not thrown over it");
        assertFalse(Files.exists(out));
        assertTrue(filesIn().isEmpty());
    }

    @Test
    void abortDiscards() throws IOException {
        Path out = dir.resolve("m.raw");
        TensorWriter w = InMemoryFormat.storingEverythingBut().newWriter(out, WriteOptions.NONE);
        w.declare(Metadata.empty(), two);
        w.write("b", bytes(3, 4, 5));
        w.abort();
        w.close();
        assertTrue(filesIn().isEmpty());
    }

    @Test
    void wrongOrderWrongLengthAndDuplicatesAreRefused() {
        Path out = dir.resolve("m.raw");
        TensorWriter w = InMemoryFormat.storingEverythingBut().newWriter(out, WriteOptions.NONE);
        assertThrows(IllegalStateException.class, () -> w.open("a"), "nothing declared yet");
        w.declare(Metadata.empty(), two);
        assertThrows(IllegalStateException.class, () -> w.declare(Metadata.empty(), two));
        IllegalStateException order = assertThrows(IllegalStateException.class, () -> w.open("a"));
        assertTrue(order.getMessage().contains("expected data of 'b' next"), order.getMessage());
        TensorSink sink = w.open("b");
        IllegalStateException tooMuch = assertThrows(IllegalStateException.class, () -> sink.write(bytes(1, 2, 3, 4)));
        assertTrue(tooMuch.getMessage().contains("declared 3 bytes; 4 were written"), tooMuch.getMessage());
        assertThrows(IllegalStateException.class, w::close);
        assertFalse(Files.exists(out));

        TensorWriter dup = InMemoryFormat.storingEverythingBut().newWriter(out, WriteOptions.NONE);
        TensorFileException e = assertThrows(TensorFileException.class,
                () -> dup.declare(Metadata.empty(), List.of(two.get(0), two.get(0))));
        assertTrue(e.getMessage().contains("declared twice"));
        dup.abort();
    }
}
