package dev.tensorfile.pickle;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.spi.RemoteFile;

import java.util.List;

/**
 * numpy {@code .npy} arrays (object arrays are refused as data, but scanned). Found through {@link java.util.ServiceLoader}; use {@link dev.tensorfile.core.TensorFiles#open}.
 */
public final class NpyFormat extends PickleFamilyFormat {
    /** The format, as ServiceLoader creates it. */
    public NpyFormat() { super("npy", List.of(".npy")); }

    /**
     * A remote array whose body is its bytes as they are fetches its header only, and the body by range when read
     * ({@link RemoteNpyFile}); any other is downloaded and read as a local file.
     */
    @Override
    public TensorFile open(RemoteFile remote, ReadLimits limits) {
        RemoteNpyFile lazy;
        try {
            lazy = RemoteNpyFile.open(remote, limits);
        } catch (RuntimeException | Error e) {
            remote.close();
            throw e;
        }
        return lazy != null ? lazy : super.open(remote, limits);
    }
}
