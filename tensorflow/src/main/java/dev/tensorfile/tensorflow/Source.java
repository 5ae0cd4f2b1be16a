package dev.tensorfile.tensorflow;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.RemoteFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the files of a SavedModel or checkpoint come from: the local file system ({@link Layout}), or a URL (a
 * {@code .index} or {@code saved_model.pb}) and the files beside it, fetched through the same session.
 */
sealed interface Source permits Source.Local, Source.Remote {
    /** The bundle's index, or null when there is no bundle. */
    MappedFile index();

    /** The index's path, for messages. */
    Path indexPath();

    /** The prefix's file name ({@code variables}, {@code ckpt}). */
    String prefixName();

    /** The data shard called {@code name} (beside the index). */
    MappedFile shard(String name);

    /** The SavedModel, or null when there is none. */
    SavedModel savedModel(ReadLimits limits);

    /** Files of a local path. */
    record Local(Layout layout) implements Source {
        @Override
        public MappedFile index() {
            return layout.prefix() == null ? null : MappedFile.open(indexPath(), TensorFlowFile.FORMAT);
        }

        @Override public Path indexPath() { return layout.prefix() == null ? null : Layout.index(layout.prefix()); }

        @Override public String prefixName() { return layout.prefix().getFileName().toString(); }

        /**
         * Maps a data shard. Its name comes from the prefix and the header's shard count, never from the file's bytes;
         * still, a shard must be a regular file that resolves inside the index's own directory, so a planted link
         * cannot make the reader map a file elsewhere.
         */
        @Override
        public MappedFile shard(String name) {
            Path index = indexPath();
            Path shard = index.resolveSibling(name);
            try {
                if (!Files.isRegularFile(shard)) {
                    throw new TensorFileException(TensorFlowFile.FORMAT, index, "data shard " + name + " is missing (the header names it)");
                }
                Path dir = index.toAbsolutePath().getParent().toRealPath();
                Path real = shard.toRealPath();
                if (!dir.equals(real.getParent())) {
                    throw new TensorFileException(TensorFlowFile.FORMAT, index, "data shard " + name + " resolves to " + real
                            + ", outside the directory of the index (" + dir + ")");
                }
            } catch (IOException x) {
                throw new TensorFileException(TensorFlowFile.FORMAT, index, "data shard " + name + " cannot be resolved: " + x.getMessage(), x);
            }
            return MappedFile.open(shard, TensorFlowFile.FORMAT);
        }

        @Override
        public SavedModel savedModel(ReadLimits limits) {
            return layout.savedModel() == null ? null : SavedModel.read(layout.savedModel(), limits);
        }
    }

    /**
     * Files of a URL: a {@code PREFIX.index} (with the SavedModel at {@code ../saved_model.pb} when the prefix is
     * {@code variables/variables}, as locally), or a {@code saved_model.pb(txt)} (with {@code variables/variables.index}
     * beside it when there is one). Shards are the index's siblings by their fixed names; each tensor's bytes are
     * fetched when it is read.
     */
    record Remote(RemoteFile first, MappedFile firstMapped, MappedFile indexMapped, RemoteFile savedModelFile, String prefix) implements Source {
        static Remote of(RemoteFile file) {
            MappedFile mapped = MappedFile.remote(file);
            String name = file.path().getFileName().toString();
            if (name.endsWith(Layout.INDEX)) {
                String prefix = name.substring(0, name.length() - Layout.INDEX.length());
                Path parent = file.path().getParent();
                RemoteFile model = null;
                if (prefix.equals("variables") && parent != null && parent.getFileName() != null
                        && parent.getFileName().toString().equals("variables")) {
                    model = sibling(file, "../" + Layout.SAVED_MODEL_PB);
                    if (model == null) model = sibling(file, "../" + Layout.SAVED_MODEL_PBTXT);
                }
                return new Remote(file, mapped, mapped, model, prefix);
            }
            RemoteFile index = sibling(file, "variables/variables" + Layout.INDEX);
            return new Remote(file, mapped, index == null ? null : MappedFile.remote(index), file, "variables");
        }

        /** The file {@code relative} to {@code file}, or null if it cannot be fetched (there is none). */
        private static RemoteFile sibling(RemoteFile file, String relative) {
            try {
                return file.sibling(relative);
            } catch (TensorFileException e) {
                return null;
            }
        }

        @Override public MappedFile index() { return indexMapped; }

        @Override public Path indexPath() { return indexMapped == null ? null : indexMapped.path(); }

        @Override public String prefixName() { return prefix; }

        /** A data shard, opened with a one-page request for its size: its bytes are fetched when a tensor is read. */
        @Override
        public MappedFile shard(String name) {
            return MappedFile.remote(indexMapped.remote().orElseThrow().sibling(name, 1));
        }

        @Override
        public SavedModel savedModel(ReadLimits limits) {
            if (savedModelFile == null) return null;
            MappedFile m = savedModelFile == first ? firstMapped : MappedFile.remote(savedModelFile);
            try {
                return SavedModel.read(m, m.path().getFileName().toString().equals(Layout.SAVED_MODEL_PBTXT), limits);
            } finally {
                if (m != firstMapped) m.close();
            }
        }
    }
}
