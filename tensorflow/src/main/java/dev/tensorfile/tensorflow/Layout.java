package dev.tensorfile.tensorflow;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which files a path names: a SavedModel directory (or its {@code saved_model.pb}), a bundle's {@code .index} file,
 * or a checkpoint prefix ({@code ckpt} when {@code ckpt.index} exists), resolved to the SavedModel directory (if
 * any) and the tensor bundle's prefix (if any).
 *
 * @param savedModel the SavedModel directory, or null for a bare checkpoint
 * @param prefix the bundle prefix ({@code dir/variables/variables}, {@code ckpt}), or null for a SavedModel without
 *     variables
 */
record Layout(Path savedModel, Path prefix) {
    static final String SAVED_MODEL_PB = "saved_model.pb";
    static final String SAVED_MODEL_PBTXT = "saved_model.pbtxt";
    static final String INDEX = ".index";

    /** The layout {@code path} names, or null if it names none. */
    static Layout of(Path path) {
        if (path.getFileName() == null) path = path.toAbsolutePath();
        if (Files.isDirectory(path)) {
            boolean model = Files.isRegularFile(path.resolve(SAVED_MODEL_PB)) || Files.isRegularFile(path.resolve(SAVED_MODEL_PBTXT));
            Path prefix = path.resolve("variables").resolve("variables");
            boolean variables = Files.isRegularFile(index(prefix));
            if (!model && !variables) return null;
            return new Layout(path, variables ? prefix : null);
        }
        String name = path.getFileName().toString();
        if ((name.equals(SAVED_MODEL_PB) || name.equals(SAVED_MODEL_PBTXT)) && Files.isRegularFile(path)) {
            Path dir = path.toAbsolutePath().getParent();
            Path prefix = dir.resolve("variables").resolve("variables");
            return new Layout(dir, Files.isRegularFile(index(prefix)) ? prefix : null);
        }
        if (name.endsWith(INDEX) && name.length() > INDEX.length() && Files.isRegularFile(path)) {
            Path prefix = path.resolveSibling(name.substring(0, name.length() - INDEX.length()));
            return new Layout(savedModelOf(prefix), prefix);
        }
        if (Files.isRegularFile(index(path))) return new Layout(savedModelOf(path), path);
        return null;
    }

    /** {@code prefix.index}. */
    static Path index(Path prefix) {
        return prefix.resolveSibling(prefix.getFileName() + INDEX);
    }

    /** {@code PREFIX.data-NNNNN-of-NNNNN}, as TensorFlow's {@code DataFilename} spells it. */
    static String shardName(String prefix, int shard, int shards) {
        return String.format("%s.data-%05d-of-%05d", prefix, shard, shards);
    }

    /** The SavedModel whose {@code variables/variables} prefix this is, or null. */
    private static Path savedModelOf(Path prefix) {
        Path dir = prefix.toAbsolutePath().getParent();
        if (dir == null || !prefix.getFileName().toString().equals("variables") || !dir.getFileName().toString().equals("variables")) return null;
        Path model = dir.getParent();
        if (model == null) return null;
        return Files.isRegularFile(model.resolve(SAVED_MODEL_PB)) || Files.isRegularFile(model.resolve(SAVED_MODEL_PBTXT)) ? model : null;
    }
}
