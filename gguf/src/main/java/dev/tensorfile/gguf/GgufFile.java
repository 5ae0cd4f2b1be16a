package dev.tensorfile.gguf;

import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.RemoteTransfer;
import dev.tensorfile.core.spi.TensorIndex;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.RemoteFile;
import dev.tensorfile.core.spi.SegmentTensor;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * One open GGUF file: its header read and validated, tensors as views of the mapping. Tensors of a little-endian
 * file, and single-byte, MXFP4 and NVFP4 tensors of any file, are zero-copy views; multi-byte scalars and the f16
 * fields of Q4_0, Q8_0, Q4_K and Q6_K blocks of a big-endian file are byte-swapped on read
 * ({@link ByteSwappedTensor}), so {@link Tensor#bytes()} is always little-endian.
 */
final class GgufFile implements TensorFile {
    private final MappedFile mapped;
    private final GgufHeader header;
    private final TensorIndex tensors;

    private GgufFile(MappedFile mapped, GgufHeader header, ReadLimits limits) {
        this.mapped = mapped;
        this.header = header;
        List<Tensor> list = new ArrayList<>(header.tensors().size());
        boolean swapped = header.order() == ByteOrder.BIG_ENDIAN;
        for (GgufTensorInfo t : header.tensors()) {
            TensorInfo info = t.info();
            var data = mapped.dataSlice(header.dataStart() + t.offset(), info.byteLength());
            Tensor tensor = swapped && ByteSwappedTensor.needsSwap(info) ? new ByteSwappedTensor(info, data, mapped, limits)
                    : new SegmentTensor(info, data, mapped);
            list.add(tensor);
        }
        this.tensors = TensorIndex.of(list);
    }

    /** Maps and reads {@code path}; the mapping is released if the header is bad. */
    static GgufFile open(Path path, ReadLimits limits) {
        return open(MappedFile.open(path, GgufFormat.NAME), limits);
    }

    /** The most a remote header read grows by at a time while it is under {@link #GROW_GEOMETRIC}: @huggingface/gguf's chunk. */
    static final long GROW_STEP = 2L << 20;
    /** Above this, a remote header read grows by half of what it has, so a huge header is read again only a few times. */
    static final long GROW_GEOMETRIC = 16L << 20;

    /**
     * Reads the header of {@code mapped}, which this file then owns (closed if the header is rejected). A local file is
     * read in place. A GGUF header's length is known only by reading it, so a remote one is read from the prefix
     * fetched so far, and when it runs out, the prefix grows by {@link #GROW_STEP} and it is read again: the bytes
     * fetched are at most the header and one step, up to the limit of header bytes.
     */
    static GgufFile open(MappedFile mapped, ReadLimits limits) {
        try {
            if (!mapped.isRemote()) return new GgufFile(mapped, GgufHeader.read(mapped, limits), limits);
            long size = mapped.size();
            long have = Math.min(size, dev.tensorfile.core.spi.RemoteFile.FIRST_REQUEST);
            while (true) {
                try {
                    return new GgufFile(mapped, GgufHeader.read(mapped.window(0, have), size, mapped.path(), limits), limits);
                } catch (MalformedFileException e) {
                    // Only running out of bytes (the cursor's "... remain" errors) can be the prefix's fault.
                    if (have == size || !String.valueOf(e.detail()).contains(" remain")) throw e;
                    if (have >= limits.maxHeaderBytes()) {
                        throw new MalformedFileException(GgufFormat.NAME, mapped.path(), "header", have,
                                "the header exceeds the limit of " + limits.maxHeaderBytes() + " bytes");
                    }
                    have = Math.min(size, have + (have < GROW_GEOMETRIC ? GROW_STEP : have / 2));
                }
            }
        } catch (RuntimeException | Error e) {
            mapped.close();
            throw e;
        }
    }

    @Override
    public Optional<RemoteTransfer> remoteTransfer() { return mapped.remote().map(RemoteFile::transferred); }

    GgufHeader header() { return header; }

    @Override public Path path() { return mapped.path(); }
    @Override public String format() { return GgufFormat.NAME; }
    @Override public Metadata metadata() { return header.metadata(); }
    @Override public List<Tensor> tensors() { return tensors.tensors(); }
    @Override public Optional<Tensor> find(String name) { return tensors.find(name); }

    @Override
    public List<String> details() {
        List<String> lines = new ArrayList<>();
        lines.add("GGUF v" + header.version() + ", " + (header.order() == ByteOrder.BIG_ENDIAN
                ? "big-endian (multi-byte numbers in tensors are byte-swapped on read)" : "little-endian")
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
