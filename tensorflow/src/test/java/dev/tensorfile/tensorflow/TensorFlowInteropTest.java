package dev.tensorfile.tensorflow;

import dev.tensorfile.core.Converter;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fixtures TensorFlow wrote, read with the values its generator ({@code saved_model_half_plus_two.py}) gave the
 * variables: a = 0.5, b = 2.0 (half_plus_three: 3.0), c = 3.0; and converted to safetensors exactly.
 */
class TensorFlowInteropTest {
    private static final Fixtures FIXTURES = Fixtures.resources("tensorflow");

    @TempDir Path tmp;

    private static Map<String, Float> values(TensorFile f) {
        Map<String, Float> out = new LinkedHashMap<>();
        for (Tensor t : f.tensors()) {
            if (t.dtype() != DType.F32 || t.elementCount() != 1) continue;
            float[] v = new float[1];
            t.readFloats(0, v, 0, 1);
            out.put(t.name(), v[0]);
        }
        return out;
    }

    private static void assertScalar(TensorFile f, String name, float value) {
        Tensor t = f.tensor(name);
        assertEquals(DType.F32, t.dtype(), name);
        assertEquals(Shape.scalar(), t.shape(), name);
        assertTrue(t.isView(), name + " is a view of the data shard");
        assertEquals(value, values(f).get(name), name);
    }

    @Test
    void halfPlusTwoTf1HasTheGeneratorsValues() {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("saved_model_half_plus_two_cpu/00000123"))) {
            assertEquals("tensorflow", f.format());
            assertScalar(f, "a", 0.5f);
            assertScalar(f, "b", 2.0f);
            assertScalar(f, "c", 3.0f);
        }
    }

    @Test
    void halfPlusThreeHasBEqualToThree() {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("saved_model_half_plus_three/00000123"))) {
            assertEquals(List.of("a", "b", "c"), f.tensors().stream().map(Tensor::name).toList());
            assertScalar(f, "a", 0.5f);
            assertScalar(f, "b", 3.0f);
            assertScalar(f, "c", 3.0f);
        }
    }

    @Test
    void mklModelAddsConvolutionVariables() {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("saved_model_half_plus_two_mkl/00000123"))) {
            assertScalar(f, "a", 0.5f);
            assertScalar(f, "b", 2.0f);
            assertScalar(f, "c", 3.0f);
            assertEquals(Shape.of(1, 1, 1, 1), f.tensor("conv2d/kernel").shape());
            assertEquals(Shape.of(1), f.tensor("conv2d/bias").shape());
            assertEquals(9, f.tensors().size());
        }
    }

    @Test
    void counterModelHoldsOneCounter() {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("saved_model_counter/00000123"))) {
            assertEquals(List.of("counter"), f.tensors().stream().map(Tensor::name).toList());
            assertEquals(Shape.scalar(), f.tensor("counter").shape());
        }
    }

    /** TF2 keys variables by object-graph path; the object graph itself is a DT_STRING scalar (a serialized proto). */
    @Test
    void tf2CheckpointKeysVariablesByObjectPath() {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("saved_model_half_plus_two_tf2_cpu/00000123"))) {
            assertScalar(f, "a/.ATTRIBUTES/VARIABLE_VALUE", 0.5f);
            assertScalar(f, "b/.ATTRIBUTES/VARIABLE_VALUE", 2.0f);
            assertScalar(f, "c/.ATTRIBUTES/VARIABLE_VALUE", 3.0f);
            Tensor graph = f.tensor("_CHECKPOINTABLE_OBJECT_GRAPH");
            assertEquals(DType.STRING, graph.dtype());
            assertEquals(1, graph.strings().size());
            assertEquals(613, graph.strings().getFirst().length());
        }
    }

    /** A SavedModel directory, its variables.index, its prefix and its saved_model.pb all open the same bundle. */
    @Test
    void everyWayOfNamingTheBundleOpensIt() {
        Path model = FIXTURES.file("saved_model_half_plus_two_cpu/00000123");
        for (Path p : List.of(model, model.resolve("variables/variables.index"), model.resolve("variables/variables"),
                model.resolve("saved_model.pb"))) {
            assertEquals("tensorflow", TensorFiles.recognize(p).name(), p.toString());
            try (TensorFile f = TensorFiles.open(p)) {
                assertEquals(Map.of("a", 0.5f, "a2", 0.5f, "b", 2.0f, "c", 3.0f, "c2", 3.0f), values(f), p.toString());
            }
        }
    }

    @Test
    void everyFixtureConvertsToSafetensorsExactly() {
        for (Path model : FIXTURES.find(p -> p.endsWith("00000123"))) {
            Path out = tmp.resolve(model.getParent().getFileName() + ".safetensors");
            try (TensorFile in = TensorFiles.open(model)) {
                Converter.Report r = Converter.from(in).to(out);
                long strings = in.tensors().stream().filter(t -> t.dtype() == DType.STRING).count();
                assertEquals(in.tensors().size() - strings, r.tensorsWritten(), model.toString());
                assertEquals(strings, r.skipped().size(), "string tensors are reported, not dropped");
                try (TensorFile back = TensorFiles.open(out)) {
                    for (Tensor t : in.tensors()) {
                        if (t.dtype() == DType.STRING) continue;
                        Tensor b = back.tensor(t.name());
                        assertEquals(t.info(), b.info());
                        assertEquals(-1, t.bytes().mismatch(b.bytes()), t.name());
                    }
                    assertEquals(values(in), values(back));
                }
            }
        }
    }
}
