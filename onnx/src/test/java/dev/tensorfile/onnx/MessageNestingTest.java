package dev.tensorfile.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models at protobuf's recursion limit and past it (gen/nesting, written by python3-onnx): {@code verify} accepts
 * exactly those that onnx.load parses, and every one opens and lists its tensors, as before.
 */
class MessageNestingTest {
    private static final Fixtures FIXTURES = Fixtures.resources("onnx");

    static final Path NESTING = FIXTURES.file("gen/nesting");

    @TestFactory
    List<DynamicTest> verifyAgreesWithOnnxLoad() throws IOException {
        JsonNode verdicts = new ObjectMapper().readTree(NESTING.resolve("nesting.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        verdicts.properties().forEach(e -> tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
            Path model = NESTING.resolve(e.getKey());
            try (TensorFile f = TensorFiles.open(model)) {
                assertEquals(0, f.tensors().size());
                f.details();
                if (e.getValue().get("onnx_load").asBoolean()) {
                    f.verify();
                } else {
                    MalformedFileException x = assertThrows(MalformedFileException.class, f::verify);
                    assertTrue(x.getMessage().contains("nested 101 messages deep (ModelProto is 0); protobuf, which"
                            + " onnx.load parses with, stops at 100"), x.getMessage());
                    assertTrue(x.offset() > 0);
                }
            }
        })));
        assertEquals(7, tests.size());
        return tests;
    }
}
