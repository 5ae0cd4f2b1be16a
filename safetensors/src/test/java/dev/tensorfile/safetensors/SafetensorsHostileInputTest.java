package dev.tensorfile.safetensors;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.testframework.Hostile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per rule of the reference crate ({@code tensor.rs}: {@code read_metadata}, {@code Metadata::validate}),
 * plus duplicate keys (our stricter rule) and the abuse cases of the crate's {@code attacks/} folder. Runs with a
 * 64 MB heap and a 512 KB stack: a parser that allocates from a claimed size, or recurses per nesting level, fails
 * here. Each asserts the exception type, the rule named in the message, the structure and the byte offset.
 */
@Timeout(20)
class SafetensorsHostileInputTest {
    @TempDir Path dir;

    private int files;

    /** A file of {@code u64 N}, the header bytes and {@code data} zero bytes. */
    private Path file(byte[] header, long n, long data) throws IOException {
        Path p = dir.resolve("f" + (files++) + ".safetensors");
        ByteBuffer b = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(n).put(header);
        Files.write(p, b.array());
        if (data > 0) {
            try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.allocate(1), 8 + header.length + data - 1);
            }
        }
        return p;
    }

    private Path file(String header, long data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return file(h, h.length, data);
    }

    /** Opens {@code p}, expecting a MalformedFileException naming {@code rule} at {@code offset} in {@code structure}. */
    private static MalformedFileException rejects(Path p, String rule, String structure, long offset) {
        MalformedFileException e = Hostile.assertRejected(MalformedFileException.class, p, () -> {
            try (TensorFile f = new SafetensorsFormat().open(p, ReadLimits.DEFAULT)) {
                f.tensors();
            }
        }, structure, offset, rule);
        assertEquals(structure, e.structure(), e.getMessage());
        assertTrue(e.getMessage().contains("at byte " + e.offset()), e.getMessage());
        return e;
    }

    // ---- read_metadata: the length, the bytes, the JSON ----

    @Test
    void rejectsFileShorterThan8Bytes() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[] {1, 0, 0});
        rejects(p, "HeaderTooSmall", "header length", 0);
    }

    @Test
    void rejectsHeaderLargerThan100MB() throws IOException {
        MalformedFileException e = rejects(file(new byte[] {'{', '}'}, 100_000_001L, 0), "HeaderTooLarge", "header length", 0);
        assertTrue(e.getMessage().contains("100000001"), e.getMessage());
    }

    @Test
    void rejectsHeaderClaiming2To62Bytes() throws IOException {
        // attacks/safetensors_abuse_attempt_1.py: a length far beyond the file must fail before any allocation.
        MalformedFileException e = rejects(file(new byte[] {'{', '}'}, 1L << 62, 0), "HeaderTooLarge", "header length", 0);
        assertTrue(e.getMessage().contains(Long.toString(1L << 62)), e.getMessage());
        rejects(file(new byte[] {'{', '}'}, -1L, 0), "HeaderTooLarge", "header length", 0); // 2^64-1
    }

    @Test
    void rejectsHeaderLengthPastEndOfFile() throws IOException {
        rejects(file(new byte[] {'{', '}'}, 3, 0), "InvalidHeaderLength", "header length", 0);
    }

    @Test
    void rejectsHeaderThatIsNotUtf8() throws IOException {
        byte[] h = {'{', '"', 'a', (byte) 0xFF, '"', ':', '1', '}'};
        rejects(file(h, h.length, 0), "InvalidHeader", "header", 8 + 3);
        byte[] overlong = {'{', '"', (byte) 0xC0, (byte) 0x80, '"', ':', '1', '}'};
        rejects(file(overlong, overlong.length, 0), "InvalidHeader", "header", 8 + 2);
        byte[] surrogate = {'{', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', ':', '1', '}'};
        rejects(file(surrogate, surrogate.length, 0), "InvalidHeader", "header", 8 + 2);
    }

    @Test
    void rejectsHeaderThatIsNotJson() throws IOException {
        rejects(file("{\"a\": {\"dtype\": \"F32\",,}}", 0), "InvalidHeaderDeserialization", "header", 8 + 22);
        rejects(file("{\"__metadata__\": {\"a\": \"b\"", 0), "InvalidHeaderDeserialization", "header", -1);
        rejects(file("{\"a\": tru}", 0), "InvalidHeaderDeserialization", "header", -1);
    }

    @Test
    void rejectsByteOrderMarkAndNul() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}', ' ', ' ', ' '};
        rejects(file(bom, bom.length, 0), "byte-order mark", "header", 8);
        byte[] nul = {'{', 0, '}', ' ', ' ', ' ', ' ', ' '};
        rejects(file(nul, nul.length, 0), "NUL", "header", 9);
    }

    @Test
    void rejectsHeaderThatIsNotAnObject() throws IOException {
        rejects(file("[1, 2]", 0), "InvalidHeaderDeserialization", "header", 8);
        rejects(file("   \"x\"", 0), "InvalidHeaderDeserialization", "header", 11);
    }

    @Test
    void rejectsContentAfterTheObject() throws IOException {
        rejects(file("{} {}", 0), "InvalidHeaderDeserialization", "header", 11);
        rejects(file("{}x", 0), "InvalidHeaderDeserialization", "header", -1);
    }

    @Test
    void rejectsDuplicateTensorNames() throws IOException {
        String h = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}";
        MalformedFileException e = rejects(file(h, 2), "duplicate key", "header", -1);
        assertTrue(e.getMessage().contains("'a'"), e.getMessage());
        assertTrue(e.offset() >= 8 + h.indexOf(",\"a\""), e.getMessage());
    }

    @Test
    void rejectsDuplicateMetadataKeys() throws IOException {
        rejects(file("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0), "duplicate key", "header", -1);
        rejects(file("{\"__metadata__\":{},\"__metadata__\":{}}", 0), "duplicate key", "header", -1);
    }

    @Test
    void rejectsDuplicateFieldsInAnEntry() throws IOException {
        rejects(file("{\"a\":{\"dtype\":\"U8\",\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1),
                "duplicate key", "header", -1);
    }

    @Test
    void rejectsUnknownDtype() throws IOException {
        String h = "{\"a\":{\"dtype\":\"Q4_0\",\"shape\":[32],\"data_offsets\":[0,18]}}";
        MalformedFileException e = rejects(file(h, 18), "InvalidHeaderDeserialization", "tensor 'a'", 8 + h.indexOf("\"Q4_0\""));
        assertTrue(e.getMessage().contains("unknown dtype 'Q4_0'"), e.getMessage());
        rejects(file("{\"a\":{\"dtype\":\"f32\",\"shape\":[],\"data_offsets\":[0,4]}}", 4), "unknown dtype", "tensor 'a'", -1);
    }

    @Test
    void rejectsShapeThatIsNotNonNegativeIntegers() throws IOException {
        String neg = "{\"a\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,0]}}";
        rejects(file(neg, 0), "InvalidHeaderDeserialization", "tensor 'a'", 8 + neg.indexOf("-1"));
        rejects(file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1.0],\"data_offsets\":[0,1]}}", 1), "InvalidHeaderDeserialization", "tensor 'a'", -1);
        rejects(file("{\"a\":{\"dtype\":\"U8\",\"shape\":3,\"data_offsets\":[0,3]}}", 3), "InvalidHeaderDeserialization", "tensor 'a'", -1);
        rejects(file("{\"a\":{\"dtype\":\"U8\",\"shape\":[18446744073709551616],\"data_offsets\":[0,0]}}", 0),
                "InvalidHeaderDeserialization", "tensor 'a'", -1);
    }

    @Test
    void rejectsDataOffsetsThatAreNotTwoNonNegativeIntegers() throws IOException {
        rejects(file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0]}}", 1), "InvalidHeaderDeserialization", "tensor 'a'", -1);
        rejects(file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1,2]}}", 1), "InvalidHeaderDeserialization", "tensor 'a'", -1);
        String h = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[-1,0]}}";
        rejects(file(h, 1), "InvalidHeaderDeserialization", "tensor 'a'", 8 + h.indexOf("-1"));
    }

    @Test
    void rejectsEntryWithMissingField() throws IOException {
        MalformedFileException e = rejects(file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1]}}", 1), "InvalidHeaderDeserialization", "tensor 'a'", -1);
        assertTrue(e.getMessage().contains("missing field 'data_offsets'"), e.getMessage());
        rejects(file("{\"a\":7}", 0), "InvalidHeaderDeserialization", "tensor 'a'", 8 + 5);
    }

    @Test
    void rejectsMetadataValueThatIsNotAString() throws IOException {
        // huggingface/safetensors#278: metadata values are strings only.
        String h = "{\"__metadata__\":{\"epochs\":3}}";
        MalformedFileException e = rejects(file(h, 0), "InvalidHeaderDeserialization", "__metadata__", 8 + h.indexOf('3'));
        assertTrue(e.getMessage().contains("'epochs'"), e.getMessage());
        rejects(file("{\"__metadata__\":[\"a\"]}", 0), "InvalidHeaderDeserialization", "__metadata__", -1);
    }

    @Test
    void rejectsLoneSurrogateEscape() throws IOException {
        rejects(file("{\"\\ud800\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}", 0), "lone surrogate", "header", -1);
    }

    // ---- Metadata::validate: offsets, sizes ----

    @Test
    void rejectsFirstTensorNotStartingAtZero() throws IOException {
        String h = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}";
        MalformedFileException e = rejects(file(h, 2), "InvalidOffset", "tensor 'a'", 8 + 1);
        assertTrue(e.getMessage().contains("gap of 1 bytes"), e.getMessage());
    }

    @Test
    void rejectsGapBetweenTensors() throws IOException {
        String h = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[2,3]}}";
        rejects(file(h, 3), "InvalidOffset", "tensor 'b'", 8 + h.indexOf("\"b\""));
    }

    @Test
    void rejectsOverlappingOffsets() throws IOException {
        String h = "{\"a\":{\"dtype\":\"U16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"U16\",\"shape\":[1],\"data_offsets\":[2,4]}}";
        MalformedFileException e = rejects(file(h, 4), "InvalidOffset", "tensor 'b'", 8 + h.indexOf("\"b\""));
        assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
    }

    @Test
    void rejectsEndBeforeBegin() throws IOException {
        String h = "{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,18446744073709551615]}}";
        // sorted by (begin, end): a [0,0], b [0, 2^64-1]; b ends beyond its begin but covers 2^64-1 bytes
        rejects(file(h, 0), "TensorInvalidInfo", "tensor 'b'", 8 + h.indexOf("\"b\""));
        String back = "{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"c\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[1,0]}}";
        MalformedFileException e = rejects(file(back, 1), "InvalidOffset", "tensor 'c'", 8 + back.indexOf("\"c\""));
        assertTrue(e.getMessage().contains("end before begin"), e.getMessage());
    }

    @Test
    void rejectsElementCountOverflowing64Bits() throws IOException {
        String h = "{\"a\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,1]}}";
        rejects(file(h, 1), "ValidationOverflow", "tensor 'a'", 8 + 1);
    }

    @Test
    void rejectsBitCountOverflowing64Bits() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F64\",\"shape\":[2305843009213693952],\"data_offsets\":[0,8]}}"; // 2^61 × 64 bits
        rejects(file(h, 8), "ValidationOverflow", "tensor 'a'", 8 + 1);
    }

    @Test
    void rejectsSubByteTensorNotEndingOnByteBoundary() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}";
        rejects(file(h, 2), "MisalignedSlice", "tensor 'a'", 8 + 1);
        String six = "{\"a\":{\"dtype\":\"F6_E2M3\",\"shape\":[2],\"data_offsets\":[0,2]}}";
        rejects(file(six, 2), "MisalignedSlice", "tensor 'a'", 8 + 1);
    }

    @Test
    void rejectsByteLengthOtherThanShapeTimesDtype() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}";
        MalformedFileException e = rejects(file(h, 20), "TensorInvalidInfo", "tensor 'a'", 8 + 1);
        assertTrue(e.getMessage().contains("needs 24"), e.getMessage());
    }

    @Test
    void rejectsDimensionAbove2To63() throws IOException {
        // The crate accepts [2^63, 0] (0 bytes); a Java long cannot hold the dimension, so this is refused by name.
        String h = "{\"a\":{\"dtype\":\"U8\",\"shape\":[0,9223372036854775808],\"data_offsets\":[0,0]}}";
        rejects(file(h, 0), "above 2^63-1", "tensor 'a'", 8 + 1);
    }

    @Test
    void rejectsBytesAfterTheLastTensor() throws IOException {
        String h = "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}";
        rejects(file(h, 3), "MetadataIncompleteBuffer", "byte buffer", 8 + h.length());
    }

    @Test
    void rejectsDataShorterThanTheTensors() throws IOException {
        String h = "{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}";
        rejects(file(h, 3), "MetadataIncompleteBuffer", "byte buffer", 8 + h.length());
    }

    // ---- the abuse cases ----

    @Test
    void rejects100000EntriesPointingAtOneRange() throws IOException {
        // attacks/safetensors_abuse_attempt_3.py: many tensors sharing one region ("allocation DOS").
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < 100_000; i++) {
            if (i > 0) b.append(',');
            b.append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}");
        }
        b.append('}');
        long t0 = System.nanoTime();
        rejects(file(b.toString(), 16), "InvalidOffset", "tensor 't1'", 8 + b.indexOf(",\"t1\"") + 1);
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "fails fast");
    }

    @Test
    void rejects200000NestedBrackets() throws IOException {
        String deep = "[".repeat(200_000);
        rejects(file(deep, 0), "InvalidHeaderDeserialization", "header", 8);
        // Inside an unknown field (which the crate skips), the depth limit stops the parser.
        String inField = "{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0],\"x\":" + deep + "}}";
        MalformedFileException e = rejects(file(inField, 0), "InvalidHeaderDeserialization", "header", -1);
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("nesting depth"), e.getMessage());
        String inMetadata = "{\"__metadata__\":" + deep + "}";
        rejects(file(inMetadata, 0), "InvalidHeaderDeserialization", "__metadata__", -1);
    }

    @Test
    void rejectsShapeWhoseElementCountOverflows() throws IOException {
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < 64; i++) dims.append(i == 0 ? "" : ",").append(3);
        String h = "{\"a\":{\"dtype\":\"BOOL\",\"shape\":[" + dims + "],\"data_offsets\":[0,1]}}";
        rejects(file(h, 1), "ValidationOverflow", "tensor 'a'", 8 + 1);
    }

    // ---- the index of a sharded set ----

    private Path index(String json) throws IOException {
        Path p = dir.resolve("m" + (files++) + ".safetensors.index.json");
        Files.writeString(p, json);
        return p;
    }

    private Path shard(String name, String header, long data) throws IOException {
        Path p = file(header, data);
        return Files.move(p, dir.resolve(name));
    }

    private static TensorFileException rejectsIndex(Path p, String what) { return rejectsIndex(p, p, what); }

    /** Opening the index {@code p} fails with a message that names {@code named} (the index, or a shard it lists). */
    private static TensorFileException rejectsIndex(Path p, Path named, String what) {
        return Hostile.assertRejected(TensorFileException.class, named, () -> new SafetensorsFormat().open(p, ReadLimits.DEFAULT), what);
    }

    @Test
    void rejectsShardPathOutsideTheIndexDirectory() throws IOException {
        rejectsIndex(index("{\"weight_map\":{\"a\":\"../x.safetensors\"}}"), "must not contain '..'");
        rejectsIndex(index("{\"weight_map\":{\"a\":\"/etc/x.safetensors\"}}"), "must be relative");
    }

    @Test
    void rejectsIndexTensorMissingFromItsShard() throws IOException {
        shard("s1.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);
        rejectsIndex(index("{\"weight_map\":{\"a\":\"s1.safetensors\",\"b\":\"s1.safetensors\"}}"), "does not hold it");
    }

    @Test
    void rejectsShardTensorMissingFromTheIndex() throws IOException {
        shard("s2.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"stray\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2);
        rejectsIndex(index("{\"weight_map\":{\"a\":\"s2.safetensors\"}}"), "does not list");
    }

    @Test
    void rejectsTensorInTwoShards() throws IOException {
        shard("s3.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);
        shard("s4.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);
        rejectsIndex(index("{\"weight_map\":{\"a\":\"s3.safetensors\",\"x\":\"s4.safetensors\"}}"), "in two shards");
    }

    @Test
    void rejectsDuplicateKeyInWeightMap() throws IOException {
        rejectsIndex(index("{\"weight_map\":{\"a\":\"s.safetensors\",\"a\":\"t.safetensors\"}}"), "Duplicate field 'a'");
    }

    @Test
    void rejectsIndexWithoutWeightMap() throws IOException {
        rejectsIndex(index("{\"metadata\":{\"total_size\":0}}"), "no weight_map");
    }

    @Test
    void rejectsMissingShardAndReleasesTheOthers() throws IOException {
        shard("s5.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);
        Path index = index("{\"weight_map\":{\"a\":\"s5.safetensors\",\"b\":\"s6.safetensors\"}}");
        TensorFileException e = rejectsIndex(index, dir.resolve("s6.safetensors"), "no such file");
        assertInstanceOf(TensorFileException.class, e);
    }
}
