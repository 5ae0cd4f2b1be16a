package dev.tensorfile.hdf5;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tensorfile.core.Converter;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.TensorWriter;
import dev.tensorfile.core.WriteOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the writer writes, read back by this module's reader (which the interop tests check against h5py): every
 * type, groups, metadata, chunking and compression, the Keras archive, atomicity, and HDF5 → HDF5 conversion judged
 * by the values h5py read from the source fixture.
 */
class Hdf5WriterRoundTripTest {
    @TempDir Path dir;

    private static void assertSameContent(Path file, Map<TensorInfo, byte[]> tensors, String format) {
        try (TensorFile f = TensorFiles.open(file)) {
            assertEquals(format, f.format());
            assertEquals(tensors.size(), f.tensors().size(), "tensor count");
            for (Map.Entry<TensorInfo, byte[]> e : tensors.entrySet()) {
                Tensor t = f.tensor(e.getKey().name());
                assertEquals(e.getKey().dtype(), t.dtype(), e.getKey().name());
                assertEquals(e.getKey().shape(), t.shape(), e.getKey().name());
                assertArrayEquals(e.getValue(), t.bytes().toArray(ValueLayout.JAVA_BYTE), e.getKey().name());
            }
            f.verify();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "gzip", "gzip:9", "gzip:0"})
    void everyTypeRoundTrips(String compress) {
        Path file = dir.resolve("all.h5");
        WriteOptions options = compress.isEmpty() ? WriteOptions.NONE : new WriteOptions(Map.of("compress", compress));
        // small chunks: several per dataset, edge chunks and multi-level chunk B-trees
        SampleRun run = new SampleRun(new Hdf5Writer(file, options, "hdf5", 64));
        assertSameContent(file, WriterSamples.tensors(), "hdf5");
        try (TensorFile f = TensorFiles.open(file)) {
            String details = String.join("\n", f.details());
            if (compress.isEmpty()) {
                assertFalse(details.contains("chunked"), details);
            } else {
                assertTrue(details.contains("chunked"), details);
                assertTrue(details.contains("[2 (shuffle), 1 (deflate) level " + (compress.equals("gzip") ? 4 : compress.substring(5)) + "]"), details);
            }
        }
        assertTrue(run.notes.isEmpty(), run.notes.toString());
    }

    private static final class SampleRun {
        final List<String> notes;

        SampleRun(Hdf5Writer w) {
            WriterSamples.write(w, WriterSamples.metadata(), WriterSamples.tensors());
            notes = w.notes();
        }
    }

    @Test
    void manyChunksMakeAMultiLevelBTree() {
        Path file = dir.resolve("many.h5");
        Map<TensorInfo, byte[]> m = new java.util.LinkedHashMap<>();
        WriterSamples.put(m, new java.util.Random(1), "rows", DType.F32, 5000, 3); // 5000 chunks of one row: 3 levels
        WriterSamples.write(new Hdf5Writer(file, new WriteOptions(Map.of("compress", "gzip:1")), "hdf5", 12), Metadata.empty(), m);
        assertSameContent(file, m, "hdf5");
        try (TensorFile f = TensorFiles.open(file)) {
            float[] row = new float[3];
            f.tensor("rows").readFloats(4321 * 3, row, 0, 3);
            float[] want = new float[3];
            java.nio.ByteBuffer.wrap(m.values().iterator().next(), 4321 * 12, 12).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(want);
            assertArrayEquals(want, row);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain.h5", "gzip.h5", "plain.keras"})
    void dataMayComeFromAFloatArray(String name) {
        // a heap segment over float[] has no ByteBuffer view: the writer must not need one
        Path file = dir.resolve(name);
        float[] values = new float[300_000];
        for (int i = 0; i < values.length; i++) values[i] = i * 0.5f;
        TensorInfo info = TensorInfo.of("f", DType.F32, Shape.of(300, 1000));
        WriteOptions options = name.startsWith("gzip") ? new WriteOptions(Map.of("compress", "gzip")) : WriteOptions.NONE;
        try (TensorWriter w = name.endsWith(".keras") ? new KerasWriter(file, options) : new Hdf5Writer(file, options)) {
            w.declare(Metadata.empty(), List.of(info));
            w.write("f", java.lang.foreign.MemorySegment.ofArray(values));
        }
        try (TensorFile f = TensorFiles.open(file)) {
            float[] back = new float[values.length];
            f.tensor("f").readFloats(0, back, 0, back.length);
            assertArrayEquals(values, back);
            f.verify();
        }
    }

    @Test
    void metadataRoundTripsAsAttributes() {
        Path file = dir.resolve("md.h5");
        WriterSamples.writeHdf5(file, new Hdf5Writer(file, WriteOptions.NONE));
        Metadata want = WriterSamples.metadata();
        try (TensorFile f = TensorFiles.open(file)) {
            for (Map.Entry<String, MetadataValue> e : want.asMap().entrySet()) {
                assertEquals(e.getValue(), f.metadata().get(e.getKey()).orElse(null), e.getKey());
            }
            // the writer's own Keras marks, one per opaque-stored dataset
            assertEquals(new MetadataValue.Str("bfloat16"), f.metadata().get("types/bf16@dtype").orElseThrow());
            assertEquals(new MetadataValue.Str("float8_e4m3fn"), f.metadata().get("types/f8_e4m3@dtype").orElseThrow());
        }
    }

    @Test
    void aDatasetHasOneDtypeAttributeAndItNamesItsType() {
        Path file = dir.resolve("dtype.h5");
        Map<TensorInfo, byte[]> m = new java.util.LinkedHashMap<>();
        WriterSamples.put(m, new java.util.Random(2), "w", DType.BF16, 4);
        WriterSamples.put(m, new java.util.Random(3), "v", DType.U8, 4);
        Metadata md = Metadata.builder().put("w@dtype", "bfloat16").put("v@dtype", "float8_e4m3fn").build();
        Hdf5Writer w = new Hdf5Writer(file, WriteOptions.NONE);
        WriterSamples.write(w, md, m);
        assertEquals(1, w.notes().size(), w.notes().toString());
        assertTrue(w.notes().getFirst().contains("'v@dtype'"), w.notes().toString());
        assertSameContent(file, m, "hdf5");
        try (TensorFile f = TensorFiles.open(file)) {
            assertEquals(1, String.join("\n", f.details()).split("@dtype", -1).length - 1, String.join("\n", f.details()));
        }
    }

    @Test
    void anEmptyAttributeNameIsANoteNotAnAttribute() {
        Path file = dir.resolve("empty-name.h5");
        Map<TensorInfo, byte[]> m = new java.util.LinkedHashMap<>();
        WriterSamples.put(m, new java.util.Random(4), "t", DType.F32, 2);
        Hdf5Writer w = new Hdf5Writer(file, WriteOptions.NONE);
        WriterSamples.write(w, Metadata.builder().put("", "x").put("t@", "y").put("kept", "z").build(), m);
        assertEquals(1, w.notes().size(), w.notes().toString());
        assertTrue(w.notes().getFirst().contains("empty name"), w.notes().toString());
        try (TensorFile f = TensorFiles.open(file)) {
            assertEquals(Metadata.builder().put("t@", "y").put("kept", "z").build(), f.metadata());
        }
    }

    @Test
    void kerasArchiveRoundTripsAndIsAValidZip() throws IOException {
        Path file = dir.resolve("model.keras");
        String config = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\"}}";
        String meta = "{\"keras_version\": \"3.3.3\", \"date_saved\": \"2024-05-01@10:00:00\"}";
        Metadata md = Metadata.builder().putAll(WriterSamples.metadata()).put("keras.config", config).put("keras.metadata", meta).build();
        KerasWriter w = new KerasWriter(file, new WriteOptions(Map.of("compress", "gzip")));
        WriterSamples.write(w, md, WriterSamples.tensors());
        assertTrue(w.notes().isEmpty(), w.notes().toString());
        assertSameContent(file, WriterSamples.tensors(), "keras");
        try (TensorFile f = TensorFiles.open(file)) {
            assertEquals(config, f.metadata().getString("keras.config").orElseThrow());
            assertEquals(meta, f.metadata().getString("keras.metadata").orElseThrow());
            assertEquals("m/s", f.metadata().getString("model/dense/kernel:0@unit").orElseThrow());
        }
        // the JDK's zip reader checks each stored member's size and CRC-32 as it reads it
        try (ZipInputStream z = new ZipInputStream(Files.newInputStream(file))) {
            List<String> names = new java.util.ArrayList<>();
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                names.add(e.getName());
                assertEquals(ZipEntry.STORED, e.getMethod(), e.getName());
                z.readAllBytes();
            }
            assertEquals(List.of("metadata.json", "config.json", "model.weights.h5"), names);
        }
        // model.weights.h5 starts on a 64-byte boundary, so its contiguous data is aligned in the mapping
        dev.tensorfile.core.spi.ZipArchive zip = dev.tensorfile.core.spi.ZipArchive.read(
                java.lang.foreign.MemorySegment.ofArray(Files.readAllBytes(file)), file, "keras", 10);
        assertEquals(0, zip.dataOffset(zip.entries().getLast()) % 64);
    }

    @Test
    void kerasWithoutConfigSaysSo() {
        Path file = dir.resolve("weights.keras");
        KerasWriter w = new KerasWriter(file, WriteOptions.NONE);
        WriterSamples.write(w, Metadata.empty(), WriterSamples.tensors());
        assertEquals(1, w.notes().size());
        assertTrue(w.notes().getFirst().contains("config.json"));
        assertSameContent(file, WriterSamples.tensors(), "keras");
    }

    @Test
    void crc32CombineMatchesTheJdk() {
        byte[] a = new byte[100], b = new byte[100_003];
        new java.util.Random(5).nextBytes(a);
        new java.util.Random(6).nextBytes(b);
        java.util.zip.CRC32 ca = new java.util.zip.CRC32(), cb = new java.util.zip.CRC32(), all = new java.util.zip.CRC32();
        ca.update(a);
        cb.update(b);
        all.update(a);
        all.update(b);
        assertEquals((int) all.getValue(), StoredZip.crc32Combine((int) ca.getValue(), (int) cb.getValue(), b.length));
    }

    @Test
    void abortLeavesNothing() throws IOException {
        Path file = dir.resolve("aborted.h5");
        TensorWriter w = new Hdf5Format().newWriter(file, WriteOptions.NONE);
        Map<TensorInfo, byte[]> m = WriterSamples.tensors();
        List<TensorInfo> order = w.declare(Metadata.empty(), List.copyOf(m.keySet()));
        w.write(order.getFirst().name(), java.lang.foreign.MemorySegment.ofArray(m.get(order.getFirst())));
        w.abort();
        assertFalse(Files.exists(file));
        try (var s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "no temporary file left");
        }
    }

    @Test
    void anIncompleteFileNeverReplacesTheDestination() throws IOException {
        Path file = dir.resolve("kept.h5");
        Files.writeString(file, "old content");
        TensorWriter w = new Hdf5Format().newWriter(file, new WriteOptions(Map.of("compress", "gzip")));
        Map<TensorInfo, byte[]> m = WriterSamples.tensors();
        w.declare(Metadata.empty(), List.copyOf(m.keySet()));
        IllegalStateException e = assertThrows(IllegalStateException.class, w::close);
        assertTrue(e.getMessage().contains("not written"), e.getMessage());
        assertEquals("old content", Files.readString(file));
        try (var s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList(), "no temporary file left");
        }
    }

    @Test
    void refusesWhatHdf5CannotHold() {
        Path file = dir.resolve("bad.h5");
        TensorWriter w = new Hdf5Format().newWriter(file, WriteOptions.NONE);
        TensorFileException e = assertThrows(TensorFileException.class,
                () -> w.declare(Metadata.empty(), List.of(TensorInfo.of("q", DType.Q4_0, Shape.of(32)))));
        assertTrue(e.getMessage().contains("'q'") && e.getMessage().contains("Q4_0"), e.getMessage());
        w.abort();
        TensorWriter w2 = new Hdf5Format().newWriter(file, WriteOptions.NONE);
        e = assertThrows(TensorFileException.class, () -> w2.declare(Metadata.empty(),
                List.of(TensorInfo.of("a", DType.F32, Shape.of(1)), TensorInfo.of("a/b", DType.F32, Shape.of(1)))));
        assertTrue(e.getMessage().contains("'a/b'"), e.getMessage());
        w2.abort();
        e = assertThrows(TensorFileException.class, () -> new Hdf5Writer(file, new WriteOptions(Map.of("compress", "lzf"))));
        assertTrue(e.getMessage().contains("gzip"), e.getMessage());
        e = assertThrows(TensorFileException.class, () -> new Hdf5Writer(file, new WriteOptions(Map.of("compress", "gzip:10"))));
        assertTrue(e.getMessage().contains("10"), e.getMessage());
        assertFalse(Files.exists(file));
        e = assertThrows(dev.tensorfile.core.UnsupportedFeatureException.class,
                () -> new KerasFormat().newWriter(dir.resolve("model.weights.json"), WriteOptions.NONE));
        assertTrue(e.getMessage().contains(".weights.json"), e.getMessage());
    }

    /** HDF5 → HDF5 keeps every dataset with a tensor type, with the values h5py read from the source. */
    @ParameterizedTest
    @ValueSource(strings = {"dv-latest.hdf5", "dv-keras-weights.h5"})
    void hdf5ToHdf5KeepsEveryTensorDataset(String name) throws IOException {
        Path src = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/hdf5/shared/" + name)) {
            Files.copy(in, src);
        }
        JsonNode manifest;
        try (InputStream in = getClass().getResourceAsStream("/hdf5/shared/expected/" + name + ".json")) {
            manifest = new ObjectMapper().enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature()).readTree(in);
        }
        for (String compress : new String[] {"", "gzip"}) {
            Path out = dir.resolve("out" + compress + ".h5");
            try (TensorFile f = TensorFiles.open(src)) {
                Converter.from(f).options(compress.isEmpty() ? WriteOptions.NONE : new WriteOptions(Map.of("compress", compress))).to(out);
            }
            int checked = 0;
            try (TensorFile f = TensorFiles.open(out)) {
                for (JsonNode t : manifest.get("tensors")) {
                    if (t.get("dtype_canonical") == null || t.get("dtype_canonical").isNull()) continue;
                    String n = t.get("name").asText().substring(1);
                    Tensor got = f.tensor(n);
                    assertEquals(t.get("dtype_canonical").asText(), got.dtype().name(), n);
                    assertEquals(t.get("sha256").asText(), WriterSamples.sha256(got.bytes().toArray(ValueLayout.JAVA_BYTE)), n);
                    checked++;
                }
                for (JsonNode g : manifest.get("groups")) {
                    for (JsonNode a : g.get("attributes")) {
                        String key = g.get("name").asText().equals("/") ? a.get("name").asText()
                                : g.get("name").asText().substring(1) + "@" + a.get("name").asText();
                        MetadataValue v = f.metadata().get(key).orElse(null);
                        if (a.get("value") != null && a.get("value").isTextual()) {
                            assertEquals(new MetadataValue.Str(a.get("value").asText()), v, key);
                        } else if (a.get("value") != null && a.get("value").isIntegralNumber() && v instanceof MetadataValue.Int i) {
                            assertEquals(a.get("value").asLong(), i.value(), key);
                        }
                    }
                }
                f.verify();
            }
            assertTrue(checked > 0);
        }
    }

    /**
     * Every tensor of the module's h5py and Keras fixtures survives conversion to HDF5 (and the Keras archive to
     * {@code .keras}) with the dtype and values their generator recorded, and so does their string and integer
     * metadata.
     */
    @ParameterizedTest
    @ValueSource(strings = {"types-earliest.h5", "types-latest.h5", "layouts-earliest.h5", "layouts-latest.h5",
            "filters-latest.h5", "groups-latest.h5", "keras2-full.h5", "keras3.weights.h5", "model.keras",
            "pytables-fletcher32.h5", "vlen-empty-latest.h5", "blosc-h5py.h5", "blosc-pytables.h5", "szip.h5",
            "pytables/test_szip.h5", "pytables/blosc_bigendian.h5", "pytables/smpl_SDSextendible.h5", "pytables/ex-noattr.h5", "pytables/idx-std-1.x.h5", "pytables/attr-u16.h5"})
    void convertingAFixtureKeepsEveryTensor(String name) throws IOException {
        String resource = "/hdf5/" + (name.contains("/") ? name : "gen/" + name);
        name = name.substring(name.lastIndexOf('/') + 1);
        Path src = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            Files.copy(in, src);
        }
        JsonNode manifest;
        try (InputStream in = getClass().getResourceAsStream(resource + ".json")) {
            manifest = new ObjectMapper().enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature()).readTree(in);
        }
        List<String> outputs = name.endsWith(".keras") ? List.of("out.h5", "out.keras", "gz.keras") : List.of("out.h5", "gz.h5");
        for (String o : outputs) {
            Path out = dir.resolve(o);
            try (TensorFile f = TensorFiles.open(src)) {
                Converter.from(f).options(o.startsWith("gz") ? new WriteOptions(Map.of("compress", "gzip")) : WriteOptions.NONE).to(out);
            }
            int checked = 0;
            try (TensorFile f = TensorFiles.open(out)) {
                assertEquals(o.endsWith(".keras") ? "keras" : "hdf5", f.format());
                for (JsonNode t : manifest.get("tensors")) {
                    if (t.get("dtype").asText().equals("STRING")) continue; // HDF5 string datasets: not written
                    String n = t.get("name").asText();
                    Tensor got = f.tensor(n);
                    assertEquals(t.get("dtype").asText(), got.dtype().name(), o + ": " + n);
                    assertEquals(t.get("sha256").asText(), WriterSamples.sha256(got.bytes().toArray(ValueLayout.JAVA_BYTE)), o + ": " + n);
                    checked++;
                }
                for (var it = manifest.get("metadata").properties().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    if (!o.endsWith(".keras") && e.getKey().startsWith("keras.")) continue;
                    MetadataValue v = f.metadata().get(e.getKey()).orElse(null);
                    if (e.getValue().isTextual()) {
                        assertEquals(new MetadataValue.Str(e.getValue().asText()), v, o + ": " + e.getKey());
                    } else if (e.getValue().isIntegralNumber()) {
                        assertTrue(v instanceof MetadataValue.Int i && i.value() == e.getValue().asLong(), o + ": " + e.getKey() + " = " + v);
                    }
                }
                f.verify();
            }
            assertTrue(checked > 0);
        }
    }
}
