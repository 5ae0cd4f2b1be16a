package dev.tensorfile.onnx;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target of the wire reader and everything built on it: any bytes as a model file either open, list, decode
 * and verify, or fail with a {@link TensorFileException} whose message names the file. Any other throwable
 * (IndexOutOfBounds, OutOfMemoryError, StackOverflowError, ...) is a finding.
 *
 * <p>The default test run replays the committed corpus in
 * {@code src/test/resources/dev/tensorfile/onnx/OnnxWireFuzzTestInputs/fuzzModel} (Jazzer's regression mode: no
 * native fuzzing). To fuzz: {@code JAZZER_FUZZ=1 ./mvnw -pl onnx test -Dtest=OnnxWireFuzzTest}; inputs that find
 * new coverage go to {@code .cifuzz-corpus}, crashes to the inputs directory above, to be kept as regressions.
 */
class OnnxWireFuzzTest {
    private static Path dir;

    @BeforeAll
    static void createDirectory() throws IOException {
        dir = Files.createTempDirectory("onnx-fuzz");
    }

    @AfterAll
    static void deleteDirectory() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void fuzzModel(byte[] input) {
        Path file = dir.resolve("m.onnx");
        try {
            Files.write(file, input);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (TensorFile f = OnnxFile.open(file, ReadLimits.DEFAULT)) {
            f.metadata();
            f.details();
            f.unsupported();
            for (Tensor t : f.tensors()) {
                if (t.dtype() == DType.STRING) t.strings();
                else t.bytes();
            }
            f.verify();
        } catch (TensorFileException e) {
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(e.getMessage().indexOf('\n') < 0, "one line: " + e.getMessage());
        }
    }
}
