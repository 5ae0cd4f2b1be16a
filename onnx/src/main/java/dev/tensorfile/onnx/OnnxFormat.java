package dev.tensorfile.onnx;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFormat;
import dev.tensorfile.core.TensorWriter;
import dev.tensorfile.core.WriteOptions;
import dev.tensorfile.core.WriteRequest;
import dev.tensorfile.onnx.initializers.DataType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The ONNX format ({@code .onnx}): a lazy, zero-copy reader of models of any size and a streaming writer.
 *
 * <pre>{@code
 * try (TensorFile model = TensorFiles.open(Path.of("model.onnx"))) {
 *     model.details().forEach(System.out::println);            // IR version, opsets, inputs, outputs, ops
 *     Tensor w = model.tensor("fc1.weight");                    // raw_data or external data: a view of the mapping
 * }
 * }</pre>
 *
 * <p>Writer options ({@link WriteOptions}): {@link WriteOptions#EXTERNAL_DATA} ({@code true}: tensor data to
 * {@code OUT.data}, each tensor at an offset aligned to 64 bytes, 4096 for tensors of 1 MiB or more). When the
 * {@link WriteRequest}'s source is an ONNX model, the model is copied as it is from the open file and only data
 * placement and {@code metadata_props} are rewritten; a requested dtype is then refused (the graph declares its
 * types).
 */
public final class OnnxFormat implements TensorFormat {
    /** Creates the format; found by {@link java.util.ServiceLoader}. */
    public OnnxFormat() {}

    @Override public String name() { return OnnxFile.FORMAT; }

    @Override public List<String> extensions() { return List.of(".onnx"); }

    /**
     * Protobuf has no magic number. Content says ONNX when the file starts with a ModelProto field that a
     * serializer emits first ({@code ir_version}: field 1 varint, a value in [1, 100]) and the next few fields
     * parse as ModelProto fields with sensible wire types; otherwise the {@code .onnx} name is the only hint.
     */
    @Override
    public Recognition recognize(Path path, MemorySegment content) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean byName = name.endsWith(".onnx");
        // A TensorFlow SavedModel starts as a model does (field 1, a small varint: its schema version; field 2, a
        // message); its fixed name says which it is.
        if (name.equals("saved_model.pb")) return Recognition.NO;
        if (looksLikeModel(content)) return Recognition.CONTENT;
        return byName ? Recognition.NAME : Recognition.NO;
    }

    static boolean looksLikeModel(MemorySegment content) {
        long size = content.byteSize();
        if (size < 2 || content.get(ValueLayout.JAVA_BYTE, 0) != 0x08) return false;
        int ir = content.get(ValueLayout.JAVA_BYTE, 1);
        if (ir < 1 || ir > 100) return false;
        long at = 2;
        // the next fields (up to four) must be ModelProto fields of their declared wire types
        for (int i = 0; i < 4 && at < size; i++) {
            int key = content.get(ValueLayout.JAVA_BYTE, at++) & 0xFF;
            if (key >= 0x80) {
                if (at >= size) return false;
                int hi = content.get(ValueLayout.JAVA_BYTE, at++) & 0xFF;
                if (hi >= 0x80) return false;
                key = (key & 0x7F) | hi << 7;
            }
            int field = key >>> 3;
            int wire = key & 7;
            boolean varint = field == 5;
            boolean len = field == 2 || field == 3 || field == 4 || field == 6 || field == 7 || field == 8
                    || field == 14 || field == 20 || field == 25 || field == 26;
            if (varint && wire == 0) {
                while (at < size && content.get(ValueLayout.JAVA_BYTE, at) < 0) at++;
                at++;
            } else if (len && wire == 2) {
                long n = 0;
                int shift = 0;
                while (true) {
                    if (at >= size || shift > 63) return false;
                    int b = content.get(ValueLayout.JAVA_BYTE, at++);
                    n |= (long) (b & 0x7F) << shift;
                    if (b >= 0) break;
                    shift += 7;
                }
                if (n < 0 || n > size - at) return false;
                at += n;
            } else {
                return false;
            }
        }
        return at <= size;
    }

    @Override
    public TensorFile open(Path path, ReadLimits limits) {
        return OnnxFile.open(path, limits);
    }

    /** Opens a remote model; external data is resolved against its URL (see {@code OnnxFile.open(RemoteFile, ...)}). */
    @Override
    public TensorFile open(dev.tensorfile.core.spi.RemoteFile file, ReadLimits limits) {
        return OnnxFile.open(file, limits);
    }

    @Override public boolean canWrite() { return true; }

    @Override
    public boolean canStore(DType type) {
        return DataType.of(type) != null;
    }

    @Override
    public TensorWriter newWriter(Path destination, WriteOptions options) {
        return OnnxWriter.create(WriteRequest.of(destination, options));
    }

    @Override
    public TensorWriter newWriter(WriteRequest request) {
        return OnnxWriter.create(request);
    }
}
