package dev.tensorfile.pickle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.ScanReport;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.Verdict;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * joblib files written by Debian's python3-joblib with every compressor it has (zlib, gzip, bz2, xz, lzma) and
 * joblib's own test data (0.9.2 with sibling {@code .npy} files, 0.10.0 and 0.11.0 compressed), read exactly as
 * {@code joblib.load} read them ({@code fixtures/joblib/read_back.json}, made by {@code make_joblib_fixtures.py}):
 * every numeric array's dtype, shape and the SHA-256 of its little-endian, row-major bytes; object arrays listed as
 * not tensors. The scan is never dangerous: the benign files are safe, joblib's test data unknown for its
 * {@code numpy.matrix} (a class outside the allow-list).
 */
class JoblibInteropTest {
    private static final Fixtures FIXTURES = Fixtures.resources("fixtures");

    private static final Map<String, String> DTYPES = Map.of("int64", "I64", "float64", "F64", "float32", "F32");
    private static final JsonNode BACK = Fixtures.readJson(FIXTURES.file("joblib/read_back.json"));

    @TestFactory
    List<DynamicTest> everyArrayReadsAsJoblibReadIt() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : BACK.path("files").properties()) {
            Path file = FIXTURES.file("joblib/" + e.getKey());
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
                try (TensorFile f = TensorFiles.open(file)) {
                    int numeric = 0;
                    for (Map.Entry<String, JsonNode> want : e.getValue().path("arrays").properties()) {
                        String dtype = want.getValue().path("dtype").asText();
                        if (dtype.equals("object")) {
                            assertTrue(f.unsupported().stream().anyMatch(u -> u.name().equals(want.getKey())),
                                    want.getKey() + " is listed as not a tensor: " + f.unsupported());
                            continue;
                        }
                        numeric++;
                        Tensor t = f.find(want.getKey()).orElse(null);
                        assertNotNull(t, want.getKey() + " missing; have " + f.tensors().stream().map(Tensor::name).toList());
                        assertEquals(DTYPES.get(dtype), t.info().dtype().name(), want.getKey());
                        List<Long> shape = new ArrayList<>();
                        want.getValue().path("shape").forEach(d -> shape.add(d.asLong()));
                        assertEquals(shape, java.util.Arrays.stream(t.info().shape().dims()).boxed().toList(), want.getKey());
                        assertEquals(want.getValue().path("sha256").asText(), Fixtures.sha256(t.bytes()), want.getKey());
                    }
                    assertEquals(numeric, f.tensors().size(), "every tensor joblib has, and no other");
                }
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> noneIsCalledDangerous() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Iterator<String> it = BACK.path("files").fieldNames(); it.hasNext(); ) {
            String name = it.next();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                ScanReport r = new PickleScanner().scan(FIXTURES.file("joblib/" + name), ReadLimits.DEFAULT);
                Verdict want = name.startsWith("arrays-") ? Verdict.SAFE : Verdict.UNKNOWN;
                assertEquals(want, r.verdict(), r.findings().toString());
                if (want == Verdict.UNKNOWN) {
                    assertTrue(r.findings().stream().allMatch(x -> x.global().equals("numpy.matrixlib.defmatrix.matrix")),
                            r.findings().toString());
                }
            }));
        }
        return tests;
    }

    @TempDir Path dir;

    /**
     * A forest fitted by scikit-learn 1.2 and dumped by joblib: each tree's nodes are a structured numpy array
     * (56-byte records) written as raw bytes after its wrapper. The scan reads past them to the end — no
     * "malformed" finding — and names only the scikit-learn and numpy classes, each unknown with its reason.
     */
    @Test
    void aScikitLearnForestIsScannedToTheEndAndNeverDangerous() {
        ScanReport r = new PickleScanner().scan(FIXTURES.file("joblib/sklearn-forest.joblib"), ReadLimits.DEFAULT);
        assertEquals(Verdict.UNKNOWN, r.verdict(), r.findings().toString());
        assertTrue(r.findings().stream().anyMatch(f -> f.global().equals("sklearn.ensemble._forest.RandomForestClassifier")),
                r.findings().toString());
        for (var f : r.findings()) {
            assertEquals(Verdict.UNKNOWN, f.severity(), f.toString());
            assertTrue(f.global().startsWith("sklearn.") || f.global().startsWith("numpy."), f.toString());
            assertTrue(f.detail().contains("not on the allow-list"), f.toString());
        }
        try (TensorFile f = TensorFiles.open(FIXTURES.file("joblib/sklearn-forest.joblib"))) {
            assertTrue(f.unsupported().stream().anyMatch(u -> u.name().equals("estimators_.0.tree_.nodes")),
                    f.unsupported().toString());
        }
    }

    /** A joblib 0.9 pickle with one NDArrayWrapper naming {@code file} (what numpy_pickle_compat writes). */
    private static byte[] wrapperPickle(String file) {
        return new PickleBuilder().proto(2).global("joblib.numpy_pickle", "NDArrayWrapper").op(')', 0x81)
                .op('}').str("filename").str(file).op('s').str("subclass").global("numpy", "ndarray").op('s')
                .op('b').stop().bytes();
    }

    @Test
    void aMissingSiblingIsSaid() throws IOException {
        Path p = dir.resolve("old.pkl");
        Files.write(p, wrapperPickle("old.pkl_01.npy"));
        try (TensorFile f = TensorFiles.open(p)) {
            assertEquals("joblib", f.format());
            assertTrue(f.tensors().isEmpty());
            assertTrue(f.unsupported().getFirst().description().contains("'old.pkl_01.npy' is missing beside the pickle"),
                    f.unsupported().toString());
        }
        ScanReport r = new PickleScanner().scan(p, ReadLimits.DEFAULT);
        assertEquals(Verdict.UNKNOWN, r.verdict(), r.findings().toString());
        assertTrue(r.findings().getFirst().detail().contains("is missing beside old.pkl"), r.findings().toString());
    }

    /** joblib np.loads the sibling with allow_pickle=True: an object array there is a pickle, and it is scanned. */
    @Test
    void aPickleInTheSiblingIsScanned() throws IOException {
        Path p = dir.resolve("old.pkl");
        Files.write(p, wrapperPickle("old.pkl_01.npy"));
        byte[] header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }          \n".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream npy = new ByteArrayOutputStream();
        npy.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length, 0});
        npy.write(header);
        npy.write(PickleBuilder.reduceCall(2, "os", "system"));
        Files.write(dir.resolve("old.pkl_01.npy"), npy.toByteArray());
        ScanReport r = new PickleScanner().scan(p, ReadLimits.DEFAULT);
        assertEquals(Verdict.DANGEROUS, r.verdict(), r.findings().toString());
        assertTrue(r.findings().stream().anyMatch(f -> f.global().equals("os.system") && f.entry().equals("old.pkl_01.npy")),
                r.findings().toString());
    }

    /** os.path.join(dirname, '/etc/x.npy') is /etc/x.npy: a name that leaves the directory is never followed. */
    @Test
    void aSiblingNameThatLeavesTheDirectoryIsDangerousAndNotRead() throws IOException {
        for (String name : new String[] {"../up.npy", "/etc/abs.npy", "sub\\x.npy"}) {
            Path p = dir.resolve("old.pkl");
            Files.write(p, wrapperPickle(name));
            try (TensorFile f = TensorFiles.open(p)) {
                assertTrue(f.tensors().isEmpty());
                assertTrue(f.unsupported().getFirst().description().contains("leaves the pickle's directory"),
                        f.unsupported().toString());
            }
            ScanReport r = new PickleScanner().scan(p, ReadLimits.DEFAULT);
            assertEquals(Verdict.DANGEROUS, r.verdict(), name + ": " + r.findings());
        }
    }
}
