package dev.tensorfile.hdf5;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.WriteOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the writer writes, judged by the real tools: h5py (libhdf5) reads every dataset with the values written and
 * every attribute with its value, and {@code h5dump} dumps the whole file. Runs only where Debian's
 * {@code python3-h5py} and {@code hdf5-tools} are installed; CI does not depend on them.
 */
class Hdf5WriterInteropTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path script;
    private static boolean h5py;
    private static boolean h5dump;

    @TempDir Path dir;

    @BeforeAll
    static void findTools(@TempDir Path tools) throws IOException, InterruptedException {
        script = tools.resolve("read_with_h5py.py");
        try (InputStream in = Hdf5WriterInteropTest.class.getResourceAsStream("/writer/read_with_h5py.py")) {
            Files.copy(in, script);
        }
        h5py = Files.isExecutable(PYTHON) && run(List.of(PYTHON.toString(), "-c", "import h5py, numpy")).exit == 0;
        h5dump = runs("h5dump", "--version");
    }

    private record Result(int exit, String out, String err) {}

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("tool", ".out"), err = Files.createTempFile("tool", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "", "timeout");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static boolean runs(String... command) {
        try {
            return run(List.of(command)).exit == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static JsonNode readWithH5py(Path file) throws IOException, InterruptedException {
        Result r = run(List.of(PYTHON.toString(), script.toString(), file.toString()));
        assertEquals(0, r.exit, "h5py cannot read " + file.getFileName() + ": " + r.err);
        String[] lines = r.out.strip().split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    private static String numpyType(DType t) {
        return switch (t) {
            case F64 -> "<f8";
            case F32 -> "<f4";
            case F16 -> "<f2";
            case BF16 -> "|V2";
            case F8_E4M3, F8_E5M2, F8_E4M3FNUZ, F8_E5M2FNUZ -> "|V1";
            case I64 -> "<i8";
            case I32 -> "<i4";
            case I16 -> "<i2";
            case I8 -> "|i1";
            case U64 -> "<u8";
            case U32 -> "<u4";
            case U16 -> "<u2";
            case U8 -> "|u1";
            case BOOL -> "|b1";
            default -> throw new IllegalArgumentException(t.name());
        };
    }

    /** The datasets and attributes h5py read are those written. */
    private static void assertH5pyReads(JsonNode got, Map<TensorInfo, byte[]> tensors, Metadata metadata, int gzipLevel) {
        for (Map.Entry<TensorInfo, byte[]> e : tensors.entrySet()) {
            TensorInfo t = e.getKey();
            JsonNode d = got.get("datasets").get(t.name());
            assertNotNull(d, t.name() + " missing; h5py saw " + keys(got.get("datasets")));
            assertEquals(numpyType(t.dtype()), d.get("dtype").asText(), t.name());
            List<Long> shape = new java.util.ArrayList<>();
            d.get("shape").forEach(n -> shape.add(n.asLong()));
            assertEquals(java.util.Arrays.stream(t.shape().dims()).boxed().toList(), shape, t.name());
            assertEquals(WriterSamples.sha256(e.getValue()), d.get("sha256").asText(), t.name() + " values");
            boolean chunked = gzipLevel >= 0 && t.shape().rank() > 0 && t.elementCount() > 0;
            assertEquals(chunked ? "gzip" : null, d.get("compression").isNull() ? null : d.get("compression").asText(), t.name());
            assertEquals(chunked, d.get("shuffle").asBoolean(), t.name());
            if (chunked) assertEquals(gzipLevel, d.get("compression_opts").asInt(), t.name());
            String keras = Hdf5Writer.kerasName(t.dtype());
            if (keras != null) assertEquals(keras, got.get("attrs").get(t.name() + "@dtype").asText(), t.name());
        }
        for (var it = got.get("counts").properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            assertEquals(e.getValue().get(1).asInt(), e.getValue().get(0).asInt(), e.getKey() + ": attribute count libhdf5 reports");
        }
        for (Map.Entry<String, MetadataValue> e : metadata.asMap().entrySet()) {
            JsonNode v = got.get("attrs").get(e.getKey());
            assertNotNull(v, e.getKey() + " missing; h5py saw " + keys(got.get("attrs")));
            assertSameValue(e.getValue(), v, e.getKey());
        }
    }

    private static List<String> keys(JsonNode object) {
        List<String> keys = new java.util.ArrayList<>();
        object.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static void assertSameValue(MetadataValue want, JsonNode got, String key) {
        switch (want) {
            case MetadataValue.Str s -> assertEquals(s.value(), got.asText(), key);
            case MetadataValue.Int i -> assertEquals(i.type().isUnsigned() ? Long.toUnsignedString(i.value()) : Long.toString(i.value()),
                    got.bigIntegerValue().toString(), key);
            case MetadataValue.F32 f -> assertEquals(f.value(), got.doubleValue(), 0.0, key);
            case MetadataValue.F64 d -> assertEquals(d.value(), got.doubleValue(), 0.0, key);
            case MetadataValue.Bool b -> {
                assertTrue(got.isBoolean(), key + " is not a bool: " + got);
                assertEquals(b.value(), got.booleanValue(), key);
            }
            case MetadataValue.Array a -> {
                assertTrue(got.isArray(), key + " is not a list: " + got);
                assertEquals(a.size(), got.size(), key);
                for (int i = 0; i < a.size(); i++) assertSameValue(a.values().get(i), got.get(i), key + "[" + i + "]");
            }
        }
    }

    private static void assertH5dumpReads(Path file, String... expected) throws IOException, InterruptedException {
        if (!h5dump) return;
        Result r = run(List.of("h5dump", file.toString())); // the whole file, data included
        assertEquals(0, r.exit, "h5dump fails on " + file.getFileName() + ": " + r.err);
        for (String s : expected) assertTrue(r.out.contains(s), "h5dump shows no " + s);
        assertFalse(r.err.contains("error"), r.err);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "gzip", "gzip:9"})
    void h5pyAndH5dumpReadWhatWeWrite(String compress) throws Exception {
        assumeTrue(h5py, "python3-h5py is not installed");
        Path file = dir.resolve("written.h5");
        WriteOptions options = compress.isEmpty() ? WriteOptions.NONE : new WriteOptions(Map.of("compress", compress));
        // 64-byte chunks: several chunks per dataset, edge chunks, two-level chunk B-trees
        WriterSamples.writeHdf5(file, new Hdf5Writer(file, options, "hdf5", 64));
        int level = compress.isEmpty() ? -1 : compress.equals("gzip") ? 4 : 9;
        assertH5pyReads(readWithH5py(file), WriterSamples.tensors(), WriterSamples.metadata(), level);
        assertH5dumpReads(file, "DATASET \"kernel:0\"", "OPAQUE_TAG \"\";", "H5T_STD_U64LE", "16-bit little-endian floating-point");
    }

    @Test
    void libhdf5WalksAThreeLevelChunkBTree() throws Exception {
        assumeTrue(h5py, "python3-h5py is not installed");
        Path file = dir.resolve("many.h5");
        Map<TensorInfo, byte[]> m = new java.util.LinkedHashMap<>();
        WriterSamples.put(m, new java.util.Random(1), "rows", DType.F32, 5000, 3);
        WriterSamples.put(m, new java.util.Random(2), "wide", DType.I16, 70, 2, 3);
        WriterSamples.write(new Hdf5Writer(file, new WriteOptions(Map.of("compress", "gzip:1")), "hdf5", 12), Metadata.empty(), m);
        assertH5pyReads(readWithH5py(file), m, Metadata.empty(), 1);
        assertH5dumpReads(file, "DATASET \"rows\"");
    }

    @Test
    void kerasArchiveOpensInPythonsZipfileAndH5py() throws Exception {
        assumeTrue(h5py, "python3-h5py is not installed");
        Path file = dir.resolve("model.keras");
        Metadata md = Metadata.builder().putAll(WriterSamples.metadata())
                .put("keras.config", "{\"class_name\": \"Sequential\"}").put("keras.metadata", "{\"keras_version\": \"3.3.3\"}").build();
        WriterSamples.write(new KerasWriter(file, WriteOptions.NONE), md, WriterSamples.tensors());
        JsonNode got = readWithH5py(file);
        assertTrue(got.get("zip").get("bad").isNull(), "zipfile finds a bad member: " + got.get("zip"));
        assertTrue(got.get("zip").get("stored").asBoolean());
        assertEquals("[\"metadata.json\",\"config.json\",\"model.weights.h5\"]", got.get("zip").get("members").toString());
        assertH5pyReads(got, WriterSamples.tensors(), WriterSamples.metadata(), -1);
        assertFalse(got.get("attrs").has("keras.config"), "the config is a member, not an attribute");
    }

    @Test
    void bf16ValuesAreKerasBfloat16Bits() throws Exception {
        assumeTrue(h5py, "python3-h5py is not installed");
        // Keras 3 reads such a variable back by viewing the opaque bytes as ml_dtypes.bfloat16: the upper half of
        // an IEEE binary32; check that view with numpy alone
        Path file = dir.resolve("bf16.h5");
        float[] values = {1.0f, -2.5f, 3.140625f, 0.0f};
        byte[] bytes = new byte[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            int bits = Float.floatToRawIntBits(values[i]) >>> 16;
            bytes[2 * i] = (byte) bits;
            bytes[2 * i + 1] = (byte) (bits >>> 8);
        }
        Map<TensorInfo, byte[]> m = Map.of(TensorInfo.of("v", DType.BF16, dev.tensorfile.core.Shape.of(4)), bytes);
        WriterSamples.write(new Hdf5Writer(file, WriteOptions.NONE), Metadata.empty(), m);
        Result r = run(List.of(PYTHON.toString(), "-c", "import sys, h5py, numpy as np\n"
                + "d = h5py.File(sys.argv[1], 'r')['v']\n"
                + "assert d.attrs['dtype'] == 'bfloat16', d.attrs['dtype']\n"
                + "u = np.frombuffer(d[()].tobytes(), '<u2').astype('<u4') << 16\n"
                + "print(' '.join(repr(float(x)) for x in u.view('<f4')))", file.toString()));
        assertEquals(0, r.exit, r.err);
        assertEquals("1.0 -2.5 3.140625 0.0", r.out.strip());
    }

    @Test
    void libhdf5EditsWhatWeWrite() throws Exception {
        assumeTrue(h5py, "python3-h5py is not installed");
        // libhdf5 allocates from our end-of-file address, rewrites a deflated chunk, turns a compact group dense
        Path file = dir.resolve("edited.h5");
        Map<TensorInfo, byte[]> m = new java.util.LinkedHashMap<>();
        java.util.Random r = new java.util.Random(9);
        for (int i = 0; i < 20; i++) WriterSamples.put(m, r, "g/t" + i, DType.F32, 4, 3);
        WriterSamples.write(new Hdf5Writer(file, new WriteOptions(Map.of("compress", "gzip")), "hdf5", 16), Metadata.empty(), m);
        Result edit = run(List.of(PYTHON.toString(), "-c", "import sys, h5py, numpy as np\n"
                + "with h5py.File(sys.argv[1], 'a') as f:\n"
                + "    f['g/t0'][1, 2] = 42.0\n"
                + "    f['g/new'] = np.arange(5, dtype='<i4')\n"
                + "    del f['g/t19']\n"
                + "    f.attrs['edited'] = 'yes'\n", file.toString()));
        assertEquals(0, edit.exit, edit.err);
        try (dev.tensorfile.core.TensorFile f = dev.tensorfile.core.TensorFiles.open(file)) {
            assertEquals(20, f.tensors().size());
            float[] row = new float[3];
            f.tensor("g/t0").readFloats(3, row, 0, 3);
            assertEquals(42.0f, row[2]);
            long[] ints = new long[5];
            for (int i = 0; i < 5; i++) ints[i] = f.tensor("g/new").bytes().get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 4L * i);
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L), java.util.Arrays.stream(ints).boxed().toList());
            assertTrue(f.find("g/t19").isEmpty());
            assertEquals("yes", f.metadata().getString("edited").orElseThrow());
            f.verify();
        }
    }
}
