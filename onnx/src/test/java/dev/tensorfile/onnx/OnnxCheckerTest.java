package dev.tensorfile.onnx;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.WriteOptions;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the writer produces, judged by onnx itself: {@code onnx.checker.check_model(path, full_check=True)}, then
 * {@code onnx.load} and {@code numpy_helper.to_array} of every initializer. Runs only where Debian's python3-onnx is
 * installed (a JUnit assumption): the build never depends on it.
 */
class OnnxCheckerTest {
    private static final Fixtures FIXTURES = Fixtures.resources("onnx");

    private static final String PYTHON = "/usr/bin/python3";
    /*
     * argv: ("check"|"load") PATH ... ; prints "== PATH" then "NAME SHA256" per initializer of the main graph and
     * "constant:OUTPUT SHA256" per Constant value (attribute value) of every graph. Sources are only loaded:
     * onnx 1.12's check_model(path, full_check=True) runs infer_shapes_path(path), which rewrites the file in place.
     */
    private static final String READ = """
            import hashlib, sys, onnx
            import numpy as np
            from onnx import numpy_helper
            mode = sys.argv[1]
            for path in sys.argv[2:]:
                if mode == "check":
                    try:
                        onnx.checker.check_model(path, full_check=True)
                    except Exception as e:
                        print("REJECTED", path, str(e).replace("\\n", " "))
                        sys.exit(1)
                m = onnx.load(path)
                print("==", path)
                tensors = [(t.name, t) for t in m.graph.initializer]
                seen = {}
                def constants(g):
                    for n in g.node:
                        if n.op_type == "Constant" and n.attribute[0].name == "value":
                            seen[n.output[0]] = seen.get(n.output[0], 0) + 1
                            tensors.append(("constant:%s/%d" % (n.output[0], seen[n.output[0]]), n.attribute[0].t))
                        for a in n.attribute:
                            if a.type == onnx.AttributeProto.GRAPH: constants(a.g)
                            for sub in a.graphs: constants(sub)
                constants(m.graph)
                for name, t in tensors:
                    if t.data_type == 16:
                        b = t.raw_data if t.raw_data else np.array(t.int32_data, '<u2').tobytes()
                    elif t.data_type == 8:
                        continue
                    else:
                        a = numpy_helper.to_array(t)
                        b = a.astype(a.dtype.newbyteorder('<')).tobytes()
                    print(name, hashlib.sha256(b).hexdigest())
            """;

    @TempDir Path dir;

    @BeforeAll
    static void onnxIsInstalled() {
        assumeTrue(run(List.of(PYTHON, "-c", "import onnx")).exit == 0, "python3-onnx is not installed");
    }

    private record Result(int exit, String out) {}

    private static Result run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timeout");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }

    /** onnx's view of each file: name → SHA-256 of the stored values; fails if the checker rejects one. */
    private static Map<Path, Map<String, String>> onnxReads(List<Path> models, boolean check) {
        List<String> command = new ArrayList<>(List.of(PYTHON, "-c", READ, check ? "check" : "load"));
        for (Path m : models) command.add(m.toAbsolutePath().toString());
        Result r = run(command);
        assertEquals(0, r.exit, "onnx.checker/onnx.load reject a model: " + r.out);
        Map<Path, Map<String, String>> out = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String line : r.out.strip().split("\n")) {
            if (line.isBlank()) continue;
            if (line.startsWith("== ")) {
                current = new TreeMap<>();
                out.put(Path.of(line.substring(3)), current);
                continue;
            }
            int sp = line.lastIndexOf(' ');
            current.put(line.substring(0, sp), line.substring(sp + 1));
        }
        assertEquals(models.size(), out.size(), r.out);
        return out;
    }

    private static Map<String, String> weReadSource(Path model) {
        Map<String, String> out = new TreeMap<>();
        try (TensorFile f = TensorFiles.open(model)) {
            for (Tensor t : f.tensors()) {
                if (t.dtype() == DType.STRING || t.name().contains("#") || t.name().startsWith("sparse")) continue;
                out.put(t.name(), Fixtures.sha256(t.bytes()));
            }
        }
        return out;
    }

    @Test
    void weightsOnlyModelsPassTheCheckerWithTheSameValues() {
        Map<Path, Map<String, String>> expected = new LinkedHashMap<>();
        for (String name : List.of("gen/all-types.onnx", "dv-mlp-extdata.onnx", "dv-cnn-opset13.onnx",
                "gen/constants/paddle-style.onnx", "gen/constants/torch-frozen.onnx")) {
            Path src = FIXTURES.file(name);
            for (boolean external : new boolean[] {false, true}) {
                Path out = dir.resolve(src.getFileName().toString().replace(".onnx", "-w" + external + ".onnx")).toAbsolutePath();
                OnnxWriterTest.weightsOnly(src, out, new WriteOptions(external ? Map.of("external-data", "true") : Map.of()));
                expected.put(out, weReadSource(src));
            }
        }
        assertEquals(expected, onnxReads(List.copyOf(expected.keySet()), true));
    }

    @Test
    void copiedModelsPassTheCheckerWithTheSameGraphAndValues() {
        List<String> names = List.of("dv-cnn-opset13.onnx", "dv-mlp-extdata.onnx", "dv-mlp-opset14.onnx",
                "dv-initializer-types.onnx", "gen/ext-one/model.onnx", "gen/ext-each/model.onnx", "gen/ir3.onnx", "gen/ir8.onnx",
                "gen/subgraphs.onnx", "gen/constants/paddle-style.onnx", "gen/constants/subgraphs.onnx",
                "gen/constants/torch-frozen.onnx", "gen/constants/external/model.onnx");
        List<Path> sources = names.stream().map(n -> FIXTURES.file(n).toAbsolutePath()).toList();
        Map<Path, Map<String, String>> fromSource = onnxReads(sources, false);
        Map<Path, Map<String, String>> expected = new LinkedHashMap<>();
        for (Path src : sources) {
            for (boolean external : new boolean[] {false, true}) {
                String name = FIXTURES.root().toAbsolutePath().relativize(src).toString();
                Path out = dir.resolve(name.replace('/', '-').replace(".onnx", "-c" + external + ".onnx")).toAbsolutePath();
                OnnxWriterTest.convert(src, out, OnnxWriterTest.copyOptions(external));
                expected.put(out, fromSource.get(src));
            }
        }
        assertEquals(expected, onnxReads(List.copyOf(expected.keySet()), true));
    }
}
