package dev.tensorfile.safetensors;

import dev.tensorfile.core.spi.TensorIndex;
import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataStrings;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.RemoteTransfer;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.RemoteFile;
import dev.tensorfile.core.spi.SegmentTensor;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One open safetensors file: the validated header and a {@link SegmentTensor} view per entry over the mapping.
 * Tensors are listed in header order (the order of the JSON keys), which need not be the data order.
 */
final class SafetensorsFile implements TensorFile {
    private final MappedFile mapped;
    private final SafetensorsHeader header;
    private final Metadata metadata;
    private final TensorIndex tensors;

    private SafetensorsFile(MappedFile mapped, SafetensorsHeader header) {
        this.mapped = mapped;
        this.header = header;
        this.metadata = MetadataStrings.decode(header.metadata());
        List<Tensor> list = new ArrayList<>(header.entries().size());
        long base = header.dataStart();
        for (SafetensorsHeader.Entry e : header.entries()) {
            Tensor t = new SegmentTensor(e.info(), mapped.dataSlice(base + e.begin(), e.info().byteLength()), mapped);
            list.add(t);
        }
        this.tensors = TensorIndex.of(list);
    }

    /** Maps {@code path} and reads its header; the mapping is released if the header is rejected. */
    static SafetensorsFile open(Path path, ReadLimits limits) {
        return open(MappedFile.open(path, SafetensorsHeader.FORMAT), limits);
    }

    /**
     * Reads the header of {@code mapped}, which this file then owns (it is closed if the header is rejected). Only
     * the 8-byte length and the header it gives are read, through {@link MappedFile#window}: for a remote file that
     * is one request when the header fits in the open's first request, two otherwise.
     */
    static SafetensorsFile open(MappedFile mapped, ReadLimits limits) {
        try {
            long size = mapped.size();
            MemorySegment header = mapped.window(0, Math.min(8, size));
            if (size >= 8) {
                long n = header.get(LittleEndian.LONG, 0);
                // A length the header check will refuse is not fetched: the check reports it from these 8 bytes.
                if (n >= 0 && n <= Math.min(SafetensorsHeader.MAX_HEADER_SIZE, limits.maxHeaderBytes()) && n <= size - 8) {
                    header = mapped.window(0, 8 + n);
                }
            }
            return new SafetensorsFile(mapped, SafetensorsHeader.read(header, size, mapped.path(), limits));
        } catch (RuntimeException | Error e) {
            mapped.close();
            throw e;
        }
    }

    @Override
    public Optional<RemoteTransfer> remoteTransfer() { return mapped.remote().map(RemoteFile::transferred); }

    /** The parsed header. */
    SafetensorsHeader header() { return header; }

    @Override public Path path() { return mapped.path(); }
    @Override public String format() { return SafetensorsHeader.FORMAT; }
    @Override public Metadata metadata() { return metadata; }
    @Override public List<Tensor> tensors() { return tensors.tensors(); }
    @Override public Optional<Tensor> find(String name) { return tensors.find(name); }

    @Override
    public List<String> details() {
        long start = header.dataStart();
        long data = mapped.size() - start;
        return List.of(
                "header: " + header.headerLength() + " bytes of JSON, " + header.entries().size() + " tensors"
                        + (header.metadata().isEmpty() ? "" : ", " + header.metadata().size() + " __metadata__ entries"),
                "byte buffer: " + data + " bytes from byte " + start + (start % 8 == 0 ? " (8-byte aligned)" : " (not 8-byte aligned)"));
    }

    @Override public void close() { mapped.close(); }

    @Override public String toString() { return "safetensors " + mapped.path(); }
}
