package dev.tensorfile.pickle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.ScanFinding;
import dev.tensorfile.core.ScanReport;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.Verdict;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A whole {@code nn.Module} saved by torch 1.13 in the legacy (pre-1.6) format ({@code fixtures/legacy}, made by
 * {@code make_legacy_module.py}): each module class is the persistent id {@code ('module', <class>, source_file,
 * source)}, which torch resolves to the class. Its parameters and buffers read as {@code state_dict()} read them,
 * and the scan names each module class as unknown (imported to rebuild the module), nothing dangerous.
 */
class LegacyModuleTest {
    private static final Fixtures FIXTURES = Fixtures.resources("fixtures");

    private static final Path FILE = FIXTURES.file("legacy/legacy-module.pt");
    private static final JsonNode BACK = Fixtures.readJson(FIXTURES.file("legacy/read_back.json"));
    private static final Map<String, String> DTYPES = Map.of("float32", "F32", "float64", "F64", "int64", "I64");

    @Test
    void everyParameterAndBufferReadsAsStateDictReadIt() {
        try (TensorFile f = TensorFiles.open(FILE)) {
            assertEquals("pytorch", f.format());
            assertEquals(BACK.path("tensors").size(), f.tensors().size(), f.tensors().stream().map(Tensor::name).toList().toString());
            for (Map.Entry<String, JsonNode> e : BACK.path("tensors").properties()) {
                Tensor t = f.find(e.getKey()).orElse(null);
                assertNotNull(t, e.getKey());
                assertEquals(DTYPES.get(e.getValue().path("dtype").asText()), t.info().dtype().name(), e.getKey());
                List<Long> shape = new ArrayList<>();
                e.getValue().path("shape").forEach(d -> shape.add(d.asLong()));
                assertEquals(shape, Arrays.stream(t.info().shape().dims()).boxed().toList(), e.getKey());
                assertEquals(e.getValue().path("sha256").asText(), Fixtures.sha256(t.bytes()), e.getKey());
            }
        }
    }

    @Test
    void theModuleClassesAreUnknownNotDangerous() {
        ScanReport r = new PickleScanner().scan(FILE, ReadLimits.DEFAULT);
        assertEquals(Verdict.UNKNOWN, r.verdict(), r.findings().toString());
        TreeSet<String> named = new TreeSet<>();
        for (ScanFinding f : r.findings()) {
            assertEquals(Verdict.UNKNOWN, f.severity(), f.toString());
            named.add(f.global());
        }
        TreeSet<String> classes = new TreeSet<>();
        BACK.path("classes").forEach(c -> classes.add(c.asText()));
        assertEquals(classes, named);
    }

    /** The same persistent id outside a legacy torch stream means whatever the loader's persistent_load says. */
    @Test
    void aModuleIdInAPlainPickleStaysUnresolvable() throws java.io.IOException {
        byte[] b = new PickleBuilder().proto(2).op('(').str("module").global("collections", "OrderedDict").str("f.py")
                .str("src").op('t', 'Q', ')', 0x81).stop().bytes();
        Path p = java.nio.file.Files.createTempFile("module-id", ".pkl");
        try {
            java.nio.file.Files.write(p, b);
            assertEquals(Verdict.DANGEROUS, new PickleScanner().scan(p, ReadLimits.DEFAULT).verdict());
        } finally {
            java.nio.file.Files.delete(p);
        }
    }
}
