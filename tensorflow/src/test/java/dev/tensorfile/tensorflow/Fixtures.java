package dev.tensorfile.tensorflow;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

/**
 * The SavedModels of {@code shared/fixtures/tensorflow}, copied unchanged into the test resources: written by
 * TensorFlow itself (tensorflow/serving's {@code testdata}, see its README), from the generator
 * {@code saved_model_half_plus_two.py}: y = a*x + b with a = 0.5, b = 2.0 (half_plus_three: b = 3.0), c = 3.0.
 */
final class Fixtures {
    private Fixtures() {}

    static Path dir() {
        try {
            return Path.of(Fixtures.class.getResource("/tensorflow/README.md").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SavedModel directory of fixture {@code name} ({@code saved_model_half_plus_two_cpu}, ...). */
    static Path model(String name) { return dir().resolve(name).resolve("00000123"); }

    /** Every fixture's SavedModel directory. */
    static List<Path> models() {
        return List.of(model("saved_model_counter"), model("saved_model_half_plus_three"), model("saved_model_half_plus_two_cpu"),
                model("saved_model_half_plus_two_mkl"), model("saved_model_half_plus_two_tf2_cpu"));
    }
}
