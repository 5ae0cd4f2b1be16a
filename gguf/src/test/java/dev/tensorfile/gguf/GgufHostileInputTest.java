package dev.tensorfile.gguf;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.testframework.Hostile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per rule of the issue's "Bad input" list (and ggml's reader), each on a hand-made file: the error is
 * typed, one line, and names the file, the structure and the byte offset. Runs with {@code -Xmx64m -Xss512k}: a
 * count that claims more than the file holds must fail before anything is allocated, and nesting cannot overflow
 * the stack.
 */
class GgufHostileInputTest {
    /** Header: magic, version, tensor count, key/value count. */
    private static final int HEADER = 24;

    @TempDir
    Path dir;

    private <T extends TensorFileException> T rejects(Class<T> type, RawGguf bytes, String... fragments) {
        return rejects(type, bytes, ReadLimits.DEFAULT, fragments);
    }

    private <T extends TensorFileException> T rejects(Class<T> type, RawGguf bytes, ReadLimits limits,
            String... fragments) {
        Path file = bytes.writeTo(dir.resolve("bad.gguf"));
        return Hostile.assertRejected(type, file, () -> new GgufFormat().open(file, limits).close(), fragments);
    }

    @Test
    void rejectsTensorCountLargerThanTheFile() {
        MalformedFileException e = rejects(MalformedFileException.class, RawGguf.v3(1L << 40, 0),
                "header at byte 8", "tensor count 1099511627776 needs at least");
        assertEquals(8, e.offset());
    }

    @Test
    void rejectsKeyCountLargerThanTheFile() {
        rejects(MalformedFileException.class, RawGguf.v3(0, 1L << 40), "header at byte 16",
                "key/value count 1099511627776 needs at least");
    }

    @Test
    void rejectsCountsAbove2To63() {
        rejects(MalformedFileException.class, RawGguf.v3(-1, 0), "header at byte 8",
                "tensor count 18446744073709551615 is larger than 2^63-1");
    }

    @Test
    void rejectsStringLengthBeyondTheFile() {
        rejects(MalformedFileException.class, RawGguf.v3(0, 1).u64(1L << 40).zeros(8),
                "key/value #0 at byte " + HEADER, "key length 1099511627776 needs 1099511627776 bytes but only 8 remain");
    }

    @Test
    void rejectsArrayLengthBeyondTheFile() {
        // key "a" (8 + 1 bytes), type ARRAY (4), element type UINT32 (4), then the count.
        rejects(MalformedFileException.class,
                RawGguf.v3(0, 1).str("a").u32(RawGguf.ARRAY).u32(RawGguf.UINT32).u64(1L << 40).zeros(16),
                "key/value #0 ('a') at byte " + (HEADER + 17), "array of 1099511627776 UINT32 elements needs at least");
    }

    @Test
    void rejectsStringArrayLengthBeyondTheFile() {
        rejects(MalformedFileException.class,
                RawGguf.v3(0, 1).str("a").u32(RawGguf.ARRAY).u32(RawGguf.STRING).u64(1L << 30).zeros(64),
                "key/value #0 ('a') at byte " + (HEADER + 17), "array of 1073741824 STRING elements needs at least");
    }

    @Test
    void rejectsStringLengthInsideAnArrayBeyondTheFile() {
        rejects(MalformedFileException.class,
                RawGguf.v3(0, 1).str("a").u32(RawGguf.ARRAY).u32(RawGguf.STRING).u64(1).u64(1000).zeros(4),
                "key/value #0 ('a') at byte " + (HEADER + 25), "string length 1000 needs 1000 bytes but only 4 remain");
    }

    @Test
    void rejectsMoreThanFourDimensions() {
        rejects(MalformedFileException.class,
                RawGguf.v3(1, 0).tensor("w", RawGguf.F32, 0, 1, 1, 1, 1, 1).pad(32).zeros(32),
                "tensor info #0 ('w') at byte " + (HEADER + 9), "n_dims 5 exceeds GGML_MAX_DIMS (4)");
    }

    @Test
    void rejectsDimensionsThatOverflow() {
        rejects(MalformedFileException.class,
                RawGguf.v3(1, 0).tensor("w", RawGguf.F32, 0, 1L << 40, 1L << 40).pad(32),
                "tensor info #0 ('w') at byte " + (HEADER + 9), "overflow a 64-bit byte size");
    }

    @Test
    void rejectsDimensionsLargerThanTheData() {
        RawGguf b = RawGguf.v3(1, 0).tensor("w", RawGguf.F32, 0, 1L << 20, 1L << 20);
        int offsetField = b.size() - 8;
        rejects(MalformedFileException.class, b.pad(32).zeros(64),
                "tensor info #0 ('w') at byte " + offsetField, "of 4398046511104 bytes lies outside the file");
    }

    @Test
    void rejectsUnknownValueType() {
        rejects(MalformedFileException.class, RawGguf.v3(0, 1).str("a").u32(13).u32(0),
                "key/value #0 ('a') at byte " + (HEADER + 9), "unknown metadata value type 13");
    }

    @Test
    void rejectsUnknownGgmlType() {
        RawGguf b = RawGguf.v3(1, 0).str("w").u32(1).u64(4);
        int typeAt = b.size();
        rejects(UnsupportedFeatureException.class, b.u32(99).u64(0).pad(32).zeros(32),
                "tensor info #0 ('w') at byte " + typeAt, "unknown ggml type 99");
    }

    @Test
    void rejectsRemovedGgmlType() {
        rejects(UnsupportedFeatureException.class, RawGguf.v3(1, 0).tensor("w", 4, 0, 32).pad(32).zeros(32),
                "tensor info #0 ('w') at byte", "ggml type 4 (Q4_2) was removed from ggml");
    }

    @Test
    void rejectsMisalignedOffset() {
        RawGguf b = RawGguf.v3(1, 0).tensor("w", RawGguf.F32, 4, 4);
        int offsetField = b.size() - 8;
        rejects(MalformedFileException.class, b.pad(32).zeros(64),
                "tensor info #0 ('w') at byte " + offsetField, "offset 4 is not a multiple of the alignment 32");
    }

    @Test
    void rejectsOverlappingOffsets() {
        RawGguf b = RawGguf.v3(2, 0).tensor("a", RawGguf.F32, 0, 16).tensor("b", RawGguf.F32, 32, 16);
        int offsetField = b.size() - 8;
        rejects(MalformedFileException.class, b.pad(32).zeros(128),
                "tensor info #1 ('b') at byte " + offsetField, "overlaps the data of tensor 'a' at [0, 64)");
    }

    @Test
    void rejectsDataOutsideTheFile() {
        RawGguf b = RawGguf.v3(1, 0).tensor("w", RawGguf.F32, 0, 100);
        int offsetField = b.size() - 8;
        rejects(MalformedFileException.class, b.pad(32).zeros(16),
                "tensor info #0 ('w') at byte " + offsetField, "data [64, 464) of 400 bytes lies outside the file of 80 bytes");
    }

    @Test
    void rejectsDuplicateKeys() {
        RawGguf b = RawGguf.v3(0, 2).kvU32("k", 1);
        int second = b.size();
        rejects(MalformedFileException.class, b.kvU32("k", 2), "key/value #1 ('k') at byte " + second,
                "duplicate key 'k'");
    }

    @Test
    void rejectsDuplicateTensorNames() {
        RawGguf b = RawGguf.v3(2, 0).tensor("w", RawGguf.F32, 0, 8);
        int second = b.size();
        rejects(MalformedFileException.class, b.tensor("w", RawGguf.F32, 32, 8).pad(32).zeros(64),
                "tensor info #1 at byte " + second, "duplicate tensor name 'w'");
    }

    @Test
    void rejectsNonPowerOfTwoAlignment() {
        rejects(MalformedFileException.class, RawGguf.v3(0, 1).kvU32("general.alignment", 48),
                "key/value 'general.alignment' at byte " + HEADER, "alignment 48 is not a power of two");
    }

    @Test
    void rejectsAlignmentThatIsNotUint32() {
        rejects(MalformedFileException.class,
                RawGguf.v3(0, 1).str("general.alignment").u32(RawGguf.UINT64).u64(64),
                "key/value 'general.alignment' at byte " + HEADER, "must be UINT32, not UINT64");
    }

    @Test
    void rejectsRowLengthNotAMultipleOfTheBlock() {
        int dimsAt = HEADER + 8 + 1; // after the name "q": n_dims
        rejects(MalformedFileException.class,
                RawGguf.v3(1, 0).tensor("q", RawGguf.Q8_0, 0, 33, 2).pad(32).zeros(96),
                "tensor info #0 ('q') at byte " + dimsAt, "row length ne[0] = 33 is not a multiple of the 32-element Q8_0 block");
    }

    @Test
    void rejectsDeeplyNestedArrays() {
        // 100,000 arrays, each the only element of the one before: a recursive reader would overflow the stack.
        RawGguf b = RawGguf.v3(0, 1).str("deep").u32(RawGguf.ARRAY);
        for (int i = 0; i < 100_000; i++) b.u32(RawGguf.ARRAY).u64(1);
        b.u32(RawGguf.UINT8).u64(0);
        rejects(MalformedFileException.class, b, "key/value #0 ('deep') at byte",
                "arrays nested 257 deep exceed the limit of 256");
        // With the limit lifted the walk is iterative: it reaches the end without a StackOverflowError.
        Path file = dir.resolve("deep.gguf");
        b.writeTo(file);
        try (TensorFile f = new GgufFormat().open(file, ReadLimits.DEFAULT.withMaxNestingDepth(200_000))) {
            MetadataValue.Array a = (MetadataValue.Array) f.metadata().get("deep").orElseThrow();
            assertEquals(1, a.size());
        }
    }

    @Test
    void rejectsLegacyGgmlMagic() {
        rejects(UnsupportedFeatureException.class, new RawGguf().bytes("lmgg".getBytes(StandardCharsets.US_ASCII)).zeros(16),
                "header at byte 0", "GGML (unversioned) file, the llama.cpp format before GGUF");
    }

    @Test
    void rejectsLegacyGgmfMagic() {
        rejects(UnsupportedFeatureException.class, new RawGguf().bytes("fmgg".getBytes(StandardCharsets.US_ASCII)).u32(1).zeros(16),
                "header at byte 0", "GGMF v1 file, the llama.cpp format before GGUF");
    }

    @Test
    void rejectsLegacyGgjtMagic() {
        rejects(UnsupportedFeatureException.class, new RawGguf().bytes("tjgg".getBytes(StandardCharsets.US_ASCII)).u32(3).zeros(16),
                "header at byte 0", "GGJT v3 file, the llama.cpp format before GGUF");
    }

    @Test
    void rejectsUnsupportedVersion() {
        rejects(UnsupportedFeatureException.class,
                new RawGguf().bytes("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(4).u64(0).u64(0),
                "header at byte 4", "GGUF version 4 is not supported");
    }

    @Test
    void rejectsTruncatedHeader() {
        rejects(MalformedFileException.class, new RawGguf().bytes("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(3).u32(0),
                "header at byte 8", "needs 8 bytes but only 4 remain");
    }

    @Test
    void rejectsWrongMagic() {
        rejects(MalformedFileException.class, new RawGguf().bytes("GGUX".getBytes(StandardCharsets.US_ASCII)).zeros(20),
                "header at byte 0", "is not \"GGUF\"");
    }

    @Test
    void rejectsInvalidUtf8() {
        rejects(MalformedFileException.class, RawGguf.v3(0, 1).u64(2).bytes(new byte[] {(byte) 0xC3, 0x28}).u32(0).u8(0),
                "key/value #0 at byte " + (HEADER + 8), "string of 2 bytes is not valid UTF-8");
    }

    @Test
    void rejectsEmptyKey() {
        rejects(MalformedFileException.class, RawGguf.v3(0, 1).str("").u32(RawGguf.UINT8).u8(0),
                "key/value #0 at byte " + HEADER, "empty key");
    }

    @Test
    void rejectsHeaderLargerThanTheLimit() {
        RawGguf b = RawGguf.v3(0, 20);
        for (int k = 0; k < 20; k++) b.kvU32("key" + k, k);
        ReadLimits small = new ReadLimits(100, 256, 1 << 20, 1000, 1 << 20, 1);
        rejects(MalformedFileException.class, b, small, "key/value #", "the header exceeds the limit of 100 bytes");
    }

    @Test
    void rejectsBlockTypeThatNoToolStoresBigEndian() {
        // Q5_K (13): gguf_convert_endian.py cannot convert it, so which of its bytes would be swapped is undefined.
        RawGguf b = new RawGguf(java.nio.ByteOrder.BIG_ENDIAN).bytes("GGUF".getBytes(StandardCharsets.US_ASCII))
                .u32(3).u64(1).u64(0).str("w").u32(1).u64(256);
        int typeAt = b.size();
        rejects(UnsupportedFeatureException.class, b.u32(13).u64(0).pad(32).zeros(176),
                "tensor info #0 ('w') at byte " + typeAt, "Q5_K data in a big-endian file is not supported");
    }

    @Test
    void rejectsIncompleteSplitSet() {
        RawGguf b = RawGguf.v3(0, 3).str("split.no").u32(RawGguf.UINT16).u16(0)
                .str("split.count").u32(RawGguf.UINT16).u16(2)
                .str("split.tensors.count").u32(RawGguf.INT32).u32(0);
        Path first = b.writeTo(dir.resolve("m-00001-of-00002.gguf"));
        Hostile.assertRejected(MalformedFileException.class, first, () -> new GgufFormat().open(first, ReadLimits.DEFAULT).close(),
                "split set: shard 2 of 2 (m-00002-of-00002.gguf) is missing");
    }
}
