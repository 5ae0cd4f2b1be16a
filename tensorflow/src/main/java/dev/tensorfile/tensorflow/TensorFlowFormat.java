package dev.tensorfile.tensorflow;

import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFormat;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * TensorFlow's SavedModel directories and checkpoints (tensor bundles), read without TensorFlow.
 *
 * <pre>{@code
 * try (TensorFile model = TensorFiles.open(Path.of("saved_model_dir"))) {   // or "ckpt", or ".../variables.index"
 *     model.details().forEach(System.out::println);                          // tags, signatures, variables
 *     Tensor kernel = model.tensor("dense/kernel");                          // a view of the mapped data shard
 * }
 * }</pre>
 *
 * <p>A path is recognised as: a directory holding {@code saved_model.pb}, {@code saved_model.pbtxt} or
 * {@code variables/variables.index}; a {@code saved_model.pb(txt)} file (its directory opens); a file whose name ends in
 * {@code .index} and that ends in the table magic number; a checkpoint prefix {@code P} (which need not exist) when
 * {@code P.index} does. Reading only: there is no writer.
 */
public final class TensorFlowFormat implements TensorFormat {
    /** Creates the format; found by {@link java.util.ServiceLoader}. */
    public TensorFlowFormat() {}

    @Override public String name() { return TensorFlowFile.FORMAT; }

    @Override public List<String> extensions() { return List.of(".index"); }

    @Override
    public Recognition recognize(Path path, MemorySegment content) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        if (name.endsWith(Layout.INDEX) && Files.isRegularFile(path)) {
            return endsInMagic(content) ? Recognition.CONTENT : Recognition.NO;
        }
        if (name.endsWith(Layout.INDEX) && !Files.exists(path) && content.byteSize() > 0) {
            // a remote index: its first bytes, which end in the magic when they are the whole table
            return endsInMagic(content) ? Recognition.CONTENT : Recognition.NAME;
        }
        if (name.equals(Layout.SAVED_MODEL_PB) || name.equals(Layout.SAVED_MODEL_PBTXT)) {
            if (!Files.exists(path) && content.byteSize() > 0) return Recognition.NAME; // remote
            return Layout.of(path) != null ? Recognition.NAME : Recognition.NO;
        }
        if (Files.isDirectory(path) || !Files.exists(path)) {
            return Layout.of(path) != null ? Recognition.CONTENT : Recognition.NO;
        }
        // A file P that is a checkpoint prefix as well (rare): only P.index says so.
        Path index = Layout.index(path);
        return Files.isRegularFile(index) ? Recognition.NAME : Recognition.NO;
    }

    /** True if {@code file} ends in the table magic number (read with one positional read, nothing mapped). */
    static boolean isIndexTable(Path file) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            long size = ch.size();
            if (size < Table.FOOTER_LENGTH) return false;
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b, size - 8 + b.position()) > 0) { /* fill */ }
            return !b.hasRemaining() && b.getLong(0) == Table.MAGIC;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean endsInMagic(MemorySegment content) {
        long size = content.byteSize();
        return size >= Table.FOOTER_LENGTH
                && content.get(LittleEndian.LONG, size - 8) == Table.MAGIC;
    }

    @Override
    public TensorFile open(Path path, ReadLimits limits) {
        return TensorFlowFile.open(path, limits);
    }

    /**
     * Opens a remote {@code .index} (a checkpoint or a SavedModel's variables) or {@code saved_model.pb(txt)}: the
     * index and the SavedModel are fetched whole (they are the header), the data shards, siblings of the index by
     * their fixed names, only where a tensor is read.
     */
    @Override
    public TensorFile open(dev.tensorfile.core.spi.RemoteFile file, ReadLimits limits) {
        return TensorFlowFile.open(file, limits);
    }

    /**
     * A URL naming a SavedModel directory ({@code .../model} or {@code .../model/}: its {@code saved_model.pb},
     * {@code saved_model.pbtxt} or {@code variables/variables.index} is fetched) or a checkpoint prefix
     * ({@code .../ckpt}: {@code ckpt.index}), tried in that order; null if none of them is there.
     */
    @Override
    public TensorFile openRemoteSet(java.net.URI uri, dev.tensorfile.core.RemoteOptions options, ReadLimits limits) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        String dir = path.endsWith("/") ? path : path + "/";
        List<String> candidates = new java.util.ArrayList<>(List.of(dir + Layout.SAVED_MODEL_PB, dir + Layout.SAVED_MODEL_PBTXT,
                dir + "variables/variables" + Layout.INDEX));
        if (!path.endsWith("/") && !path.isEmpty()) candidates.add(path + Layout.INDEX);
        for (String candidate : candidates) {
            dev.tensorfile.core.spi.RemoteFile file;
            try {
                java.net.URI u = new java.net.URI(uri.getScheme(), uri.getRawAuthority() == null ? null : uri.getAuthority(),
                        candidate, uri.getQuery(), null);
                file = dev.tensorfile.core.spi.RemoteFile.open(u, options);
            } catch (java.net.URISyntaxException | dev.tensorfile.core.TensorFileException e) {
                continue; // not there
            }
            return TensorFlowFile.open(file, limits);
        }
        return null;
    }
}
