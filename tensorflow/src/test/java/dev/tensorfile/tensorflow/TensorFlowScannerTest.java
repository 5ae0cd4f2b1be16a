package dev.tensorfile.tensorflow;

import dev.tensorfile.core.ScanReport;
import dev.tensorfile.core.Scanning;
import dev.tensorfile.core.Verdict;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code scan}: SavedModels and checkpoints hold no code; an op that calls Python is UNKNOWN, named. */
class TensorFlowScannerTest {
    private static final Fixtures FIXTURES = Fixtures.resources("tensorflow");

    @TempDir Path dir;

    @Test
    void everyFixtureIsSafe() {
        for (Path m : FIXTURES.find(p -> p.endsWith("00000123"))) {
            for (Path p : new Path[] {m, m.resolve("saved_model.pb"), m.resolve("variables/variables.index"), m.resolve("variables/variables")}) {
                ScanReport r = Scanning.scan(p);
                assertEquals(Verdict.SAFE, r.verdict(), p.toString());
                assertTrue(r.findings().isEmpty());
            }
        }
    }

    /** A graph node and a function body calling PyFunc / EagerPyFunc (a hand-built saved_model.pb). */
    @Test
    void pythonFunctionOpsAreUnknownAndNamed() throws IOException {
        Bundles.Proto node = new Bundles.Proto().string(1, "py").string(2, "PyFunc");
        Bundles.Proto inner = new Bundles.Proto().string(1, "eager").string(2, "EagerPyFunc");
        Bundles.Proto function = new Bundles.Proto().message(1, new Bundles.Proto().string(1, "f")).message(3, inner);
        Bundles.Proto graph = new Bundles.Proto().message(1, new Bundles.Proto().string(1, "x").string(2, "Placeholder"))
                .message(1, node).message(2, new Bundles.Proto().message(1, function));
        Bundles.Proto meta = new Bundles.Proto().message(1, new Bundles.Proto().string(4, "serve")).message(2, graph);
        Files.write(dir.resolve("saved_model.pb"), new Bundles.Proto().varint(1, 1).message(2, meta).toBytes());
        ScanReport r = Scanning.scan(dir);
        assertEquals(Verdict.UNKNOWN, r.verdict());
        assertEquals(2, r.findings().size());
        assertEquals("PyFunc", r.findings().get(0).global());
        assertTrue(r.findings().get(0).detail().contains("node 'py'"), r.findings().get(0).detail());
        assertTrue(r.findings().get(0).offset() > 0);
        assertEquals("EagerPyFunc", r.findings().get(1).global());
        assertTrue(r.findings().get(1).detail().contains("function f"), r.findings().get(1).detail());
    }
}
