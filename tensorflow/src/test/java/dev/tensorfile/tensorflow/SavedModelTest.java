package dev.tensorfile.tensorflow;

import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the fixtures' {@code saved_model.pb} say, against the generator ({@code saved_model_half_plus_two.py}): tag
 * {@code serve}; signature {@code serving_default} (predict) maps x to y, both float of shape [-1, 1] in TF1; the
 * classify and regress signatures; the asset {@code foo.txt}.
 */
class SavedModelTest {
    private static final Fixtures FIXTURES = Fixtures.resources("tensorflow");

    @TempDir Path dir;

    private static List<String> strings(TensorFile f, String key) {
        MetadataValue.Array a = (MetadataValue.Array) f.metadata().get(key).orElseThrow(() -> new AssertionError("no " + key));
        return a.values().stream().map(v -> ((MetadataValue.Str) v).value()).toList();
    }

    @Test
    void tf1SignaturesTagsAndAssets() {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("saved_model_half_plus_two_cpu/00000123"))) {
            assertEquals(List.of("serve"), strings(f, "tensorflow.meta_graph.0.tags"));
            assertEquals("tensorflow/serving/predict", f.metadata().getString("tensorflow.signature.serving_default.method_name").orElseThrow());
            assertEquals(List.of("x: DT_FLOAT [-1, 1] (x:0)"), strings(f, "tensorflow.signature.serving_default.inputs"));
            assertEquals(List.of("y: DT_FLOAT [-1, 1] (y:0)"), strings(f, "tensorflow.signature.serving_default.outputs"));
            assertEquals("tensorflow/serving/classify", f.metadata().getString("tensorflow.signature.classify_x_to_y.method_name").orElseThrow());
            assertEquals("tensorflow/serving/regress", f.metadata().getString("tensorflow.signature.regress_x2_to_y3.method_name").orElseThrow());
            assertEquals(List.of("foo.txt"), strings(f, "tensorflow.assets"));
            assertEquals(1L, f.metadata().getLong("tensorflow.saved_model.schema_version").orElseThrow());
            assertTrue(f.metadata().getString("tensorflow.version").orElseThrow().startsWith("1."));
            assertTrue(f.details().contains("  signature serving_default (tensorflow/serving/predict)"), f.details().toString());
            assertTrue(f.details().contains("    input x: DT_FLOAT [-1, 1] (x:0)"), f.details().toString());
        }
    }

    /** TF2's tf.saved_model.save: functions in the library, the object graph naming each variable's path. */
    @Test
    void tf2ObjectGraphNamesEachVariable() {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("saved_model_half_plus_two_tf2_cpu/00000123"))) {
            assertTrue(f.metadata().getString("tensorflow.version").orElseThrow().startsWith("2."));
            assertEquals(List.of("x: DT_FLOAT [1] (serving_default_x:0)"), strings(f, "tensorflow.signature.serving_default.inputs"));
            List<String> d = f.details();
            assertTrue(d.contains("object graph: 3 saved tensors"), d.toString());
            assertTrue(d.contains("  a/.ATTRIBUTES/VARIABLE_VALUE: variable a, object path a"), d.toString());
            assertTrue(d.contains("  c/.ATTRIBUTES/VARIABLE_VALUE: variable c, object path c"), d.toString());
        }
    }

    @Test
    void checkpointWithoutSavedModelHasNoSavedModelKeys() throws IOException {
        Path src = FIXTURES.file("saved_model_half_plus_three/00000123").resolve("variables");
        Files.copy(src.resolve("variables.index"), dir.resolve("ckpt.index"));
        Files.copy(src.resolve("variables.data-00000-of-00001"), dir.resolve("ckpt.data-00000-of-00001"));
        try (TensorFile f = TensorFiles.open(dir.resolve("ckpt"))) {
            assertTrue(f.metadata().get("tensorflow.saved_model.schema_version").isEmpty());
            assertEquals(3, f.tensors().size());
        }
    }

    /** The text format, as text_format.MessageToString writes a SavedModel (hand-written: no fixture has one). */
    @Test
    void textFormatSavedModelReadsTheSame() throws IOException {
        String pbtxt = """
                saved_model_schema_version: 1
                meta_graphs {
                  meta_info_def {
                    tags: "serve"
                    tags: 'gpu'  # a comment
                    tensorflow_version: "2.15.0"
                  }
                  graph_def {
                    node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
                    node < name: "call\\\\py" op: "EagerPyFunc" >
                  }
                  signature_def {
                    key: "serving_default"
                    value {
                      inputs { key: "x" value { name: "x:0" dtype: DT_FLOAT tensor_shape { dim { size: -1 } dim { size: 3 } } } }
                      outputs { key: "y" value { name: "y:" "0" dtype: 1 tensor_shape { unknown_rank: true } } }
                      method_name: "tensorflow/serving/predict"
                    }
                  }
                  asset_file_def { filename: "vocab\\x2etxt" }
                  collection_def {
                    key: "saved_model_assets"
                    value { any_list { value { [type.googleapis.com/tensorflow.AssetFileDef] { filename: "merges.txt" } } } }
                  }
                }
                """;
        Files.writeString(dir.resolve("saved_model.pbtxt"), pbtxt, StandardCharsets.UTF_8);
        try (TensorFile f = TensorFiles.open(dir)) {
            assertEquals(List.of("serve", "gpu"), strings(f, "tensorflow.meta_graph.0.tags"));
            assertEquals("2.15.0", f.metadata().getString("tensorflow.version").orElseThrow());
            assertEquals(List.of("x: DT_FLOAT [-1, 3] (x:0)"), strings(f, "tensorflow.signature.serving_default.inputs"));
            assertEquals(List.of("y: DT_FLOAT unknown rank (y:0)"), strings(f, "tensorflow.signature.serving_default.outputs"));
            assertEquals(List.of("vocab.txt", "merges.txt"), strings(f, "tensorflow.assets"));
            assertTrue(f.details().contains("  python op EagerPyFunc: node 'call\\py' in graph"), f.details().toString());
            assertTrue(f.tensors().isEmpty());
        }
    }

    @Test
    void textFormatNestingIsBounded() throws IOException {
        Files.writeString(dir.resolve("saved_model.pbtxt"), "meta_graphs { ".repeat(100_000));
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.tensorfile.core.MalformedFileException.class,
                () -> TensorFiles.format("tensorflow").orElseThrow().open(dir, ReadLimits.DEFAULT.withMaxNestingDepth(64)));
        assertTrue(e.getMessage().contains("nested deeper than 64"), e.getMessage());
    }
}
