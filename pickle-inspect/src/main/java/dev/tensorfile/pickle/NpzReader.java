package dev.tensorfile.pickle;

import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.MappedFile;
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

    private NpzReader(Contents out) {
        this.out = out;
        this.path = out.path();
    }

    /** Reads the archive {@code zip} into {@code out}. */
    static void read(ZipArchive zip, Contents out) { new NpzReader(out).read(zip); }

    private void read(ZipArchive zip) {
        ZipContainer.refuseProblems(zip, out);
        MappedFile mapped = out.mapped();
        for (ZipArchive.Entry e : zip.entries()) {
            String name = e.name().substring(0, e.name().length() - 4);
            if (e.stored() && mapped.isRemote()) {
                // the array's header is fetched now (a 1.0 header is under 64 KiB), its data when read
                MemorySegment raw = zip.rawUnfetched(e);
                long base = zip.dataOffset(e);
                NpyReader.read(mapped.window(base, Math.min(raw.byteSize(), 65_536 + 16)), base, name,
                        dataOffset -> new ByteSource.Fetching(raw.asSlice(dataOffset), mapped), out);
            } else if (e.stored()) {
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
