package dev.tensorfile.benchmarks;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.TensorWriter;
import dev.tensorfile.core.WriteOptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Models the ONNX benchmarks read, written in their set-up. */
final class OnnxModels {
    private OnnxModels() {}

    /** A weights-only model (our writer) of {@code count} F32 initializers as raw_data, about {@code totalBytes}. */
    static Path embedded(int count, long totalBytes) throws IOException {
        Path file = Files.createTempFile("model-", ".onnx");
        long rows = Math.max(1, totalBytes / count / 4 / 256);
        List<TensorInfo> tensors = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            tensors.add(TensorInfo.of("layers." + i / 8 + ".block." + i % 8 + ".weight", DType.F32, Shape.of(rows, 256)));
        }
        byte[] bytes = new byte[(int) (rows * 256 * 4)];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (i * 31);
        MemorySegment data = MemorySegment.ofArray(bytes);
        try (TensorWriter w = TensorFiles.format("onnx").orElseThrow().newWriter(file, new WriteOptions(Map.of()))) {
            for (TensorInfo t : w.declare(Metadata.empty(), tensors)) w.write(t.name(), data);
        }
        return file;
    }

    /**
     * A model of two typed initializers as onnx.helper.make_tensor writes them (packed repeated fields):
     * {@code float_data} of {@code n} floats and {@code int64_data} of {@code n} values below 2^20 (varints of 1
     * to 3 bytes, as shapes, indices and token ids are).
     */
    static Path typed(int n) throws IOException {
        Path file = Files.createTempFile("typed-", ".onnx");
        Proto fd = new Proto();
        for (int i = 0; i < n; i++) fd.fixed32(Float.floatToRawIntBits(i * 0.001f));
        Proto floats = new Proto().varint(1, n).varint(2, 1).string(8, "float_data").bytes(4, fd);
        Proto ld = new Proto();
        for (int i = 0; i < n; i++) ld.rawVarint((i * 2654435761L) & 0xFFFFF);
        Proto longs = new Proto().varint(1, n).varint(2, 7).string(8, "int64_data").bytes(7, ld);
        Proto graph = new Proto().string(2, "typed").bytes(5, floats).bytes(5, longs);
        Proto model = new Proto().varint(1, 8).bytes(7, graph).bytes(8, new Proto().string(1, "").varint(2, 13));
        try (OutputStream out = Files.newOutputStream(file)) {
            model.out.writeTo(out);
        }
        return file;
    }

    /** A protobuf message built in memory (protobuf.dev, Encoding), for set-up only. */
    static final class Proto {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto rawVarint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Proto varint(int field, long v) { return rawVarint((long) field << 3).rawVarint(v); }

        Proto fixed32(int v) {
            for (int i = 0; i < 4; i++) out.write(v >>> (8 * i));
            return this;
        }

        Proto bytes(int field, Proto body) {
            rawVarint((long) field << 3 | 2).rawVarint(body.out.size());
            out.writeBytes(body.out.toByteArray());
            return this;
        }

        Proto string(int field, String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            rawVarint((long) field << 3 | 2).rawVarint(b.length);
            out.writeBytes(b);
            return this;
        }
    }
}
