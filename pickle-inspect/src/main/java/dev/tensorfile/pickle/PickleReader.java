package dev.tensorfile.pickle;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.pickle.tensor.Contents;
import dev.tensorfile.pickle.vm.PickleStart;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Opens the pickle family by content: PyTorch zip archives (torch.save ≥ 1.6, any archive prefix), TorchScript
 * archives, the legacy torch.save stream, plain pickles, joblib files (plain, zlib, gzip, bz2, xz, lzma), {@code .npy}
 * and {@code .npz}. The file's bytes name its {@link Container}, whose reader fills the file's {@link Contents}.
 * Nothing is executed: the pickles run on the never-executing pickle machine and tensors are rebuilt from storage
 * records.
 */
final class PickleReader {
    private PickleReader() {}

    static TensorFile open(Path path, ReadLimits limits) {
        return open(path, limits, file -> {
            Path sibling = path.toAbsolutePath().resolveSibling(file);
            return java.nio.file.Files.isRegularFile(sibling) ? sibling : null;
        });
    }

    /**
     * Opens {@code path}; {@code siblings} finds a file named beside it (joblib 0.9's array files): a local path, or
     * null when there is none. A remote file's siblings are fetched from beside its URL.
     */
    static TensorFile open(Path path, ReadLimits limits, Function<String, Path> siblings) {
        return open(MappedFile.open(path, "pickle"), limits, siblings);
    }

    /**
     * Opens a mapped file, which the result owns (closed now if the open fails). A remote ZIP (PyTorch, TorchScript,
     * npz) costs its tail, central directory and the entries read at open; its storages are fetched when read. Any
     * other remote file is fetched whole ({@link MappedFile#segment()}).
     */
    static TensorFile open(MappedFile mapped, ReadLimits limits, Function<String, Path> siblings) {
        Path path = mapped.path();
        List<MappedFile> mappings = new ArrayList<>();
        mappings.add(mapped);
        try {
            // A remote file is recognised as an archive from its end, before anything fetches it whole.
            Container container = mapped.isRemote() ? Container.recognizeZip(mapped) : null;
            MemorySegment s = container != null ? null : mapped.segment();
            if (container == null) container = Container.recognize(s);
            if (container == null) {
                if (PickleStart.mayBePickle(s, 0)) container = Container.PICKLE;
                else throw new MalformedFileException("pickle", path, "file", 0,
                        "not a pickle, PyTorch, joblib or numpy file (no known magic bytes)");
            }
            Contents out = new Contents(path, container.format, limits, mapped, mappings, siblings);
            container.read(s, out);
            return out.build();
        } catch (RuntimeException e) {
            for (MappedFile m : mappings) m.close();
            throw e;
        }
    }
}
