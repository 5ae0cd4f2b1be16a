package dev.tensorfile.pickle;

import dev.tensorfile.pickle.archive.Magic;
import dev.tensorfile.pickle.vm.PickleStart;
import dev.tensorfile.pickle.torch.ShardIndex;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFormat;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The formats of the pickle family share one reader; each claims the files whose bytes say they are its own, and
 * opening any of them opens the file as what its bytes say. Reading never executes anything.
 */
abstract sealed class PickleFamilyFormat implements TensorFormat
        permits PyTorchFormat, TorchScriptFormat, PickleFormat, JoblibFormat, NpyFormat, NpzFormat {
    private final String name;
    private final List<String> extensions;

    PickleFamilyFormat(String name, List<String> extensions) {
        this.name = name;
        this.extensions = extensions;
    }

    @Override public String name() { return name; }

    @Override public List<String> extensions() { return extensions; }

    @Override
    public Recognition recognize(Path path, MemorySegment content) {
        Container family = Container.recognize(content);
        if (family != null && name.equals(family.format)) return Recognition.CONTENT;
        if (family != null) return Recognition.NO;
        String file = path == null || path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.equals("pytorch") && ShardIndex.isIndexName(file)) return Recognition.CONTENT;
        // Protocol 0/1 pickles have no magic: only the name and a first byte that is an opcode suggest them.
        if (name.equals("pickle") && (file.endsWith(".pkl") || file.endsWith(".pickle")) && PickleStart.mayBePickle(content, 0)) {
            return Recognition.NAME;
        }
        return Recognition.NO;
    }

    @Override
    public TensorFile open(Path path, ReadLimits limits) {
        String file = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (ShardIndex.isIndexName(file)) return ShardIndex.open(path, limits, shard -> PickleReader.open(shard, limits));
        return PickleReader.open(path, limits);
    }

    /** A remote sibling downloaded to a temporary file, or null when the server has none. */
    private static Path fetchSibling(dev.tensorfile.core.spi.RemoteFile remote, String name, List<Path> fetched) {
        try (dev.tensorfile.core.spi.RemoteFile sibling = remote.sibling(name)) {
            Path tmp = java.nio.file.Files.createTempFile("tensorfile-", "-" + name.replaceAll("[^A-Za-z0-9._-]", "_"));
            fetched.add(tmp);
            sibling.downloadTo(tmp);
            return tmp;
        } catch (java.io.IOException | dev.tensorfile.core.TensorFileException e) {
            return null;
        }
    }

    /**
     * A remote ZIP (PyTorch, TorchScript, npz) is recognised from its central directory, read from the end: the first
     * fetched bytes of a large archive hold no end record.
     */
    @Override
    public Recognition recognize(dev.tensorfile.core.spi.MappedFile file, MemorySegment prefix) {
        if (prefix.byteSize() < file.size() && Magic.isZipAt(prefix, 0)) {
            Container family = Container.recognizeZip(file);
            if (family != null) return name.equals(family.format) ? Recognition.CONTENT : Recognition.NO;
        }
        return recognize(file.path(), prefix);
    }

    /**
     * A remote file is read through its block cache: a ZIP (PyTorch, TorchScript, npz) fetches its tail, central
     * directory and the pickles, each storage when it is read; any other member of the family is fetched whole. A
     * shard index's shards are each opened so, relative to the index's URL; joblib 0.9 siblings come from beside it.
     */
    @Override
    public TensorFile open(dev.tensorfile.core.spi.RemoteFile remote, ReadLimits limits) {
        String file = remote.path().getFileName() == null ? "" : remote.path().getFileName().toString().toLowerCase(Locale.ROOT);
        if (!ShardIndex.isIndexName(file)) return openRemote(remote, limits);
        try {
            return ShardIndex.open(remote, limits, name -> openRemote(remote.sibling(name), limits));
        } finally {
            remote.close(); // the shards hold the client now
        }
    }

    private static TensorFile openRemote(dev.tensorfile.core.spi.RemoteFile remote, ReadLimits limits) {
        List<Path> fetched = new java.util.ArrayList<>();
        try {
            return PickleReader.open(dev.tensorfile.core.spi.MappedFile.remote(remote), limits, name -> fetchSibling(remote, name, fetched));
        } finally {
            // each sibling is mapped by now (or unused): its file can go
            for (Path p : fetched) {
                try {
                    java.nio.file.Files.deleteIfExists(p);
                } catch (java.io.IOException ignored) {
                    p.toFile().deleteOnExit();
                }
            }
        }
    }
}
