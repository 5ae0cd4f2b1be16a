package dev.tensorfile.testframework;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.TensorFormat;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.TensorSink;
import dev.tensorfile.core.TensorWriter;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.ValueType;
import dev.tensorfile.core.WriteOptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The contract every real {@link TensorWriter} keeps, run by each format's writer test (Lucene's
 * {@code BaseDirectoryTestCase} is the model): a file written and opened again holds what was written, and a write
 * that does not complete leaves nothing behind.
 * <ul>
 *   <li>every {@link DType} the format says it can store ({@link TensorFormat#canStore}) round-trips byte for byte,
 *       fed in the writer's order and in uneven chunks;</li>
 *   <li>an empty tensor and a scalar round-trip, shape and all;</li>
 *   <li>the metadata the format supports ({@link #metadata()}) comes back;</li>
 *   <li>every other dtype is refused at {@link TensorWriter#declare} with an {@link UnsupportedFeatureException}
 *       that names the tensor and the type, and nothing is written (or, for a format that says so, left out of
 *       the file with a note that names it: {@link #refusesUnstorableTypes()});</li>
 *   <li>an exception inside try-with-resources, a {@link TensorWriter#close()} with data missing, and
 *       {@link TensorWriter#abort()} leave no destination and no temporary file; an existing destination stays
 *       byte for byte as it was;</li>
 *   <li>a complete write replaces an existing destination by a new file moved over it (a new file key), never by
 *       rewriting it in place, and leaves no temporary file beside it.</li>
 * </ul>
 * A format's writer test extends this:
 * <pre>{@code
 * class SafetensorsWriterContractTest extends TensorWriterContract {
 *     protected TensorFormat format() { return new SafetensorsFormat(); }
 *     protected String fileName() { return "model.safetensors"; }
 * }
 * }</pre>
 */
public abstract class TensorWriterContract {
    /** The directory every test writes into; checked for leftovers after each failure. */
    @TempDir
    protected Path dir;

    /** For subclasses. */
    protected TensorWriterContract() {}

    /** The format whose writer is under test. */
    protected abstract TensorFormat format();

    /** The destination's file name, with the extension the format recognises ({@code model.safetensors}). */
    protected abstract String fileName();

    /** The writer's options; none by default. */
    protected WriteOptions options() { return WriteOptions.NONE; }

    /** A writer of {@code destination}; by default {@link TensorFormat#newWriter(Path, WriteOptions)}. */
    protected TensorWriter newWriter(Path destination) { return format().newWriter(destination, options()); }

    /**
     * Opens what was written to {@code destination}; by default the destination itself, through
     * {@link TensorFiles#open(Path)}, which also checks recognition. A writer that splits into files named after
     * the destination opens the set here.
     */
    protected TensorFile open(Path destination) { return TensorFiles.open(destination); }

    /**
     * Metadata the format keeps, written beside the tensors of every round trip and expected back, entry for
     * entry (a reader may add entries of its own). By default one string, which every format here holds;
     * a format with typed metadata lists every type it supports.
     */
    protected Metadata metadata() {
        return Metadata.builder().put("tensorfile.contract", "written by the writer contract, \u00fcn\u00efc\u00f6de").build();
    }

    /**
     * Metadata of every {@link dev.tensorfile.core.ValueType}, at its edges (for a format with typed metadata to
     * return from {@link #metadata()}): each integer type at its extreme, floats with negative zero and infinity,
     * both booleans, an empty and a non-ASCII string, arrays of numbers and strings.
     */
    protected static Metadata everyValueType() {
        return Metadata.builder()
                .put("t.u8", new MetadataValue.Int(ValueType.U8, 255)).put("t.i8", new MetadataValue.Int(ValueType.I8, -128))
                .put("t.u16", new MetadataValue.Int(ValueType.U16, 65535)).put("t.i16", new MetadataValue.Int(ValueType.I16, -32768))
                .put("t.u32", new MetadataValue.Int(ValueType.U32, 4294967295L))
                .put("t.i32", new MetadataValue.Int(ValueType.I32, Integer.MIN_VALUE))
                .put("t.u64", new MetadataValue.Int(ValueType.U64, -1)).put("t.i64", new MetadataValue.Int(ValueType.I64, Long.MIN_VALUE))
                .put("t.f32", new MetadataValue.F32(-0.0f)).put("t.f64", new MetadataValue.F64(Double.NEGATIVE_INFINITY))
                .put("t.true", new MetadataValue.Bool(true)).put("t.false", new MetadataValue.Bool(false))
                .put("t.str", "\u00fcn\u00efc\u00f6d\u00e9 \t\"q\"").put("t.empty", "")
                .put("t.i32s", new MetadataValue.Array(ValueType.I32, List.of(new MetadataValue.Int(ValueType.I32, 3),
                        new MetadataValue.Int(ValueType.I32, -4))))
                .put("t.strs", new MetadataValue.Array(ValueType.STRING, List.of(new MetadataValue.Str("dense"),
                        new MetadataValue.Str("dropout"))))
                .build();
    }

    /** The shape a round trip of {@code type} uses: two rows of two whole blocks (block types need whole rows). */
    protected Shape shapeFor(DType type) { return Shape.of(2, 2L * type.blockElements()); }

    /** Data for a tensor: seeded noise; a BOOL holds only 0 and 1, the values a bool may have. */
    protected byte[] sample(TensorInfo tensor) {
        byte[] b = new byte[Math.toIntExact(tensor.byteLength())];
        new Random(tensor.name().hashCode()).nextBytes(b);
        if (tensor.dtype() == DType.BOOL) {
            for (int i = 0; i < b.length; i++) b[i] &= 1;
        }
        return b;
    }

    /** The dtypes the format says it stores (STRING is not streamed as bytes, so it is left out). */
    protected final List<DType> storable() {
        return Arrays.stream(DType.values()).filter(t -> t != DType.STRING && format().canStore(t)).toList();
    }

    private DType anyStorable() {
        List<DType> s = storable();
        return s.contains(DType.F32) ? DType.F32 : s.getFirst();
    }

    @Test
    void theFormatCanWrite() {
        assertTrue(format().canWrite(), format().name() + ": canWrite");
        assertFalse(storable().isEmpty(), format().name() + ": stores no dtype");
    }

    /** One round trip per dtype the format says it stores. */
    @TestFactory
    List<DynamicTest> roundTripsEveryDTypeItCanStore() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType type : storable()) {
            tests.add(DynamicTest.dynamicTest(type.name(), () -> {
                Path out = dir.resolve(type.name()).resolve(fileName());
                Files.createDirectories(out.getParent());
                roundTrip(out, List.of(TensorInfo.of("t_" + type.name().toLowerCase(java.util.Locale.ROOT), type, shapeFor(type))));
            }));
        }
        return tests;
    }

    @Test
    void roundTripsSeveralTensorsFedInTheWritersOrder() {
        DType t = anyStorable();
        roundTrip(dir.resolve(fileName()), List.of(TensorInfo.of("zeta", t, shapeFor(t)), TensorInfo.of("alpha", t, Shape.of(t.blockElements())),
                TensorInfo.of("mid", t, Shape.of(3, t.blockElements()))));
    }

    @Test
    void roundTripsAnEmptyTensor() {
        DType t = anyStorable();
        roundTrip(dir.resolve(fileName()), List.of(TensorInfo.of("empty", t, Shape.of(0)), TensorInfo.of("after", t, shapeFor(t))));
    }

    @Test
    void roundTripsAScalar() {
        DType t = storable().contains(DType.F32) ? DType.F32 : storable().stream().filter(d -> d.blockElements() == 1).findFirst().orElseThrow();
        roundTrip(dir.resolve(fileName()), List.of(TensorInfo.of("scalar", t, Shape.scalar())));
    }

    /**
     * True if the writer refuses a dtype it cannot store at {@link TensorWriter#declare} (the default); false if it
     * leaves such tensors out of the file with a {@link TensorWriter#notes() note} that names each (a format whose
     * files are useful without them, as a weights-only ONNX model is).
     */
    protected boolean refusesUnstorableTypes() { return true; }

    /** Every dtype the format cannot store is refused with a typed exception, or left out with a note. */
    @TestFactory
    List<DynamicTest> refusesEveryDTypeItCannotStore() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType type : DType.values()) {
            if (type == DType.STRING || format().canStore(type)) continue;
            tests.add(DynamicTest.dynamicTest(type.name(), () -> {
                Path out = dir.resolve(type.name()).resolve(fileName());
                Files.createDirectories(out.getParent());
                TensorInfo t = TensorInfo.of("refused", type, shapeFor(type));
                if (refusesUnstorableTypes()) refused(out, t);
                else leftOut(out, t);
            }));
        }
        return tests;
    }

    private void refused(Path out, TensorInfo t) {
        TensorWriter w = newWriter(out);
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> w.declare(metadata(), List.of(t)));
        assertTrue(e.getMessage().contains("'" + t.name() + "'") && e.getMessage().contains(t.dtype().name()),
                "names the tensor and the type: " + e.getMessage());
        w.abort();
        w.close();
        assertEquals(List.of(), leftovers(), "nothing written");
    }

    private void leftOut(Path out, TensorInfo t) {
        DType kept = anyStorable();
        TensorInfo other = TensorInfo.of("kept", kept, shapeFor(kept));
        TensorWriter w = newWriter(out);
        for (TensorInfo i : w.declare(metadata(), List.of(t, other))) w.write(i.name(), MemorySegment.ofArray(sample(i)));
        w.close();
        List<String> notes = w.notes();
        assertTrue(notes.stream().anyMatch(n -> n.contains(t.name()) && n.contains(t.dtype().name())),
                "a note names the tensor and the type: " + notes);
        try (TensorFile f = open(out)) {
            assertTrue(f.find(t.name()).isEmpty(), "left out of the file");
            assertArrayEquals(sample(other), f.tensor(other.name()).bytes().toArray(ValueLayout.JAVA_BYTE), "the rest is written");
        }
    }

    @Test
    void anExceptionInsideTryWithResourcesLeavesNoFile() {
        Path out = dir.resolve(fileName());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> failMidWrite(out));
        assertEquals("the source failed", e.getMessage());
        assertFalse(Files.exists(out), "no destination");
        assertEquals(List.of(), leftovers(), "no temporary file");
    }

    @Test
    void aFailedWriteLeavesTheExistingDestinationAsItWas() throws IOException {
        Path out = dir.resolve(fileName());
        byte[] old = "an older file".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Files.write(out, old);
        assertThrows(IllegalArgumentException.class, () -> failMidWrite(out));
        assertArrayEquals(old, Files.readAllBytes(out), "the old file is untouched");
        assertEquals(List.of(out), leftovers(), "no temporary file");
    }

    @Test
    void closingWithDataMissingThrowsAndLeavesNoFile() {
        Path out = dir.resolve(fileName());
        DType t = anyStorable();
        TensorWriter w = newWriter(out);
        List<TensorInfo> order = w.declare(metadata(), List.of(TensorInfo.of("a", t, shapeFor(t)), TensorInfo.of("b", t, shapeFor(t))));
        w.write(order.getFirst().name(), MemorySegment.ofArray(sample(order.getFirst())));
        IllegalStateException e = assertThrows(IllegalStateException.class, w::close);
        assertTrue(e.getMessage().contains("'" + order.get(1).name() + "'"), "names the missing tensor: " + e.getMessage());
        assertFalse(Files.exists(out));
        assertEquals(List.of(), leftovers(), "no temporary file");
    }

    @Test
    void abortDiscardsEverything() {
        Path out = dir.resolve(fileName());
        DType t = anyStorable();
        TensorWriter w = newWriter(out);
        List<TensorInfo> order = w.declare(metadata(), List.of(TensorInfo.of("a", t, shapeFor(t))));
        w.write(order.getFirst().name(), MemorySegment.ofArray(sample(order.getFirst())));
        w.abort();
        w.close();
        assertFalse(Files.exists(out));
        assertEquals(List.of(), leftovers(), "no temporary file");
    }

    @Test
    void overwritesAnExistingDestinationByMovingANewFileOverIt() throws IOException {
        Path out = dir.resolve(fileName());
        Files.write(out, new byte[] {1, 2, 3});
        Object before = Files.readAttributes(out, BasicFileAttributes.class).fileKey();
        DType t = anyStorable();
        roundTrip(out, List.of(TensorInfo.of("fresh", t, shapeFor(t))));
        Object after = Files.readAttributes(out, BasicFileAttributes.class).fileKey();
        if (before != null && after != null) assertNotEquals(before, after, "a new file was moved over the old one");
    }

    /** Declares two tensors, writes the first in part, then fails as a conversion source would. */
    private void failMidWrite(Path out) {
        DType t = anyStorable();
        try (TensorWriter w = newWriter(out)) {
            List<TensorInfo> order = w.declare(metadata(), List.of(TensorInfo.of("a", t, shapeFor(t)), TensorInfo.of("b", t, shapeFor(t))));
            TensorInfo first = order.getFirst();
            try (TensorSink sink = w.open(first.name())) {
                sink.write(MemorySegment.ofArray(sample(first)).asSlice(0, first.byteLength() / 2));
                throw new IllegalArgumentException("the source failed");
            }
        }
    }

    /**
     * Writes {@code tensors} with {@link #metadata()} in the order the writer asks, each in chunks of 7 bytes so
     * sink boundaries fall inside elements; opens the file again and checks every tensor and metadata entry; checks
     * nothing but the destination (and the files it names, for a multi-file format) is left in its directory.
     */
    protected final void roundTrip(Path out, List<TensorInfo> tensors) {
        Map<String, byte[]> data = new LinkedHashMap<>();
        for (TensorInfo t : tensors) data.put(t.name(), sample(t));
        List<Path> before = list(out.getParent()).stream().filter(p -> !p.equals(out)).toList();
        try (TensorWriter w = newWriter(out)) {
            List<TensorInfo> order = w.declare(metadata(), tensors);
            assertEquals(tensors.stream().map(TensorInfo::name).sorted().toList(), order.stream().map(TensorInfo::name).sorted().toList(),
                    "the writer's order holds every declared tensor once");
            for (TensorInfo t : order) {
                byte[] bytes = data.get(t.name());
                try (TensorSink sink = w.open(t.name())) {
                    for (int at = 0; at < bytes.length; at += 7) {
                        sink.write(MemorySegment.ofArray(bytes).asSlice(at, Math.min(7, bytes.length - at)));
                    }
                }
            }
        }
        try (TensorFile f = open(out)) {
            assertEquals(format().name(), f.format(), "read back as the format written");
            for (TensorInfo t : tensors) {
                Tensor read = f.find(t.name()).orElseThrow(() -> new AssertionError(t.name() + ": not read back from " + out));
                assertEquals(t.dtype(), read.dtype(), t.name() + ": dtype");
                assertEquals(t.shape(), read.shape(), t.name() + ": shape");
                assertArrayEquals(data.get(t.name()), read.bytes().toArray(ValueLayout.JAVA_BYTE), t.name() + ": bytes");
            }
            for (Map.Entry<String, MetadataValue> e : metadata().asMap().entrySet()) {
                assertEquals(e.getValue(), f.metadata().get(e.getKey()).orElse(null), "metadata '" + e.getKey() + "'");
            }
        }
        for (Path p : list(out.getParent())) {
            if (p.equals(out) || before.contains(p)) continue;
            if (!isPartOf(out, p)) fail("left beside the destination: " + p.getFileName());
        }
    }

    /**
     * True if {@code file}, found beside {@code destination} after a complete write, is part of what was written
     * (an ONNX model's external data, a shard); false by default, so that a leftover temporary file fails the test.
     */
    protected boolean isPartOf(Path destination, Path file) { return false; }

    /** Every file under {@link #dir}, sorted. */
    protected final List<Path> leftovers() {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> list(Path directory) {
        try (Stream<Path> s = Files.list(Objects.requireNonNull(directory))) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
