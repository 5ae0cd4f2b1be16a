package dev.tensorfile.hdf5;

import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.UnsupportedEntry;
import dev.tensorfile.core.spi.TensorIndex;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.hdf5.format.AddressSpace;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An open HDF5 file (or the HDF5 file stored inside a {@code .keras} archive): its datasets as tensors, its
 * attributes as metadata, its group tree as details. Owns the mapping and the threads that decode chunks.
 */
final class Hdf5TensorFile implements TensorFile {
    private final MappedFile mapped;
    private final String format;
    private final ReadLimits limits;
    private final Metadata metadata;
    private final TensorIndex tensors;
    private final List<String> detailsPrefix;
    private final List<Object> detailLines;
    private List<String> details;
    private final List<UnsupportedEntry> unsupported;
    private ExecutorService executor;

    /**
     * Reads the HDF5 file in {@code [offset, offset + length)} of {@code mapped}; on failure the caller closes the
     * mapping.
     */
    Hdf5TensorFile(MappedFile mapped, long offset, long length, String format, ReadLimits limits, Metadata prefix,
            List<String> detailsPrefix) {
        this.mapped = mapped;
        this.format = format;
        this.limits = limits;
        // not fetched for a remote file: the address space fetches each structure as it reads it
        MemorySegment seg = mapped.dataSlice(offset, length);
        AddressSpace space = new AddressSpace(seg, offset, mapped.path(), limits, mapped);
        Hdf5Reader reader = new Hdf5Reader(space, this);
        reader.read();
        Metadata.Builder md = Metadata.builder().putAll(prefix).putAll(reader.metadata.build());
        this.metadata = md.build();
        this.tensors = TensorIndex.of(reader.tensors);
        this.detailsPrefix = detailsPrefix;
        this.detailLines = reader.details;
        this.unsupported = List.copyOf(reader.unsupported);
    }

    MappedFile mapped() { return mapped; }

    int decodeThreads() { return limits.decodeThreads(); }

    /** The limits the file was opened with. */
    ReadLimits limits() { return limits; }

    synchronized ExecutorService executor() {
        if (!mapped.isOpen()) throw new IllegalStateException(mapped.path() + " is closed");
        if (executor == null) {
            executor = Executors.newFixedThreadPool(limits.decodeThreads(), r -> {
                Thread t = new Thread(r, "hdf5-decode " + mapped.path().getFileName());
                t.setDaemon(true);
                return t;
            });
        }
        return executor;
    }

    @Override public Path path() { return mapped.path(); }
    @Override public String format() { return format; }
    @Override public Metadata metadata() { return metadata; }
    @Override public List<Tensor> tensors() { return tensors.tensors(); }
    @Override public Optional<Tensor> find(String name) { return tensors.find(name); }
    /** The group tree, its dataset lines formatted on first call (they are not needed to list or read tensors). */
    @Override
    public synchronized List<String> details() {
        if (details == null) {
            java.util.ArrayList<String> d = new java.util.ArrayList<>(detailsPrefix.size() + detailLines.size());
            d.addAll(detailsPrefix);
            for (Object o : detailLines) d.add(o instanceof java.util.function.Supplier<?> s ? (String) s.get() : (String) o);
            details = Collections.unmodifiableList(d);
        }
        return details;
    }
    @Override public List<UnsupportedEntry> unsupported() { return unsupported; }
    @Override
    public Optional<dev.tensorfile.core.RemoteTransfer> remoteTransfer() {
        return mapped.remote().map(dev.tensorfile.core.spi.RemoteFile::transferred);
    }

    /**
     * Every written chunk of every chunked dataset decoded (checksums included) and every other tensor read end to
     * end. A chunked dataset is not read end to end again: its written chunks were just decoded, and a read adds
     * only copies out of them (each at least a chunk long) and fill for the rest, which can be terabytes that
     * nothing in the file backs.
     */
    @Override
    public void verify() {
        for (Tensor t : tensors.tensors()) {
            if (t instanceof DecodedDataset d) d.verify();
            if (t.dtype() == dev.tensorfile.core.DType.STRING) t.strings();
        }
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(1 << 20);
            for (Tensor t : tensors.tensors()) {
                if (t instanceof DecodedDataset d && d.storage instanceof ChunkedStorage) continue;
                long length = t.info().byteLength();
                for (long at = 0; at < length; at += buf.byteSize()) {
                    t.readBytes(at, buf.asSlice(0, Math.min(buf.byteSize(), length - at)));
                }
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (executor != null) executor.shutdownNow();
        }
        mapped.close();
    }

    @Override public String toString() { return format + ": " + mapped.path(); }
}
