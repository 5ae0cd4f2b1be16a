package dev.tensorfile.onnx;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.MappedFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.tensorfile.onnx.initializers.InitializerProbe;
import dev.tensorfile.onnx.initializers.TensorProto;
import dev.tensorfile.testframework.Fixtures;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.tensorfile.onnx.Wire.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The positional-read fast path for initializer headers must index exactly what the full parse through the
 * mapping indexes, and hand everything that is not its plain case back to the full parse untouched.
 */
class InitializerProbeTest {
    private static final Fixtures FIXTURES = Fixtures.resources("onnx");

    private static final int BIG = 80 << 10; // past InitializerProbe.MIN_JUMP, so the probe is tried after it
    @TempDir Path dir;

    /** A large raw FLOAT initializer: what makes the probe engage for the field after it. */
    private static byte[] big(String name) {
        return initializer(tensor(name, 1, new long[] {BIG / 4}, ld(9, new byte[BIG])));
    }

    private static byte[] raw(String name, int dataType, long[] dims, int bytes, byte[] after) {
        byte[] data = new byte[bytes];
        for (int i = 0; i < bytes; i++) data[i] = (byte) (i * 31 + name.length());
        return initializer(tensor(name, dataType, dims, cat(after, ld(9, data))));
    }

    /** Indexes the graph of {@code model} once with the probe and once without, and checks they agree. */
    private List<TensorProto> indexBothWays(byte[] model, int probed) throws IOException {
        Path p = dir.resolve("m" + System.nanoTime() + ".onnx");
        Files.write(p, model);
        try (MappedFile mapped = MappedFile.open(p, "onnx")) {
            List<TensorProto> full = ModelProto.parse(ByteCursor.of(mapped, "onnx"), p, ReadLimits.DEFAULT)
                    .graph().initializers();
            InitializerProbe probe = new InitializerProbe(mapped, ReadLimits.DEFAULT);
            List<TensorProto> fast = ModelProto.parse(ByteCursor.of(mapped, "onnx"), p, ReadLimits.DEFAULT, probe)
                    .graph().initializers();
            assertEquals(probed, probe.indexed(), "initializers indexed by the fast path");
            assertEquals(full.size(), fast.size());
            for (int i = 0; i < full.size(); i++) assertSame(full.get(i), fast.get(i));
            return fast;
        }
    }

    private static void assertSame(TensorProto want, TensorProto got) {
        String at = "initializer '" + want.name + "'";
        assertEquals(want.name, got.name, at);
        assertEquals(want.offset, got.offset, at);
        assertSameBytes(want.message, got.message, at + " message");
        assertArrayEquals(want.dims, got.dims, at);
        assertEquals(want.dataType, got.dataType, at);
        assertEquals(want.hasSegment, got.hasSegment, at);
        assertSameBytes(want.rawData, got.rawData, at + " raw_data");
        assertEquals(want.rawDataOffset, got.rawDataOffset, at);
        assertEquals(want.typedFields, got.typedFields, at);
        assertEquals(want.typedEntries, got.typedEntries, at);
        assertEquals(want.typedBytes, got.typedBytes, at);
        assertEquals(want.externalData, got.externalData, at);
        assertEquals(want.dataLocation, got.dataLocation, at);
    }

    /** Same place in the same mapping, not merely equal bytes. */
    private static void assertSameBytes(MemorySegment want, MemorySegment got, String what) {
        if (want == null) {
            assertNull(got, what);
            return;
        }
        assertNotNull(got, what);
        assertEquals(want.address(), got.address(), what);
        assertEquals(want.byteSize(), got.byteSize(), what);
    }

    @Test
    void indexesPlainInitializersAfterLargeOnesAsTheFullParseDoes() throws IOException {
        byte[] packedDims = initializer(cat(ld(1, varint(3), varint(300), varint(1)), vi(2, 10),
                str(8, "packed"), ld(9, new byte[2 * 900])));
        byte[] docFirst = initializer(cat(str(12, "a doc string"), str(8, "doc"), vi(1, 2), vi(2, 7),
                ld(9, new byte[16])));
        List<TensorProto> t = indexBothWays(model(
                big("first"),
                raw("unpacked", 1, new long[] {4, 5}, 80, new byte[0]),
                big("second"),
                packedDims,
                big("third"),
                raw("名前/é", 11, new long[] {2}, 16, new byte[0]),
                big("fourth"),
                docFirst,
                big("fifth"),
                raw("scalar", 1, new long[0], 4, new byte[0]),
                big("sixth"),
                raw("zero", 1, new long[] {0, 7}, 0, new byte[0])), 6);
        assertEquals(List.of("first", "unpacked", "second", "packed", "third", "名前/é", "fourth", "doc", "fifth",
                "scalar", "sixth", "zero"), t.stream().map(x -> x.name).toList());
        assertArrayEquals(new long[] {4, 5}, t.get(1).dims);
        assertArrayEquals(new long[] {3, 300, 1}, t.get(3).dims);
        assertEquals(10, t.get(3).dataType);
        assertEquals(1800, t.get(3).rawData.byteSize());
        assertEquals(11, t.get(5).dataType);
        assertArrayEquals(new long[] {2}, t.get(7).dims);
        assertEquals(0, t.get(9).dims.length);
        assertEquals(0, t.get(11).rawData.byteSize());
    }

    @Test
    void handsEverythingElseBackToTheFullParse() throws IOException {
        byte[] typed = initializer(tensor("typed", 1, new long[] {3}, ld(4, f32(1, 2, 3))));
        byte[] external = initializer(tensor("external", 1, new long[] {1},
                cat(ld(13, str(1, "location"), str(2, "w.bin")), vi(14, 1))));
        byte[] rawNotLast = initializer(cat(vi(1, 1), vi(2, 1), ld(9, new byte[4]), str(8, "raw-not-last")));
        byte[] segment = initializer(cat(ld(3, vi(1, 0), vi(2, 1)), vi(1, 1), vi(2, 1), str(8, "segment"),
                ld(9, new byte[4])));
        byte[] unknownField = initializer(cat(vi(1, 1), vi(2, 1), str(8, "unknown"), vi(99, 5), ld(9, new byte[4])));
        byte[] longName = raw("n".repeat(3000), 1, new long[] {1}, 4, new byte[0]);
        byte[] bigDataType = initializer(cat(vi(1, 1), vi(2, 1L << 33), str(8, "wide-type"), ld(9, new byte[4])));
        byte[] node = ld(1, str(4, "Identity"), str(1, "x"), str(2, "y"));
        List<TensorProto> t = indexBothWays(model(big("a"), typed, big("b"), external, big("c"), rawNotLast,
                big("d"), segment, big("e"), unknownField, big("f"), longName, big("g"), bigDataType, big("h"), node,
                raw("after-node", 1, new long[] {1}, 4, new byte[0])), 0);
        assertEquals(List.of("a", "typed", "b", "external", "c", "raw-not-last", "d", "segment", "e",
                "unknown", "f", "n".repeat(3000), "g", "wide-type", "h", "after-node"), t.stream().map(x -> x.name).toList());
        assertEquals(3, t.get(1).typedEntries);
        assertEquals(1, t.get(3).dataLocation);
        assertTrue(t.get(7).hasSegment);
    }

    @Test
    void malformedInitializersAfterLargeOnesFailAsTheyDoWithoutTheProbe() throws IOException {
        byte[] badName = initializer(cat(vi(1, 1), vi(2, 1), ld(8, new byte[] {(byte) 0xC3, 0x28}),
                ld(9, new byte[4])));
        Path p = dir.resolve("bad.onnx");
        Files.write(p, model(big("a"), badName));
        String withProbe;
        String without;
        try (MappedFile mapped = MappedFile.open(p, "onnx")) {
            without = assertThrows(MalformedFileException.class, () -> ModelProto
                    .parse(ByteCursor.of(mapped, "onnx"), p, ReadLimits.DEFAULT).graph()).getMessage();
            withProbe = assertThrows(MalformedFileException.class, () -> ModelProto
                    .parse(ByteCursor.of(mapped, "onnx"), p, ReadLimits.DEFAULT,
                            new InitializerProbe(mapped, ReadLimits.DEFAULT)).graph()).getMessage();
        }
        assertEquals(without, withProbe);
        assertTrue(withProbe.contains("initializer #1"), withProbe);
        assertTrue(withProbe.contains("not valid UTF-8"), withProbe);

        // after a large initializer, one that claims more bytes than its graph holds
        Path q = dir.resolve("truncated.onnx");
        byte[] graph = cat(str(2, "g"), big("a"), key(5, 2), varint(1000), vi(1, 1), vi(2, 1), str(8, "short"));
        Files.write(q, cat(vi(1, 8), ld(7, graph)));
        try (MappedFile mapped = MappedFile.open(q, "onnx")) {
            String a = assertThrows(MalformedFileException.class, () -> ModelProto
                    .parse(ByteCursor.of(mapped, "onnx"), q, ReadLimits.DEFAULT).graph()).getMessage();
            String b = assertThrows(MalformedFileException.class, () -> ModelProto
                    .parse(ByteCursor.of(mapped, "onnx"), q, ReadLimits.DEFAULT,
                            new InitializerProbe(mapped, ReadLimits.DEFAULT)).graph()).getMessage();
            assertEquals(a, b);
            assertTrue(b.contains("initializer claims 1000 bytes"), b);
        }
    }

    @Test
    void everyFixtureIndexesAlikeWithAndWithoutTheProbe() throws IOException {
        for (Path model : FIXTURES.excluding("gen/nesting").files(".onnx")) {
            try (MappedFile mapped = MappedFile.open(model, "onnx")) {
                ModelProto full = ModelProto.parse(ByteCursor.of(mapped, "onnx"), model, ReadLimits.DEFAULT);
                ModelProto probed = ModelProto.parse(ByteCursor.of(mapped, "onnx"), model, ReadLimits.DEFAULT,
                        new InitializerProbe(mapped, ReadLimits.DEFAULT));
                GraphProto a;
                try {
                    a = full.graph();
                } catch (RuntimeException e) {
                    assertEquals(e.getMessage(), assertThrows(RuntimeException.class, probed::graph).getMessage());
                    continue;
                }
                if (a == null) continue;
                List<TensorProto> want = a.initializers();
                List<TensorProto> got = probed.graph().initializers();
                assertEquals(want.size(), got.size(), model.toString());
                for (int i = 0; i < want.size(); i++) assertSame(want.get(i), got.get(i));
            }
        }
    }

    /**
     * Differential: random initializer headers after a large initializer — the plain fields in any order and
     * form, unknown and typed fields, invalid UTF-8, lengths that overrun the message or the graph — must index to
     * the same tensors, or fail with the same message, with the probe and without it.
     */
    @Test
    void randomHeadersIndexOrFailAlikeWithAndWithoutTheProbe() throws IOException {
        java.util.Random random = new java.util.Random(20261203);
        int probed = 0;
        for (int round = 0; round < 400; round++) {
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            int fields = random.nextInt(7);
            for (int i = 0; i < fields; i++) {
                switch (random.nextInt(9)) {
                    case 0 -> body.writeBytes(vi(1, random.nextInt(5) == 0 ? -1 : random.nextInt(1000)));
                    case 1 -> body.writeBytes(ld(1, varint(random.nextInt(9)), varint(random.nextInt(300))));
                    case 2 -> body.writeBytes(vi(2, random.nextInt(30)));
                    case 3 -> body.writeBytes(str(8, "n" + random.nextInt(100) + (random.nextBoolean() ? "é" : "")));
                    case 4 -> body.writeBytes(ld(8, new byte[] {(byte) (0x80 + random.nextInt(64)), 'x'}));
                    case 5 -> body.writeBytes(str(12, "doc"));
                    case 6 -> body.writeBytes(vi(1 + random.nextInt(40), random.nextInt(9)));
                    case 7 -> body.writeBytes(ld(4, f32(1, 2)));
                    default -> body.writeBytes(cat(key(8, 2), varint(random.nextInt(40))));
                }
            }
            byte[] raw = new byte[random.nextInt(64)];
            if (random.nextInt(4) != 0) body.writeBytes(ld(9, raw));
            byte[] tensor = body.toByteArray();
            byte[] next = random.nextInt(6) == 0
                    ? cat(key(5, 2), varint(tensor.length + random.nextInt(3) - 1), tensor) // a length a little off
                    : initializer(tensor);
            byte[] trailing = random.nextBoolean() ? raw("after", 1, new long[] {1}, 4, new byte[0]) : new byte[0];
            Path p = dir.resolve("r" + round + ".onnx");
            Files.write(p, cat(vi(1, 8), ld(7, cat(str(2, "g"), big("big"), next, trailing))));
            try (MappedFile mapped = MappedFile.open(p, "onnx")) {
                List<TensorProto> full = null;
                String fullError = null;
                try {
                    full = ModelProto.parse(ByteCursor.of(mapped, "onnx"), p, ReadLimits.DEFAULT).graph().initializers();
                } catch (MalformedFileException e) {
                    fullError = e.getMessage();
                }
                InitializerProbe probe = new InitializerProbe(mapped, ReadLimits.DEFAULT);
                List<TensorProto> fast = null;
                String fastError = null;
                try {
                    fast = ModelProto.parse(ByteCursor.of(mapped, "onnx"), p, ReadLimits.DEFAULT, probe).graph()
                            .initializers();
                } catch (MalformedFileException e) {
                    fastError = e.getMessage();
                }
                assertEquals(fullError, fastError, "round " + round);
                if (full != null) {
                    assertEquals(full.size(), fast.size(), "round " + round);
                    for (int i = 0; i < full.size(); i++) assertSame(full.get(i), fast.get(i));
                }
                probed += probe.indexed();
            }
        }
        assertTrue(probed > 40, "the fast path was taken in " + probed + " rounds");
    }

    @Test
    void aNestingLimitThatForbidsInitializersStopsThemWithAndWithoutTheProbe() throws IOException {
        Path p = dir.resolve("deep.onnx");
        Files.write(p, model(big("a"), raw("b", 1, new long[] {1}, 4, new byte[0])));
        ReadLimits shallow = ReadLimits.DEFAULT.withMaxNestingDepth(1);
        try (MappedFile mapped = MappedFile.open(p, "onnx")) {
            String without = assertThrows(MalformedFileException.class,
                    () -> ModelProto.parse(ByteCursor.of(mapped, "onnx"), p, shallow).graph()).getMessage();
            InitializerProbe probe = new InitializerProbe(mapped, shallow);
            String with = assertThrows(MalformedFileException.class,
                    () -> ModelProto.parse(ByteCursor.of(mapped, "onnx"), p, shallow, probe).graph()).getMessage();
            assertEquals(without, with);
            assertEquals(0, probe.indexed());
        }
    }
}
