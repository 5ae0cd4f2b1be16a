package dev.tensorfile.core;

import dev.tensorfile.core.spi.AbstractTensorWriter;
import dev.tensorfile.core.spi.AtomicFileOutput;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Test doubles: a format that stores the tensors' bytes back to back (no header; the test knows the layout) and
 * holds what was declared; and an in-memory TensorFile. Not registered with ServiceLoader, so other modules'
 * tests, which see core's test-jar, never meet it.
 */
final class InMemoryFormat implements TensorFormat {
    final Set<DType> storable;
    Metadata declaredMetadata;
    List<TensorInfo> declared;

    InMemoryFormat(Set<DType> storable) { this.storable = storable; }

    static InMemoryFormat storingEverythingBut(DType... excluded) {
        EnumSet<DType> s = EnumSet.allOf(DType.class);
        for (DType d : excluded) s.remove(d);
        return new InMemoryFormat(s);
    }

    @Override public String name() { return "raw"; }
    @Override public List<String> extensions() { return List.of(".raw"); }
    @Override public Recognition recognize(Path path, MemorySegment content) { return Recognition.NO; }
    @Override public TensorFile open(Path path, ReadLimits limits) { throw new UnsupportedOperationException(); }
    @Override public boolean canWrite() { return true; }
    @Override public boolean canStore(DType type) { return storable.contains(type); }

    @Override
    public TensorWriter newWriter(Path destination, WriteOptions options) {
        return new AbstractTensorWriter(destination, "raw") {
            AtomicFileOutput out;

            @Override
            protected List<TensorInfo> plan(Metadata metadata, List<TensorInfo> tensors) {
                declaredMetadata = metadata;
                declared = tensors;
                out = AtomicFileOutput.create(destination, "raw");
                // Reverse order, so tests see that the feed order is the writer's to choose.
                List<TensorInfo> order = new ArrayList<>(tensors);
                java.util.Collections.reverse(order);
                return order;
            }

            @Override protected void writeData(TensorInfo tensor, MemorySegment chunk) { out.write(chunk); }
            @Override protected void commit() { out.commit(); }
            @Override protected void discard() { if (out != null) out.discard(); }
        };
    }

    /** A TensorFile over heap arrays. */
    static TensorFile file(Metadata metadata, List<Tensor> tensors) {
        java.util.Map<String, Tensor> byName = new java.util.HashMap<>();
        for (Tensor t : tensors) byName.putIfAbsent(t.name(), t);
        return new TensorFile() {
            @Override public Path path() { return Path.of("memory"); }
            @Override public java.util.Optional<Tensor> find(String name) { return java.util.Optional.ofNullable(byName.get(name)); }
            @Override public String format() { return "memory"; }
            @Override public Metadata metadata() { return metadata; }
            @Override public List<Tensor> tensors() { return tensors; }
            @Override public void close() {}
        };
    }

    /** A tensor whose bytes are {@code data} (a heap segment: not a view of a file, read through readBytes). */
    static Tensor tensor(String name, DType type, Shape shape, MemorySegment data, boolean view) {
        MemorySegment copy = Arena.ofAuto().allocate(Math.max(1, data.byteSize())).asSlice(0, data.byteSize());
        copy.copyFrom(data);
        TensorInfo info = type == DType.STRING ? new TensorInfo(name, type, shape, data.byteSize()) : TensorInfo.of(name, type, shape);
        return new Tensor() {
            @Override public TensorInfo info() { return info; }
            @Override public boolean isView() { return view; }
            @Override public MemorySegment bytes() { return copy; }
            @Override public void readBytes(long byteOffset, MemorySegment dst) { MemorySegment.copy(copy, byteOffset, dst, 0, dst.byteSize()); }
        };
    }
}
