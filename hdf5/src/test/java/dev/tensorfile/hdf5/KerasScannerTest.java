package dev.tensorfile.hdf5;

import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.ScanFinding;
import dev.tensorfile.core.ScanReport;
import dev.tensorfile.core.Scanning;
import dev.tensorfile.core.Verdict;
import dev.tensorfile.core.WriteOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Keras model-config scan (CVE-2024-3660): a Lambda layer's marshaled bytecode in a Keras 2 {@code .h5}'s
 * {@code model_config} attribute or a {@code .keras} archive's {@code config.json} is dangerous; weights alone and
 * configs without one are safe; a config that does not parse is unknown.
 */
class KerasScannerTest {
    @TempDir Path dir;

    /**
     * A Keras 2.13 Lambda layer as {@code model.to_json()} writes it: the function is
     * {@code marshal.dumps(code)} in base64 (here the code object of {@code lambda x: x * 2} from CPython 3.11).
     */
    static final String LAMBDA = """
            {"class_name": "Lambda", "config": {"name": "double", "trainable": true, "dtype": "float32", \
            "function": ["4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARQAUwApAk7pAgAAAKkAKQHaAXhyAgAAAHICAAAA+gg8c3RkaW4+2gg8bGFtYmRhPgEAAADzAAAAAA==\\n", null, null], \
            "function_type": "lambda", "module": "__main__", "output_shape": null, "output_shape_type": "raw", \
            "output_shape_module": null, "arguments": {}}}""";
    static final String DENSE = """
            {"class_name": "Dense", "config": {"name": "dense", "trainable": true, "dtype": "float32", "units": 3, \
            "activation": "linear", "use_bias": true}}""";
    static final String INPUT = """
            {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "dtype": "float32", \
            "sparse": false, "ragged": false, "name": "input_1"}}""";

    static String sequential(String name, String... layers) {
        return "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"" + name + "\", \"layers\": ["
                + String.join(", ", layers) + "]}, \"keras_version\": \"2.13.1\", \"backend\": \"tensorflow\"}";
    }

    private Path h5(String name, Metadata md) {
        Path p = dir.resolve(name);
        WriterSamples.write(new Hdf5Format().newWriter(p, WriteOptions.NONE), md, WriterSamples.tensors());
        return p;
    }

    private Path keras(String config) {
        Path p = dir.resolve("model.keras");
        Metadata.Builder md = Metadata.builder().put("keras.metadata", "{\"keras_version\": \"3.3.3\"}");
        if (config != null) md.put("keras.config", config);
        WriterSamples.write(new KerasWriter(p, WriteOptions.NONE), md.build(), WriterSamples.tensors());
        return p;
    }

    @Test
    void aKeras2ModelWithALambdaLayerIsDangerousNamingTheLayerAndTheAttribute() {
        Path p = h5("model.h5", Metadata.builder().put("model_config", sequential("sequential", INPUT, LAMBDA, DENSE))
                .put("keras_version", "2.13.1").put("backend", "tensorflow").build());
        ScanReport r = Scanning.scan(p);
        assertEquals(Verdict.DANGEROUS, r.verdict(), r.toString());
        ScanFinding f = r.findings().stream().filter(x -> x.severity() == Verdict.DANGEROUS).findFirst().orElseThrow();
        assertEquals("Lambda", f.global());
        assertEquals("@model_config", f.entry());
        assertTrue(f.detail().contains("'double'") && f.detail().contains("config.layers[1]"), f.detail());
        assertEquals(1, r.findings().size(), r.toString());
    }

    @Test
    void aLambdaInsideANestedModelIsFound() {
        String inner = sequential("inner", INPUT, DENSE, LAMBDA);
        String functional = "{\"class_name\": \"Functional\", \"config\": {\"name\": \"outer\", \"layers\": ["
                + INPUT + ", {\"class_name\": \"TimeDistributed\", \"config\": {\"name\": \"td\", \"layer\": " + inner + "}}]}}";
        ScanReport r = new KerasScanner().scan(h5("nested.h5", Metadata.builder().put("model_config", functional).build()), ReadLimits.DEFAULT);
        assertEquals(Verdict.DANGEROUS, r.verdict(), r.toString());
        assertTrue(r.findings().getFirst().detail().contains("config.layers[1].config.layer.config.layers[2]"), r.toString());
    }

    @Test
    void aLayerOfAnyClassWithAMarshaledFunctionIsDangerous() {
        String custom = LAMBDA.replace("\"Lambda\"", "\"MyLayer\"");
        ScanReport r = new KerasScanner().scan(h5("custom.h5", Metadata.builder().put("model_config", sequential("s", custom)).build()), ReadLimits.DEFAULT);
        assertEquals(Verdict.DANGEROUS, r.verdict(), r.toString());
        assertEquals("MyLayer", r.findings().getFirst().global());
    }

    @Test
    void aConfigWithoutLambdaAndAPlainWeightsFileAreSafe() {
        ScanReport config = Scanning.scan(h5("dense.h5", Metadata.builder().put("model_config", sequential("s", INPUT, DENSE)).build()));
        assertEquals(Verdict.SAFE, config.verdict(), config.toString());
        ScanReport weights = Scanning.scan(h5("weights.h5", WriterSamples.metadata()));
        assertEquals(Verdict.SAFE, weights.verdict(), weights.toString());
    }

    @Test
    void aConfigThatDoesNotParseIsUnknownNotSafe() {
        ScanReport r = Scanning.scan(h5("broken.h5", Metadata.builder().put("model_config", "{\"class_name\": \"Seq").build()));
        assertEquals(Verdict.UNKNOWN, r.verdict(), r.toString());
        assertEquals("@model_config", r.findings().getFirst().entry());
    }

    @Test
    void aConfigNestedBeyondTheParsersLimitIsUnknownWithoutStackOverflow() {
        String deep = "{\"a\": ".repeat(200_000) + "1" + "}".repeat(200_000);
        ScanReport r = new KerasScanner().scan(h5("deep.h5", Metadata.builder().put("model_config", deep).build()), ReadLimits.DEFAULT);
        assertEquals(Verdict.UNKNOWN, r.verdict(), r.toString());
    }

    @Test
    void aKerasArchiveWithALambdaInConfigJsonIsDangerous() {
        // Keras 3 serializes a lambda as {"class_name": "__lambda__", "config": {"value": <base64 marshal>}}
        String k3 = "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
                + "{\"module\": \"keras.layers\", \"class_name\": \"Lambda\", \"config\": {\"name\": \"l\", \"function\": "
                + "{\"class_name\": \"__lambda__\", \"config\": {\"value\": \"4wEAAAAA\", \"closure\": null, \"defaults\": null}}}}]}}";
        ScanReport r = Scanning.scan(keras(k3));
        assertEquals(Verdict.DANGEROUS, r.verdict(), r.toString());
        assertEquals(1, r.findings().size(), r.toString());
        assertEquals("config.json", r.findings().getFirst().entry());
        assertTrue(r.findings().getFirst().detail().contains("'l'"), r.toString());
    }

    @Test
    void aKerasArchiveWithoutLambdaIsSafeAndABrokenConfigIsUnknown() {
        assertEquals(Verdict.SAFE, Scanning.scan(keras("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [" + DENSE + "]}}")).verdict());
        assertEquals(Verdict.UNKNOWN, Scanning.scan(keras("{not json")).verdict());
    }

    @Test
    void aTruncatedHdf5FileIsUnknownNotSafe() throws java.io.IOException {
        Path whole = h5("whole.h5", Metadata.builder().put("model_config", sequential("s", DENSE)).build());
        Path cut = dir.resolve("cut.h5");
        byte[] b = java.nio.file.Files.readAllBytes(whole);
        java.nio.file.Files.write(cut, java.util.Arrays.copyOf(b, 200));
        ScanReport r = Scanning.scan(cut);
        assertEquals(Verdict.UNKNOWN, r.verdict(), r.toString());
        assertEquals("(malformed)", r.findings().getFirst().global());
    }
}
