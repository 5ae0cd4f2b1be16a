package dev.tensorfile.pickle;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.spi.ZipArchive;
import dev.tensorfile.pickle.tensor.Contents;

/**
 * How the readers of the family's ZIP containers (PyTorch, TorchScript, npz) open their archive: through the file's
 * mapping (a remote file from its tail and central directory), refusing what a careful reader rejects.
 */
final class ZipContainer {
    private ZipContainer() {}

    /** The archive of the file {@code out} is opening. */
    static ZipArchive read(Contents out) {
        return ZipArchive.read(out.mapped(), out.format(), out.limits().maxCollectionSize(), out.limits().maxHeaderBytes());
    }

    /** A file opened for its tensors refuses what a careful reader rejects (ZipArchive's problems). */
    static void refuseProblems(ZipArchive zip, Contents out) {
        if (!zip.problems().isEmpty()) {
            ZipArchive.Problem p = zip.problems().getFirst();
            throw new MalformedFileException(out.format(), out.path(), "zip central directory entry '" + p.entry() + "'",
                    p.offset(), p.what());
        }
    }
}
