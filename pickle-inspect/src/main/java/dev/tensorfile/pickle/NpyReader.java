package dev.tensorfile.pickle;

import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.pickle.numpy.NpyHeader;
import dev.tensorfile.pickle.tensor.ByteSource;
import dev.tensorfile.pickle.tensor.Contents;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.function.LongFunction;

/**
 * A {@code .npy} array (numpy {@code lib/format.py}): a header naming dtype, order and shape, then the data, which
 * stays in the mapping. Also each stored member of an {@code .npz}, at its offset in the archive.
 */
final class NpyReader {
    private final Contents out;
    private final Path path;

    private NpyReader(Contents out) {
        this.out = out;
        this.path = out.path();
    }

    /**
     * Reads the array at {@code base} of {@code s} into {@code out} as {@code name}; the file's own array ({@code base}
     * 0) also gives the metadata its header.
     */
    static void read(MemorySegment s, long base, String name, Contents out) {
        new NpyReader(out).read(s, base, name, dataOffset -> new ByteSource.Mapped(s.asSlice(dataOffset)));
    }

    /** An {@code .npy} whose header is in {@code s} and whose data from byte {@code dataOffset} on are {@code data}. */
    static void read(MemorySegment s, long base, String name, LongFunction<ByteSource> data, Contents out) {
        new NpyReader(out).read(s, base, name, data);
    }

    private void read(MemorySegment s, long base, String name, LongFunction<ByteSource> data) {
        ByteCursor c = new ByteCursor(s, base, "npy", path);
        NpyHeader h = NpyHeader.read(c);
        if (base == 0) {
            out.metadata("npy.descr", h.descr());
            out.metadata("npy.fortran_order", h.fortran() ? "True" : "False");
        }
        if (h.dtype().object()) {
            out.unsupported(name, "numpy object array: Python objects, not numbers (scanned, never loaded)");
            return;
        }
        if (h.dtype().type() == null) {
            out.unsupported(name, "numpy dtype " + h.descr() + " has no element type here");
            return;
        }
        c.seek(h.dataOffset());
        out.addArray(name, h.dtype(), h.shape(), h.fortran(), data.apply(h.dataOffset()), out.mapped());
    }
}
