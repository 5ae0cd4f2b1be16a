package dev.tensorfile.pickle;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.ZipArchive;
import dev.tensorfile.pickle.numpy.NpyHeader;
import dev.tensorfile.pickle.tensor.ByteSource;
import dev.tensorfile.pickle.tensor.Contents;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A {@code .npz} file ({@code numpy.savez}): a ZIP archive of {@code .npy} members, each an array named as the
 * member without its extension. A stored member is read in place; a deflated one ({@code savez_compressed}) is
 * inflated on read, its header first.
 */
final class NpzReader {
    private final Contents out;
    private final Path path;
    private final String format;

    private NpzReader(Contents out) {
        this.out = out;
        this.path = out.path();
        this.format = out.format();
    }

    /** Reads the archive {@code s} into {@code out}. */
    static void read(MemorySegment s, Contents out) { new NpzReader(out).read(s); }

    private void read(MemorySegment s) {
        ZipArchive zip = ZipArchive.read(s, path, format, out.limits().maxCollectionSize());
        if (!zip.problems().isEmpty()) {
            ZipArchive.Problem p = zip.problems().getFirst();
            throw new MalformedFileException(format, path, "zip central directory entry '" + p.entry() + "'",
                    p.offset(), p.what());
        }
        for (ZipArchive.Entry e : zip.entries()) {
            String name = e.name().substring(0, e.name().length() - 4);
            if (e.stored()) {
                NpyReader.read(zip.raw(e), zip.dataOffset(e), name, out);
            } else {
                // The header is small; the data is inflated on read.
                ByteSource.Inflating src = new ByteSource.Inflating(zip.inflating(e));
                long headLength = Math.min(e.size(), 1 << 16);
                MemorySegment head = MemorySegment.ofArray(new byte[(int) headLength]);
                src.read(0, head);
                ByteCursor c = new ByteCursor(head, 0, "npy", path);
                NpyHeader h = NpyHeader.read(c);
                if (h.dtype().object() || h.dtype().type() == null) {
                    out.unsupported(name, "numpy " + (h.dtype().object() ? "object array" : "dtype " + h.descr())
                            + " is not numeric data here");
                    continue;
                }
                out.addArray(name, h.dtype(), h.shape(), h.fortran(), src.slice(h.dataOffset(), e.size() - h.dataOffset()), out.mapped());
            }
        }
    }
}
