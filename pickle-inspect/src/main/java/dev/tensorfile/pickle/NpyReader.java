package dev.tensorfile.pickle;

import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.pickle.numpy.NpyHeader;
import dev.tensorfile.pickle.tensor.ByteSource;
import dev.tensorfile.pickle.tensor.Contents;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

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
    static void read(MemorySegment s, long base, String name, Contents out) { new NpyReader(out).read(s, base, name); }

    private void read(MemorySegment s, long base, String name) {
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
        out.addArray(name, h.dtype(), h.shape(), h.fortran(), new ByteSource.Mapped(c.segment().asSlice(h.dataOffset())), out.mapped());
    }
}
