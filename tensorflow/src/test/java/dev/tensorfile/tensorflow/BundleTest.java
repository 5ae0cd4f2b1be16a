package dev.tensorfile.tensorflow;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.UnsupportedEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.tensorfile.tensorflow.Bundles.KV;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bundle features the fixtures do not have, on hand-built bundles: many blocks, shards, byte order, types, slices. */
class BundleTest {
    @TempDir Path dir;

    @Test
    void manyTensorsOverSnappyBlocksWithSharedPrefixes() {
        List<KV> kvs = new ArrayList<>();
        kvs.add(new KV(new byte[0], Bundles.header(1, 0)));
        ByteArrayOutputStream shard = new ByteArrayOutputStream();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 500; i++) names.add(String.format("model/layer_%03d/kernel", i));
        for (String n : names) {
            byte[] d = Bundles.floats(names.indexOf(n), -names.indexOf(n));
            kvs.add(KV.of(n, Bundles.entry(1, new long[] {2}, 0, shard.size(), d.length, Bundles.maskedCrc(d))));
            shard.writeBytes(d);
        }
        Path prefix = Bundles.write(dir, "ckpt", Bundles.table(kvs, 37, 16, true), shard.toByteArray());
        try (TensorFile f = TensorFiles.open(prefix)) {
            assertEquals(names, f.tensors().stream().map(Tensor::name).toList());
            float[] v = new float[2];
            f.tensor("model/layer_321/kernel").readFloats(0, v, 0, 2);
            assertArrayEquals(new float[] {321, -321}, v);
            assertDoesNotThrow(f::verify);
        }
    }

    @Test
    void tensorsSpreadOverShardsReadFromTheirOwn() {
        byte[] a = Bundles.floats(1, 2);
        byte[] b = Bundles.floats(3);
        List<KV> kvs = List.of(new KV(new byte[0], Bundles.header(2, 0)),
                KV.of("a", Bundles.entry(1, new long[] {2}, 0, 0, 8, Bundles.maskedCrc(a))),
                KV.of("b", Bundles.entry(1, new long[] {}, 1, 4, 4, Bundles.maskedCrc(b))));
        Path prefix = Bundles.write(dir, "ckpt", Bundles.table(kvs, 8, 4, false), a, Bundles.concat(new byte[4], b));
        try (TensorFile f = TensorFiles.open(prefix)) {
            float[] v = new float[1];
            f.tensor("b").readFloats(0, v, 0, 1);
            assertEquals(3f, v[0]);
            assertEquals(Shape.scalar(), f.tensor("b").shape());
            assertDoesNotThrow(f::verify);
        }
    }

    @Test
    void bigEndianBundleReadsLittleEndian() {
        byte[] be = {0x3f, (byte) 0x80, 0, 0, 0x40, 0, 0, 0}; // 1.0f, 2.0f big-endian
        List<KV> kvs = List.of(new KV(new byte[0], Bundles.header(1, 1)),
                KV.of("w", Bundles.entry(1, new long[] {2}, 0, 0, 8, Bundles.maskedCrc(be))));
        Path prefix = Bundles.write(dir, "ckpt", Bundles.table(kvs, 8, 4, false), be);
        try (TensorFile f = TensorFiles.open(prefix)) {
            Tensor w = f.tensor("w");
            assertFalse(w.isView());
            float[] v = new float[2];
            w.readFloats(0, v, 0, 2);
            assertArrayEquals(new float[] {1f, 2f}, v);
            assertEquals("BIG", f.metadata().getString("tensorflow.bundle.endianness").orElseThrow());
            assertDoesNotThrow(f::verify);
        }
    }

    /** {@code WriteStringTensor}'s layout: varint lengths, their masked CRC (uint32 each), the bytes. */
    @Test
    void stringTensorsReadAsStrings() {
        byte[] lengths = Bundles.concat(Bundles.varintBytes(2), Bundles.varintBytes(0), Bundles.varintBytes(5));
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        for (int n : new int[] {2, 0, 5}) crc.update(Bundles.u32(n));
        byte[] check = Bundles.u32(Crc32c.mask((int) crc.getValue()) & 0xFFFFFFFFL);
        crc.update(check);
        byte[] text = "hiworld".getBytes(StandardCharsets.US_ASCII);
        crc.update(text);
        byte[] data = Bundles.concat(lengths, check, text);
        List<KV> kvs = List.of(new KV(new byte[0], Bundles.header(1, 0)),
                KV.of("vocab", Bundles.entry(7, new long[] {3}, 0, 0, data.length, Crc32c.mask((int) crc.getValue()))));
        Path prefix = Bundles.write(dir, "ckpt", Bundles.table(kvs, 8, 4, false), data);
        try (TensorFile f = TensorFiles.open(prefix)) {
            assertEquals(DType.STRING, f.tensor("vocab").dtype());
            assertEquals(List.of("hi", "", "world"), f.tensor("vocab").strings());
            assertDoesNotThrow(f::verify);
        }
    }

    @Test
    void everyDataTypeWithADTypeMapsAndTheOthersAreListed() {
        int[] mapped = {1, 2, 3, 4, 5, 6, 8, 9, 10, 14, 17, 18, 19, 22, 23, 24, 25, 26, 28};
        int[] unmapped = {11, 12, 13, 15, 16, 20, 21, 27, 29, 30, 31, 32};
        List<KV> kvs = new ArrayList<>();
        kvs.add(new KV(new byte[0], Bundles.header(1, 0)));
        byte[] zeros = new byte[16];
        List<String> names = new ArrayList<>();
        for (int code : mapped) names.add(String.format("m%02d", code));
        for (int code : unmapped) names.add(String.format("u%02d", code));
        for (String n : names) {
            int code = Integer.parseInt(n.substring(1));
            DataType t = DataType.of(code);
            long size = t.dtype == null ? 1 : t.dtype.blockBytes();
            kvs.add(KV.of(n, Bundles.entry(code, new long[] {}, 0, 0, size, Bundles.maskedCrc(new byte[(int) size]))));
        }
        Path prefix = Bundles.write(dir, "ckpt", Bundles.table(kvs, 64, 8, false), zeros);
        try (TensorFile f = TensorFiles.open(prefix)) {
            assertEquals(mapped.length, f.tensors().size());
            assertEquals(DType.F8_E4M3, f.tensor("m25").dtype());
            assertEquals(DType.F16, f.tensor("m19").dtype());
            assertEquals(DType.BF16, f.tensor("m14").dtype());
            List<String> listed = f.unsupported().stream().map(UnsupportedEntry::name).toList();
            assertEquals(names.subList(mapped.length, names.size()), listed);
            assertTrue(f.unsupported().getFirst().description().startsWith("DT_QINT8"), f.unsupported().getFirst().description());
            assertDoesNotThrow(f::verify);
        }
    }

    /** A partitioned variable lists its slices; they are reported, not dropped (and not assembled). */
    @Test
    void partitionedVariablesAreReported() {
        byte[] slice = new Bundles.Proto().message(1, new Bundles.Proto().varint(1, 0).varint(2, 2)).toBytes();
        byte[] whole = new Bundles.Proto().varint(1, 1).message(2, new Bundles.Proto().message(2, new Bundles.Proto().varint(1, 4)))
                .bytes(7, slice).bytes(7, slice).toBytes();
        byte[] sliceKey = {0, 'v', 0, 1};
        byte[] data = Bundles.floats(1, 2);
        List<KV> kvs = List.of(new KV(new byte[0], Bundles.header(1, 0)),
                new KV(sliceKey, Bundles.entry(1, new long[] {2}, 0, 0, 8, Bundles.maskedCrc(data))),
                KV.of("v", whole));
        Path prefix = Bundles.write(dir, "ckpt", Bundles.table(kvs, 8, 4, false), data);
        try (TensorFile f = TensorFiles.open(prefix)) {
            assertTrue(f.tensors().isEmpty());
            assertEquals(1, f.unsupported().size());
            assertEquals("v", f.unsupported().getFirst().name());
            assertTrue(f.unsupported().getFirst().description().contains("2 slices"), f.unsupported().getFirst().description());
        }
    }
}
