package dev.tensorfile.pickle;

import dev.tensorfile.core.DType;
import dev.tensorfile.pickle.numpy.NpyHeader;
import dev.tensorfile.pickle.numpy.NumpyDType;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.RemoteTransfer;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.RemoteFile;
import dev.tensorfile.core.spi.SegmentTensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A remote {@code .npy} whose body is the array's bytes as they are (C order, little-endian or one byte an
 * element): its header alone is fetched at open, the body by range when the array is read. It reads as the local
 * file does ({@code npy.descr}, {@code npy.fortran_order}, one tensor {@code array}). Any other {@code .npy}
 * (Fortran order, big-endian, object or structured dtypes) is left to the download {@link NpyFormat} falls back to.
 */
final class RemoteNpyFile implements TensorFile {
    private final Path path;
    private final MappedFile mapped;
    private final RemoteFile remote;
    private final Metadata metadata;
    private final Tensor array;

    private RemoteNpyFile(Path path, MappedFile mapped, RemoteFile remote, Metadata metadata, Tensor array) {
        this.path = path;
        this.mapped = mapped;
        this.remote = remote;
        this.metadata = metadata;
        this.array = array;
    }

    /**
     * The remote file as a lazily read array, or null (the file untouched beyond its header, and still open) when its
     * body is not the array's bytes as they are.
     */
    static RemoteNpyFile open(RemoteFile remote, ReadLimits limits) {
        MappedFile mapped = MappedFile.remote(remote);
        long size = mapped.size();
        Path path = remote.path();
        // magic (6), version (2), header length (2 bytes in version 1, 4 in 2 and 3), then the header text
        MemorySegment lead = mapped.window(0, Math.min(size, 12));
        long end = lead.byteSize();
        if (lead.byteSize() >= 10) {
            int major = lead.get(ValueLayout.JAVA_BYTE, 6) & 0xFF;
            long length = major == 1 ? lead.get(LittleEndian.SHORT, 8) & 0xFFFF
                    : major == 2 || major == 3 && lead.byteSize() >= 12 ? lead.get(LittleEndian.INT, 8) & 0xFFFFFFFFL : -1;
            if (length >= 0 && length <= 1_000_000) end = Math.min(size, (major == 1 ? 10 : 12) + length);
        }
        // the header's own checks, on exactly the bytes the local reader would find there
        NpyHeader h = NpyHeader.read(new ByteCursor(mapped.window(0, end), 0, "npy", path));
        NumpyDType dt = h.dtype();
        if (h.fortran() || dt.object() || dt.type() == null || dt.type() == DType.STRING
                || dt.bigEndian() && dt.type().blockBytes() > 1) {
            return null;
        }
        TensorInfo info;
        try {
            info = TensorInfo.of("array", dt.type(), Shape.of(h.shape()));
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new MalformedFileException("npy", path, "tensor 'array'", -1, "shape "
                    + java.util.Arrays.toString(h.shape()) + " is not valid: " + e.getMessage());
        }
        long body = size - h.dataOffset();
        if (body < info.byteLength()) {
            throw new MalformedFileException("npy", path, "array 'array'", -1, "needs " + info.byteLength()
                    + " bytes of data but " + body + " are there");
        }
        Metadata metadata = Metadata.builder().put("npy.descr", h.descr())
                .put("npy.fortran_order", "False").build();
        Tensor array = new SegmentTensor(info, mapped.dataSlice(h.dataOffset(), info.byteLength()), mapped);
        return new RemoteNpyFile(path, mapped, remote, metadata, array);
    }

    @Override public Path path() { return path; }
    @Override public String format() { return "npy"; }
    @Override public Metadata metadata() { return metadata; }
    @Override public List<Tensor> tensors() { return List.of(array); }

    @Override
    public Optional<Tensor> find(String name) {
        return name.equals(array.name()) ? Optional.of(array) : Optional.empty();
    }

    @Override public Optional<RemoteTransfer> remoteTransfer() { return Optional.of(remote.transferred()); }

    @Override
    public void close() {
        mapped.close();
    }
}
