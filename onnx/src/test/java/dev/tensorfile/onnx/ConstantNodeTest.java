package dev.tensorfile.onnx;

import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ValueType;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.tensorfile.onnx.Wire.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Constant nodes in the wire forms onnx.helper does not write (it packs every repeated field and sets every
 * singular one): unpacked and mixed {@code floats}/{@code ints}, absent singular fields (protobuf's defaults, as
 * onnx reads them), attributes before {@code op_type}, a Constant of another domain, and names that clash.
 */
class ConstantNodeTest {
    @TempDir Path dir;

    private static byte[] node(String out, String domain, byte[]... attributes) {
        byte[] node = new byte[0];
        for (byte[] a : attributes) node = cat(node, ld(5, a)); // attributes first: op_type may come last
        node = cat(node, str(2, out), str(4, "Constant"));
        if (domain != null) node = cat(node, str(7, domain));
        return ld(1, node);
    }

    private static byte[] attribute(String name, byte[]... fields) {
        return cat(str(1, name), cat(fields));
    }

    private TensorFile open(byte[]... graphFields) throws IOException {
        Path p = dir.resolve("m" + System.nanoTime() + ".onnx");
        Files.write(p, model(graphFields));
        return TensorFiles.open(p, "onnx");
    }

    private static long[] longs(Tensor t) {
        return t.bytes().toArray(LittleEndian.LONG);
    }

    private static float[] floats(Tensor t) {
        return t.bytes().toArray(LittleEndian.FLOAT);
    }

    @Test
    void floatsAndIntsPackedUnpackedAndMixed() throws IOException {
        try (TensorFile f = open(
                node("packed", null, attribute("value_floats", ld(7, f32(1, 2, 3)))),
                node("unpacked", null, attribute("value_floats", key(7, 5), f32(1), key(7, 5), f32(2), key(7, 5), f32(3))),
                node("mixed", null, attribute("value_floats", ld(7, f32(1)), key(7, 5), f32(2), ld(7, f32(3)))),
                node("ints", null, attribute("value_ints", vi(8, 5), ld(8, varint(-3), varint(1L << 40)), vi(8, -(1L << 62)))))) {
            for (String n : List.of("packed", "unpacked", "mixed")) {
                Tensor t = f.tensor(n);
                assertEquals(DType.F32, t.dtype());
                assertArrayEquals(new long[] {3}, t.shape().dims());
                assertArrayEquals(new float[] {1, 2, 3}, floats(t), n);
            }
            assertTrue(f.tensor("packed").isView(), "one packed run of fixed32 is float32 little-endian as it is");
            Tensor ints = f.tensor("ints");
            assertEquals(DType.I64, ints.dtype());
            assertArrayEquals(new long[] {5, -3, 1L << 40, -(1L << 62)}, longs(ints));
            // a range that cuts the second value, read on its own
            MemorySegment part = MemorySegment.ofArray(new byte[10]);
            ints.readBytes(5, part);
            assertEquals(-1, part.mismatch(ints.bytes().asSlice(5, 10)));
        }
    }

    @Test
    void absentSingularFieldsAreProtobufsDefaults() throws IOException {
        try (TensorFile f = open(node("f", null, attribute("value_float")), node("i", null, attribute("value_int")),
                node("s", null, attribute("value_string")), node("fs", null, attribute("value_floats")))) {
            assertArrayEquals(new float[] {0}, floats(f.tensor("f")));
            assertArrayEquals(new long[] {}, f.tensor("f").shape().dims());
            assertArrayEquals(new long[] {0}, longs(f.tensor("i")));
            assertEquals(List.of(""), f.tensor("s").strings());
            assertArrayEquals(new long[] {0}, f.tensor("fs").shape().dims());
        }
    }

    @Test
    void aConstantOfAnotherDomainIsNotTheOperator() throws IOException {
        try (TensorFile f = open(node("mine", "com.example", attribute("value", ld(5, tensor("", 1, new long[] {1}, ld(9, f32(1)))))),
                node("ours", "ai.onnx", attribute("value_int", vi(3, 7))))) {
            assertEquals(List.of("ours"), f.tensors().stream().map(Tensor::name).toList());
        }
    }

    @Test
    void aNameAnInitializerHoldsGetsASuffix() throws IOException {
        try (TensorFile f = open(initializer(tensor("w", 1, new long[] {1}, ld(9, f32(5)))),
                node("w", null, attribute("value_float", key(2, 5), f32(6))))) {
            assertArrayEquals(new float[] {5}, floats(f.tensor("w")));
            assertArrayEquals(new float[] {6}, floats(f.tensor("w#2")));
            assertEquals(new MetadataValue.Array(ValueType.STRING, List.of(new MetadataValue.Str("w#2"))),
                    f.metadata().get(OnnxFile.CONSTANTS_KEY).orElseThrow());
        }
    }
}
