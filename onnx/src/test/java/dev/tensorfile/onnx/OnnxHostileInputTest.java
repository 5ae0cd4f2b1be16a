package dev.tensorfile.onnx;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.testframework.Hostile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.tensorfile.onnx.Wire.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per rule of the reader: each hostile file fails with a typed exception whose message names the
 * structure and the byte offset. Runs in its own JVM with -Xmx64m -Xss512k (parent pom).
 */
class OnnxHostileInputTest {
    @TempDir Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** Opens and lists the tensors (which indexes the graph), then verifies. */
    private static void read(Path p) {
        try (TensorFile f = TensorFiles.open(p, "onnx")) {
            f.tensors();
            f.details();
            f.verify();
        }
    }

    private <T extends TensorFileException> T fails(Class<T> type, byte[] model, String... fragments) throws IOException {
        Path p = write("m.onnx", model);
        return Hostile.assertRejected(type, p, () -> read(p), fragments);
    }

    private static byte[] floatTensor(String name, long[] dims, byte[] body) {
        return model(initializer(tensor(name, 1, dims, body)));
    }

    @Test
    void rejectsLengthPastTheEnd() throws IOException {
        byte[] m = cat(vi(1, 8), key(7, 2), varint(100), new byte[10]);
        MalformedFileException e = fails(MalformedFileException.class, m, "ModelProto at byte 3", "graph claims 100 bytes but only 10 remain");
        assertEquals(3, e.offset());
    }

    @Test
    void rejectsAbsurdLength() throws IOException {
        fails(MalformedFileException.class, cat(vi(1, 8), key(6, 2), varint(1L << 62)), "ModelProto at byte 3",
                "doc_string claims 4611686018427387904 bytes");
    }

    @Test
    void rejectsOverlongVarint() throws IOException {
        byte[] eleven = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
                (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01};
        fails(MalformedFileException.class, cat(vi(1, 8), key(5, 0), eleven), "ModelProto at byte 3", "varint is longer than 10 bytes");
    }

    @Test
    void rejectsTruncatedVarint() throws IOException {
        fails(MalformedFileException.class, cat(vi(1, 8), key(5, 0), new byte[] {(byte) 0x80, (byte) 0x80}),
                "ModelProto at byte 3", "varint is cut off");
    }

    @Test
    void rejectsWrongWireTypeForKnownField() throws IOException {
        fails(MalformedFileException.class, cat(vi(1, 8), str(5, "seven")), "ModelProto at byte 2",
                "field 5 (model_version) has wire type 2, expected 0");
    }

    @Test
    void rejectsWireTypeThatDoesNotExist() throws IOException {
        fails(MalformedFileException.class, cat(vi(1, 8), key(9, 7)), "ModelProto at byte 2", "wire type 7 of field 9 does not exist");
    }

    @Test
    void rejectsFieldNumberZero() throws IOException {
        fails(MalformedFileException.class, cat(vi(1, 8), new byte[] {0x00, 0x01}), "ModelProto at byte 2", "field number 0");
    }

    @Test
    void rejectsUnclosedGroup() throws IOException {
        fails(MalformedFileException.class, cat(vi(1, 8), key(30, 3), vi(1, 5)), "group of field 30 is not closed");
    }

    @Test
    void skipsUnknownFieldsOfEveryWireType() throws IOException {
        byte[] m = cat(vi(1, 8), vi(99, 1), key(98, 1), new byte[8], key(97, 5), new byte[4], str(96, "x"),
                key(95, 3), vi(1, 2), key(95, 4), Wire.model());
        Path p = write("ok.onnx", m);
        try (TensorFile f = TensorFiles.open(p, "onnx")) {
            assertEquals(0, f.tensors().size());
        }
    }

    @Test
    void rejectsNestingDeeperThanTheLimit() throws IOException {
        // graph -> node -> attribute -> graph ..., 200 levels: 600 messages deep
        byte[] graph = str(2, "leaf");
        for (int i = 0; i < 200; i++) {
            graph = cat(str(2, "g" + i), ld(1, str(4, "If"), ld(5, str(1, "then_branch"), ld(6, graph))));
        }
        byte[] m = cat(vi(1, 8), ld(7, graph));
        fails(MalformedFileException.class, m, "messages nested 257 deep; at most 256 are accepted");
    }

    @Test
    void rejectsMissingIrVersion() throws IOException {
        fails(MalformedFileException.class, cat(str(2, "producer")), "ModelProto at byte 0", "no ir_version");
    }

    @Test
    void rejectsRawDataThatDisagreesWithDims() throws IOException {
        fails(MalformedFileException.class, floatTensor("w", new long[] {2, 3}, ld(9, f32(1, 2, 3))),
                "initializer 'w' at byte", "raw_data of 12 bytes, but dims [2, 3] of FLOAT need 24");
    }

    @Test
    void rejectsNegativeDim() throws IOException {
        fails(MalformedFileException.class, floatTensor("w", new long[] {2, -3}, ld(9, f32(1))),
                "initializer 'w' at byte", "negative dimension -3");
    }

    @Test
    void rejectsDimsWhoseProductOverflows() throws IOException {
        fails(MalformedFileException.class, floatTensor("w", new long[] {1L << 40, 1L << 40}, ld(9, f32(1))),
                "initializer 'w' at byte", "overflow a 64-bit element count");
    }

    @Test
    void rejectsByteCountThatOverflows() throws IOException {
        fails(MalformedFileException.class, floatTensor("w", new long[] {1L << 62}, ld(9, f32(1))),
                "initializer 'w' at byte", "overflow a 64-bit byte count");
    }

    @Test
    void rejectsUnknownDataType() throws IOException {
        fails(MalformedFileException.class, model(initializer(tensor("w", 27, new long[] {1}, ld(9, f32(1))))),
                "initializer 'w' at byte", "data_type 27 is not a TensorProto.DataType");
    }

    @Test
    void rejectsUndefinedDataType() throws IOException {
        fails(MalformedFileException.class, model(initializer(tensor("w", 0, new long[] {1}, ld(9, f32(1))))),
                "initializer 'w' at byte", "data_type 0");
    }

    @Test
    void rejectsTypedFieldWithTooFewEntries() throws IOException {
        fails(MalformedFileException.class, floatTensor("w", new long[] {3}, ld(4, f32(1, 2))),
                "initializer 'w' at byte", "float_data has 2 entries, but dims [3] of FLOAT need 3");
    }

    @Test
    void rejectsTypedFieldOfAnotherType() throws IOException {
        fails(MalformedFileException.class, floatTensor("w", new long[] {1}, ld(7, varint(5))),
                "initializer 'w' at byte", "FLOAT values belong in float_data, not int64_data");
    }

    @Test
    void rejectsBothRawDataAndTypedField() throws IOException {
        fails(MalformedFileException.class, floatTensor("w", new long[] {1}, cat(ld(9, f32(1)), ld(4, f32(1)))),
                "initializer 'w' at byte", "both raw_data and float_data");
    }

    @Test
    void rejectsTensorWithoutData() throws IOException {
        fails(MalformedFileException.class, floatTensor("w", new long[] {2}, new byte[0]), "initializer 'w' at byte", "has no data");
    }

    @Test
    void rejectsPackedVarintsCutOff() throws IOException {
        fails(MalformedFileException.class, model(initializer(tensor("w", 7, new long[] {1}, ld(7, new byte[] {(byte) 0x85})))),
                "at byte", "packed int64_data ends inside a varint");
    }

    @Test
    void rejectsFloatDataNotAWholeNumberOfValues() throws IOException {
        fails(MalformedFileException.class, floatTensor("w", new long[] {1}, ld(4, new byte[5])),
                "at byte", "float_data of 5 bytes is not a whole number of 4-byte values");
    }

    @Test
    void rejectsRankAbove64() throws IOException {
        fails(MalformedFileException.class, floatTensor("w", new long[65], ld(9, f32())), "at byte", "rank 65");
    }

    @Test
    void rejectsSegmentedTensor() throws IOException {
        fails(UnsupportedFeatureException.class, floatTensor("w", new long[] {1}, cat(ld(3, vi(1, 0), vi(2, 1)), ld(9, f32(1)))),
                "initializer 'w' at byte", "segment (field 3) is not supported");
    }

    @Test
    void rejectsStringTensorInRawData() throws IOException {
        fails(MalformedFileException.class, model(initializer(tensor("s", 8, new long[] {1}, ld(9, new byte[] {'a'})))),
                "initializer 's' at byte", "STRING tensors must use string_data");
    }

    // ---- external data: onnx/checker.cc resolve_external_data_location ----

    private static byte[] external(String location, long offset, long length) {
        byte[] entries = cat(ld(13, str(1, "location"), str(2, location)), ld(13, str(1, "offset"), str(2, Long.toString(offset))),
                ld(13, str(1, "length"), str(2, Long.toString(length))), vi(14, 1));
        return floatTensor("w", new long[] {2}, entries);
    }

    @Test
    void rejectsAbsoluteExternalLocation() throws IOException {
        fails(MalformedFileException.class, external("/etc/passwd", 0, 8), "initializer 'w' external_data at byte",
                "'/etc/passwd' is not a relative path");
    }

    @Test
    void rejectsExternalLocationWithDotDot() throws IOException {
        fails(MalformedFileException.class, external("sub/../../secret.bin", 0, 8), "initializer 'w' external_data at byte",
                "escapes the model's directory (..)");
    }

    @Test
    void rejectsEmptyExternalLocation() throws IOException {
        fails(MalformedFileException.class, external("", 0, 8), "external data has no location");
    }

    @Test
    void rejectsExternalLocationThatIsASymlink() throws IOException {
        Path outside = Files.createTempFile("outside", ".bin");
        try {
            Files.write(outside, new byte[8]);
            Files.createSymbolicLink(dir.resolve("link.bin"), outside);
            fails(MalformedFileException.class, external("link.bin", 0, 8), "'link.bin' is a symbolic link");
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void rejectsExternalLocationOutsideTheModelDirectoryThroughALinkedDirectory() throws IOException {
        Path outside = Files.createTempDirectory("outside");
        try {
            Files.write(outside.resolve("w.bin"), new byte[8]);
            Files.createSymbolicLink(dir.resolve("sub"), outside);
            fails(MalformedFileException.class, external("sub/w.bin", 0, 8), "resolves outside the model's directory");
        } finally {
            Files.deleteIfExists(outside.resolve("w.bin"));
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void rejectsExternalLocationThatIsNotARegularFile() throws IOException {
        Files.createDirectory(dir.resolve("d.bin"));
        fails(MalformedFileException.class, external("d.bin", 0, 8), "'d.bin' is not a regular file");
    }

    @Test
    void rejectsExternalFileWithSeveralHardLinks() throws IOException {
        Files.write(dir.resolve("a.bin"), new byte[8]);
        Files.createLink(dir.resolve("b.bin"), dir.resolve("a.bin"));
        fails(MalformedFileException.class, external("a.bin", 0, 8), "has 2 hard links");
    }

    @Test
    void rejectsMissingExternalFile() throws IOException {
        fails(MalformedFileException.class, external("none.bin", 0, 8), "'none.bin' does not exist");
    }

    @Test
    void rejectsExternalRangePastTheEndOfTheFile() throws IOException {
        Files.write(dir.resolve("w.bin"), new byte[8]);
        fails(MalformedFileException.class, external("w.bin", 4, 8), "initializer 'w' at byte", "external data [4, 12) lies outside 'w.bin' of 8 bytes");
    }

    @Test
    void rejectsExternalLengthThatDisagreesWithDims() throws IOException {
        Files.write(dir.resolve("w.bin"), new byte[16]);
        fails(MalformedFileException.class, external("w.bin", 0, 12), "external data length 12, but dims [2] of F32 need 8");
    }

    @Test
    void rejectsExternalDataWithABadChecksum() throws IOException {
        Files.write(dir.resolve("w.bin"), new byte[8]);
        byte[] entries = cat(ld(13, str(1, "location"), str(2, "w.bin")), ld(13, str(1, "checksum"), str(2, "00")), vi(14, 1));
        fails(MalformedFileException.class, floatTensor("w", new long[] {2}, entries), "external data file 'w.bin'", "differs from the checksum 00");
    }

    // ---- Constant nodes (ConstantNode): the operator's rules, and every AttributeProto field it reads ----

    /** A graph holding one Constant node: output {@code out} (none if null), then the attributes. */
    private static byte[] constant(String out, byte[]... attributes) {
        byte[] node = cat(out == null ? new byte[0] : str(2, out), str(3, "c"), str(4, "Constant"));
        for (byte[] a : attributes) node = cat(node, ld(5, a));
        return model(ld(1, node));
    }

    private static byte[] attribute(String name, byte[]... fields) {
        return cat(str(1, name), cat(fields));
    }

    @Test
    void rejectsConstantWithoutOutput() throws IOException {
        // the node's message starts at byte 9: ir_version (2 bytes), the graph's key and length (2), its name (3), the node's (2)
        MalformedFileException e = fails(MalformedFileException.class, constant(null, attribute("value_int", vi(3, 1))),
                "graph node #0 at byte 9", "Constant node 'c' has 0 outputs");
        assertEquals(9, e.offset());
    }

    @Test
    void rejectsConstantWithAnEmptyOutputName() throws IOException {
        fails(MalformedFileException.class, constant("", attribute("value_int", vi(3, 1))), "Constant node 'c' has an empty output name");
    }

    @Test
    void rejectsConstantWithoutValue() throws IOException {
        fails(MalformedFileException.class, constant("w", attribute("alpha", vi(3, 1))), "Constant node 'c' has none of the attributes value");
    }

    @Test
    void rejectsConstantWithTwoValues() throws IOException {
        fails(MalformedFileException.class, constant("w", attribute("value_int", vi(3, 1)), attribute("value_float", key(2, 5), f32(1))),
                "Constant node 'c' has 2 of the attributes");
    }

    @Test
    void rejectsConstantValueWithoutTensor() throws IOException {
        fails(MalformedFileException.class, constant("w", attribute("value", vi(20, 4))), "graph node #0 attribute #0 at byte",
                "attribute 'value' has no t");
    }

    @Test
    void rejectsConstantSingularFieldGivenTwice() throws IOException {
        fails(MalformedFileException.class, constant("w", attribute("value_float", key(2, 5), f32(1), key(2, 5), f32(2))),
                "attribute 'value_float' holds field f more than once");
    }

    @Test
    void rejectsConstantReferringToAFunctionAttribute() throws IOException {
        fails(MalformedFileException.class, constant("w", attribute("value", str(21, "w"))), "refers to a function attribute (ref_attr_name)");
    }

    @Test
    void rejectsConstantFloatOfTheWrongWireType() throws IOException {
        fails(MalformedFileException.class, constant("w", attribute("value_float", vi(2, 1))), "field 2 (f) has wire type 0, expected 5");
    }

    @Test
    void rejectsConstantUnpackedFloatCutOff() throws IOException {
        fails(MalformedFileException.class, constant("w", attribute("value_floats", key(7, 5), new byte[2])), "needs 4 bytes but only 2 remain");
    }

    @Test
    void rejectsConstantFloatsNotAWholeNumberOfValues() throws IOException {
        fails(MalformedFileException.class, constant("w", attribute("value_floats", ld(7, new byte[7]))),
                "floats of 7 bytes is not a whole number of 4-byte values");
    }

    @Test
    void rejectsConstantPackedIntsCutOff() throws IOException {
        fails(MalformedFileException.class, constant("w", attribute("value_ints", ld(7 + 1, new byte[] {1, (byte) 0x80}))),
                "packed ints ends inside a varint");
    }

    @Test
    void rejectsConstantIntsOfAFixedWireType() throws IOException {
        fails(MalformedFileException.class, constant("w", attribute("value_ints", key(8, 5), new byte[4])), "field 8 (ints) has wire type 5, expected 0");
    }

    @Test
    void rejectsConstantStringPastTheEnd() throws IOException {
        fails(MalformedFileException.class, constant("w", attribute("value_strings", key(9, 2), varint(50), new byte[3])),
                "graph node #0 attribute #0 at byte 43", "field 9 claims 50 bytes but only 3 remain");
    }

    @Test
    void rejectsConstantValueWhoseDataDisagreesWithItsDims() throws IOException {
        byte[] t = tensor("", 1, new long[] {3}, ld(9, f32(1, 2)));
        MalformedFileException e = fails(MalformedFileException.class, constant("w", attribute("value", ld(5, t))),
                "Constant 'w' value at byte", "raw_data of 8 bytes, but dims [3] of FLOAT need 12");
        assertTrue(e.offset() > 0);
    }

    @Test
    void rejectsConstantValueWithAnExternalLocationOutsideTheDirectory() throws IOException {
        byte[] t = tensor("", 1, new long[] {2}, cat(ld(13, str(1, "location"), str(2, "../w.bin")), vi(14, 1)));
        fails(MalformedFileException.class, constant("w", attribute("value", ld(5, t))), "Constant 'w' value external_data", "..");
    }

    @Test
    void rejectsConstantSparseValueOutsideItsDims() throws IOException {
        byte[] sparse = cat(ld(1, tensor("v", 1, new long[] {1}, ld(9, f32(1)))), ld(2, tensor("i", 7, new long[] {1}, ld(7, varint(99)))), vi(3, 2));
        fails(MalformedFileException.class, constant("w", attribute("sparse_value", ld(22, sparse))), "Constant 'w' sparse_value indices",
                "sparse index 99 of value #0 is outside 2 elements");
    }

    // ---- MessageNesting: verify walks every message within protobuf's recursion limit, as onnx.load ----

    /**
     * {@code inner} (a TypeProto's bytes) wrapped {@code levels} times in TypeProto field {@code field} (4
     * sequence_type, 9 optional_type: elem_type is field 1; 5 map_type: value_type is field 2), built from the inside
     * out in one array: concatenating 50,000 levels would copy gigabytes.
     */
    static byte[] nestedTypes(int levels, int field, byte[] inner) {
        byte[] out = new byte[levels * 16 + inner.length];
        int at = out.length - inner.length;
        System.arraycopy(inner, 0, out, at, inner.length);
        long length = inner.length;
        int elem = field == 5 ? 2 : 1;
        for (int i = 0; i < levels; i++) {
            byte[][] prefix = field == 5
                    ? new byte[][] {key(field, 2), null, vi(1, 7), key(elem, 2), varint(length)} // map: key_type INT64
                    : new byte[][] {key(field, 2), null, key(elem, 2), varint(length)};
            long wrapped = length;
            for (int k = 2; k < prefix.length; k++) wrapped += prefix[k].length;
            prefix[1] = varint(wrapped);
            for (int k = prefix.length - 1; k >= 0; k--) {
                at -= prefix[k].length;
                System.arraycopy(prefix[k], 0, out, at, prefix[k].length);
            }
            length = out.length - at;
        }
        return java.util.Arrays.copyOfRange(out, at, out.length);
    }

    @Test
    void verifyRejectsATypeNestedPastProtobufsLimitThatOpeningSkips() throws IOException {
        byte[] type = nestedTypes(50_000, 4, ld(1, vi(1, 1)));
        Path p = write("m.onnx", model(ld(11, str(1, "x"), ld(2, type))));
        try (TensorFile f = TensorFiles.open(p, "onnx")) {
            assertEquals(0, f.tensors().size());
            assertTrue(f.details().contains("input x: sequence"), f.details().toString());
            MalformedFileException e = Hostile.assertRejected(MalformedFileException.class, p, f::verify, "TypeProto.Sequence", -1,
                    "field 1 holds a TypeProto nested 101 messages deep (ModelProto is 0); protobuf, which onnx.load parses with, stops at 100");
            assertTrue(e.getMessage().startsWith("onnx: " + p + ": TypeProto.Sequence at byte "), e.getMessage());
        }
    }

    @Test
    void verifyRejectsMapAndOptionalTypesNestedPastTheLimitInAttributesFunctionsAndTrainingGraphs() throws IOException {
        byte[] map = nestedTypes(60, 5, ld(1, vi(1, 1)));
        byte[] optional = nestedTypes(60, 9, ld(1, vi(1, 1)));
        // AttributeProto tp (14) of a node
        fails(MalformedFileException.class, model(ld(1, str(4, "Cast"), ld(5, str(1, "to"), ld(14, map)))), "nested 101 messages deep");
        // FunctionProto value_info (12), ModelProto function (25)
        byte[] function = cat(str(1, "f"), ld(12, str(1, "v"), ld(2, optional)));
        fails(MalformedFileException.class, cat(model(), ld(25, function)), "nested 101 messages deep");
        // a TrainingInfoProto's algorithm graph (20, 2), never indexed for tensors
        byte[] training = ld(2, str(2, "algorithm"), ld(11, str(1, "v"), ld(2, optional)));
        fails(MalformedFileException.class, cat(model(), ld(20, training)), "nested 101 messages deep");
    }

    @Test
    void verifyRejectsGraphsNestedPastTheLimitThatOpeningAccepts() throws IOException {
        // graph -> node -> attribute -> graph: 40 levels put a graph at 121, under the reader's 256
        byte[] graph = str(2, "leaf");
        for (int i = 0; i < 40; i++) graph = cat(str(2, "g" + i), ld(1, str(4, "If"), ld(5, str(1, "then_branch"), ld(6, graph))));
        Path p = write("m.onnx", cat(vi(1, 8), ld(7, graph)));
        try (TensorFile f = TensorFiles.open(p, "onnx")) {
            f.tensors();
            // graphs lie at 1, 4, ..., 100 (1 + 3k): the 34th graph's node is the 101st message
            Hostile.assertRejected(MalformedFileException.class, p, f::verify, "GraphProto", -1,
                    "GraphProto at byte", "field 1 holds a NodeProto nested 101 messages deep");
        }
    }

    @Test
    void reportsInOneLineWhateverTheNamesItQuotesHold() throws IOException {
        // found by fuzzing: an attribute name with a newline in it broke the message in two
        byte[] m = model(ld(1, str(4, "If"), ld(5, str(1, "then\nbranch"), ld(6, str(2, "g"), vi(0, 1)))));
        MalformedFileException e = fails(MalformedFileException.class, m, "attribute 'then\\nbranch' graph");
        assertEquals(-1, e.getMessage().indexOf('\n'), e.getMessage());
    }
}
