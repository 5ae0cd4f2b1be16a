package dev.tensorfile.hdf5;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.TensorSink;
import dev.tensorfile.core.TensorWriter;
import dev.tensorfile.core.ValueType;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Tensors and metadata the writer tests write: every storable type, groups, edge shapes; data is seeded noise. */
final class WriterSamples {
    private WriterSamples() {}

    /** Every type the HDF5 writer stores, nested groups, a scalar, empty and edge-chunked shapes. */
    static Map<TensorInfo, byte[]> tensors() {
        Map<TensorInfo, byte[]> m = new LinkedHashMap<>();
        Random r = new Random(7);
        DType[] types = {DType.F64, DType.F32, DType.F16, DType.BF16, DType.F8_E4M3, DType.F8_E5M2, DType.F8_E4M3FNUZ,
                DType.F8_E5M2FNUZ, DType.I64, DType.I32, DType.I16, DType.I8, DType.U64, DType.U32, DType.U16, DType.U8};
        for (DType t : types) put(m, r, "types/" + t.name().toLowerCase(java.util.Locale.ROOT), t, 3, 5);
        byte[] bools = {1, 0, 0, 1, 1, 0, 1};
        m.put(TensorInfo.of("types/bool", DType.BOOL, Shape.of(7)), bools);
        put(m, r, "model/dense/kernel:0", DType.F32, 17, 9);
        put(m, r, "model/dense/bias:0", DType.F32, 9);
        put(m, r, "deep/a/b/c/d/e/weights", DType.F16, 2, 3, 4);
        // rows longer than a 64-byte test chunk: chunk grids over two and three dimensions, with edge chunks
        put(m, r, "grid/wide_rows", DType.F32, 3, 40);
        put(m, r, "grid/three_d", DType.I16, 2, 3, 41);
        put(m, r, "scalar", DType.F64);
        put(m, r, "empty_rows", DType.F32, 0, 4);
        put(m, r, "empty", DType.I64, 0);
        return m;
    }

    static void put(Map<TensorInfo, byte[]> m, Random r, String name, DType t, long... dims) {
        TensorInfo info = TensorInfo.of(name, t, Shape.of(dims));
        byte[] b = new byte[(int) info.byteLength()];
        r.nextBytes(b);
        m.put(info, b);
    }

    /** Metadata of every value type, at the root and on a group and a dataset. */
    static Metadata metadata() {
        return Metadata.builder()
                .put("title", "tensorfile writer test — ünïcode")
                .put("u8", new MetadataValue.Int(ValueType.U8, 200))
                .put("i8", new MetadataValue.Int(ValueType.I8, -100))
                .put("u16", new MetadataValue.Int(ValueType.U16, 60000))
                .put("i16", new MetadataValue.Int(ValueType.I16, -30000))
                .put("u32", new MetadataValue.Int(ValueType.U32, 4_000_000_000L))
                .put("i32", new MetadataValue.Int(ValueType.I32, -2_000_000_000))
                .put("u64", new MetadataValue.Int(ValueType.U64, -1L))
                .put("i64", new MetadataValue.Int(ValueType.I64, Long.MIN_VALUE))
                .put("f32", new MetadataValue.F32(1.5f))
                .put("f64", new MetadataValue.F64(-2.25e-300))
                .put("flag", new MetadataValue.Bool(true))
                .put("names", new MetadataValue.Array(ValueType.STRING, List.of(new MetadataValue.Str("dense"), new MetadataValue.Str("dropout"))))
                .put("sizes", new MetadataValue.Array(ValueType.I32, List.of(new MetadataValue.Int(ValueType.I32, 3), new MetadataValue.Int(ValueType.I32, -4))))
                .put("model@layer_names", new MetadataValue.Array(ValueType.STRING, List.of(new MetadataValue.Str("dense"))))
                .put("model/dense/kernel:0@unit", "m/s")
                .put("a/b", "a root attribute whose name has a slash")
                .put("e@", "a root attribute whose name ends in @")
                .build();
    }

    /** Writes {@code tensors} through {@code w}, each in pieces of 13 bytes so sink boundaries fall anywhere. */
    static void write(TensorWriter w, Metadata metadata, Map<TensorInfo, byte[]> tensors) {
        try (w) {
            for (TensorInfo t : w.declare(metadata, List.copyOf(tensors.keySet()))) {
                byte[] data = tensors.get(t);
                try (TensorSink sink = w.open(t.name())) {
                    for (int at = 0; at < data.length; at += 13) {
                        sink.write(MemorySegment.ofArray(data).asSlice(at, Math.min(13, data.length - at)));
                    }
                }
            }
        }
    }

    static Path writeHdf5(Path file, Hdf5Writer w) {
        write(w, metadata(), tensors());
        return file;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
