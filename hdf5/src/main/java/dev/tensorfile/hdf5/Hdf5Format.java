package dev.tensorfile.hdf5;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFormat;
import dev.tensorfile.core.TensorWriter;
import dev.tensorfile.core.WriteOptions;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.RemoteFile;
import dev.tensorfile.hdf5.format.Superblock;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * HDF5 files ({@code .h5}, {@code .hdf5}, Keras {@code .weights.h5}) as tensor files: datasets are tensors named
 * by their path without the leading {@code /}, attributes are metadata ({@code name} at the root,
 * {@code <object path>@<name>} elsewhere).
 * <pre>{@code
 * try (TensorFile f = TensorFiles.open(Path.of("model.h5"))) {
 *     Tensor kernel = f.tensor("model_weights/dense/dense/kernel:0");
 * }
 * }</pre>
 * Writing: {@link WriteOptions} key {@code compress} = {@code gzip[:LEVEL]} makes every non-empty dataset chunked,
 * shuffled and deflated; otherwise datasets are contiguous.
 */
public final class Hdf5Format implements TensorFormat {
    /** For {@link java.util.ServiceLoader}. */
    public Hdf5Format() {}

    @Override public String name() { return "hdf5"; }

    @Override public List<String> extensions() { return List.of(".h5", ".hdf5", ".he5", ".weights.h5", ".hdf"); }

    @Override
    public Recognition recognize(Path path, MemorySegment content) {
        if (Superblock.find(content) >= 0) return Recognition.CONTENT;
        String n = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        for (String e : extensions()) if (n.endsWith(e)) return Recognition.NAME;
        return Recognition.NO;
    }

    @Override
    public TensorFile open(Path path, ReadLimits limits) {
        MappedFile mapped = MappedFile.open(path, "hdf5");
        try {
            return new Hdf5TensorFile(mapped, 0, mapped.size(), "hdf5", limits, Metadata.empty(), List.of());
        } catch (RuntimeException | StackOverflowError e) {
            mapped.close();
            throw wrap(path, e);
        }
    }

    /**
     * Reads a remote file through windows of the structures it parses (superblock, object headers, B-trees, heaps,
     * attributes), not the whole file; a dataset's data are fetched by range when read, a chunked one's index too.
     */
    @Override
    public TensorFile open(RemoteFile file, ReadLimits limits) {
        MappedFile mapped = MappedFile.remote(file);
        try {
            return new Hdf5TensorFile(mapped, 0, mapped.size(), "hdf5", limits, Metadata.empty(), List.of());
        } catch (RuntimeException | StackOverflowError e) {
            mapped.close();
            throw wrap(file.path(), e);
        }
    }

    static RuntimeException wrap(Path path, Throwable e) {
        if (e instanceof TensorFileException t) return t;
        if (e instanceof ArithmeticException a) return new TensorFileException("hdf5", path, "a size in the file overflows: " + a.getMessage(), a);
        if (e instanceof StackOverflowError s) return new TensorFileException("hdf5", path, "structures nest too deeply", s);
        if (e instanceof RuntimeException r) return r;
        return new TensorFileException("hdf5", path, e.toString(), e);
    }

    @Override public boolean canWrite() { return true; }

    @Override
    public boolean canStore(DType type) {
        return switch (type) {
            case F64, F32, F16, BF16, F8_E4M3, F8_E5M2, F8_E4M3FNUZ, F8_E5M2FNUZ, I64, I32, I16, I8, U64, U32, U16, U8, BOOL -> true;
            default -> false;
        };
    }

    @Override
    public TensorWriter newWriter(Path destination, WriteOptions options) {
        return new Hdf5Writer(destination, options);
    }
}
