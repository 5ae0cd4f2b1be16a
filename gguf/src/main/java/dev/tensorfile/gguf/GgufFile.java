package dev.tensorfile.gguf;

import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.SegmentTensor;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One open GGUF file: its header read and validated, tensors as views of the mapping. Tensors of a little-endian
 * file, and single-byte and block-quantized tensors of any file, are zero-copy views; multi-byte scalars of a
 * big-endian file are byte-swapped on read ({@link ByteSwappedTensor}).
 */
final class GgufFile implements TensorFile {
    private final MappedFile mapped;
    private final GgufHeader header;
    private final List<Tensor> tensors;
    private final Map<String, Tensor> byName;

    private GgufFile(MappedFile mapped, GgufHeader header) {
        this.mapped = mapped;
        this.header = header;
        List<Tensor> list = new ArrayList<>(header.tensors().size());
        Map<String, Tensor> names = new HashMap<>();
        boolean swapped = header.order() == ByteOrder.BIG_ENDIAN;
        for (GgufTensorInfo t : header.tensors()) {
            TensorInfo info = t.info();
            var data = mapped.segment().asSlice(header.dataStart() + t.offset(), info.byteLength());
            Tensor tensor = swapped && ByteSwappedTensor.needsSwap(info) ? new ByteSwappedTensor(info, data, mapped)
                    : new SegmentTensor(info, data, mapped);
            list.add(tensor);
            names.put(info.name(), tensor);
        }
        this.tensors = Collections.unmodifiableList(list);
        this.byName = names;
    }

    /** Maps and reads {@code path}; the mapping is released if the header is bad. */
    static GgufFile open(Path path, ReadLimits limits) {
        MappedFile mapped = MappedFile.open(path, GgufFormat.NAME);
        try {
            return new GgufFile(mapped, GgufHeader.read(mapped, limits));
        } catch (RuntimeException | Error e) {
            mapped.close();
            throw e;
        }
    }

    GgufHeader header() { return header; }

    @Override public Path path() { return mapped.path(); }
    @Override public String format() { return GgufFormat.NAME; }
    @Override public Metadata metadata() { return header.metadata(); }
    @Override public List<Tensor> tensors() { return tensors; }
    @Override public Optional<Tensor> find(String name) { return Optional.ofNullable(byName.get(name)); }

    @Override
    public List<String> details() {
        List<String> lines = new ArrayList<>();
        lines.add("GGUF v" + header.version() + ", " + (header.order() == ByteOrder.BIG_ENDIAN
                ? "big-endian (multi-byte scalar tensors are byte-swapped on read)" : "little-endian")
                + ", alignment " + header.alignment() + ", tensor data at byte " + header.dataStart());
        return lines;
    }

    /** Reads every tensor end to end and decodes every metadata value, lazy arrays included. */
    @Override
    public void verify() {
        TensorFile.super.verify();
        Deque<MetadataValue> pending = new ArrayDeque<>(metadata().asMap().values());
        while (!pending.isEmpty()) {
            if (pending.pop() instanceof MetadataValue.Array a) {
                for (MetadataValue v : a.values()) if (v instanceof MetadataValue.Array) pending.push(v);
            }
        }
    }

    @Override
    public void close() { mapped.close(); }

    @Override public String toString() { return "GgufFile[" + path() + "]"; }
}
