package dev.tensorfile.core;

import dev.tensorfile.core.spi.MappedFile;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Opens model files of any registered format.
 * <pre>{@code
 * try (TensorFile f = TensorFiles.open(Path.of("model.gguf"))) {
 *     f.tensors().forEach(t -> System.out.println(t.name() + " " + t.dtype() + " " + t.shape()));
 * }
 * }</pre>
 * Formats are found with {@link ServiceLoader}: put a format module ({@code tensorfile-safetensors},
 * {@code tensorfile-gguf}, ...) on the class or module path and its files open here.
 */
public final class TensorFiles {
    private TensorFiles() {}

    private static final class Registry {
        static final List<TensorFormat> FORMATS = load();

        private static List<TensorFormat> load() {
            List<TensorFormat> list = new ArrayList<>();
            for (TensorFormat f : ServiceLoader.load(TensorFormat.class, TensorFiles.class.getClassLoader())) list.add(f);
            return List.copyOf(list);
        }
    }

    /** Every registered format. */
    public static List<TensorFormat> formats() { return Registry.FORMATS; }

    /** The format called {@code name} ({@code safetensors}, {@code gguf}, ...). */
    public static Optional<TensorFormat> format(String name) {
        for (TensorFormat f : formats()) if (f.name().equalsIgnoreCase(name)) return Optional.of(f);
        return Optional.empty();
    }

    /** The format whose extension {@code path}'s name ends with (the longest match), for choosing an output format. */
    public static Optional<TensorFormat> formatForName(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        TensorFormat best = null;
        int bestLength = 0;
        for (TensorFormat f : formats()) {
            for (String ext : f.extensions()) {
                if (name.endsWith(ext) && ext.length() > bestLength) {
                    best = f;
                    bestLength = ext.length();
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** Opens {@code path} with default limits, recognising its format. */
    public static TensorFile open(Path path) { return open(path, ReadLimits.DEFAULT); }

    /**
     * Opens {@code path}, recognising its format: by content first, by file name last. A directory, or a path that
     * names no file, opens when a format finds its files there (a TensorFlow SavedModel directory or checkpoint
     * prefix).
     *
     * @throws TensorFileException if no format recognises it, or it is malformed
     */
    public static TensorFile open(Path path, ReadLimits limits) {
        finishInterruptedCommits(path);
        return recognize(path).open(path, limits);
    }

    /** A file set whose writer died after its commit point reads as the new set once finished (AtomicFileSet). */
    private static void finishInterruptedCommits(Path path) {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) dev.tensorfile.core.spi.AtomicFileSet.recover(parent);
    }

    /** Opens {@code path} as {@code format}, without sniffing. */
    public static TensorFile open(Path path, String format) {
        finishInterruptedCommits(path);
        return format(format).orElseThrow(() -> new TensorFileException(null, path, "unknown format '" + format
                + "'; known: " + formats().stream().map(TensorFormat::name).toList()))
                .open(path, ReadLimits.DEFAULT);
    }

    /** Opens {@code uri} ({@code http}, {@code https} or {@code file}) with default options and limits. */
    public static TensorFile open(java.net.URI uri) { return open(uri, RemoteOptions.DEFAULT, ReadLimits.DEFAULT); }

    /**
     * Opens a remote file, fetching its header with HTTP range requests and each tensor's bytes only when it is read
     * (for the formats that read remotely; any other is downloaded whole first). A {@code file:} URI opens the local
     * file. The returned file tells what it cost in {@link TensorFile#remoteTransfer()}.
     * <pre>{@code
     * try (TensorFile f = TensorFiles.open(URI.create("https://huggingface.co/org/model/resolve/main/model.safetensors"))) {
     *     f.tensors().forEach(t -> System.out.println(t.name() + " " + t.dtype() + " " + t.shape()));
     *     System.out.println(f.remoteTransfer().orElseThrow()); // requests and bytes fetched
     * }
     * }</pre>
     *
     * @throws TensorFileException if it cannot be fetched, no format recognises it, or it is malformed
     */
    public static TensorFile open(java.net.URI uri, RemoteOptions options, ReadLimits limits) {
        if ("file".equalsIgnoreCase(uri.getScheme())) return open(Path.of(uri), limits);
        dev.tensorfile.core.spi.RemoteFile file;
        try {
            file = dev.tensorfile.core.spi.RemoteFile.open(uri, options);
        } catch (TensorFileException e) {
            // a URL that names no file may name a set of files (a SavedModel directory, a checkpoint prefix)
            if (e.detail() == null || !e.detail().matches(".*HTTP (404|403|410)\\b.*")) throw e;
            return openSet(uri, options, limits, e);
        }
        TensorFormat format;
        try {
            format = recognize(file);
        } catch (UnsupportedFeatureException e) {
            file.close();
            return openSet(uri, options, limits, e); // a directory's listing, say
        } catch (RuntimeException | Error e) {
            file.close();
            throw e;
        }
        try {
            return format.open(file, limits);
        } catch (RuntimeException | Error e) {
            file.close();
            throw e;
        }
    }

    /** The first format's {@link TensorFormat#openRemoteSet} that finds its files at {@code uri}; else {@code failure}. */
    private static TensorFile openSet(java.net.URI uri, RemoteOptions options, ReadLimits limits, TensorFileException failure) {
        for (TensorFormat f : formats()) {
            TensorFile set = f.openRemoteSet(uri, options, limits);
            if (set != null) return set;
        }
        throw failure;
    }

    /**
     * The format of a remote file, from its first fetched bytes (what the open's first request brought) and its
     * URL's file name: a format whose signature lies further in is recognised by name.
     */
    static TensorFormat recognize(dev.tensorfile.core.spi.RemoteFile file) {
        long prefix = 0;
        while (prefix < file.size() && file.isFetched(prefix, Math.min(4096, file.size() - prefix))) {
            prefix = Math.min(file.size(), prefix + 4096);
        }
        dev.tensorfile.core.spi.MappedFile mapped = dev.tensorfile.core.spi.MappedFile.remote(file);
        java.lang.foreign.MemorySegment first = mapped.window(0, prefix);
        return recognize(file.path(), f -> f.recognize(mapped, first));
    }

    /**
     * The format of {@code path}.
     *
     * @throws TensorFileException if none recognises it
     */
    public static TensorFormat recognize(Path path) {
        if (!Files.isRegularFile(path)) {
            // A directory (a TensorFlow SavedModel) or a name that is no file (a checkpoint prefix, whose files are
            // PREFIX.index and PREFIX.data-*): only a format that finds its files there, by looking, may claim it.
            for (TensorFormat f : formats()) {
                try {
                    if (f.recognize(path, MemorySegment.NULL) == TensorFormat.Recognition.CONTENT) return f;
                } catch (RuntimeException e) {
                    // not this format
                }
            }
        }
        try (MappedFile mapped = MappedFile.open(path, null)) {
            return recognize(path, mapped.segment());
        }
    }

    private static TensorFormat recognize(Path path, java.lang.foreign.MemorySegment content) {
        return recognize(path, f -> f.recognize(path, content));
    }

    private static TensorFormat recognize(Path path, java.util.function.Function<TensorFormat, TensorFormat.Recognition> recognition) {
        {
            TensorFormat byName = null;
            for (TensorFormat f : formats()) {
                TensorFormat.Recognition r;
                try {
                    r = recognition.apply(f);
                } catch (RuntimeException e) {
                    r = TensorFormat.Recognition.NO;
                }
                if (r == TensorFormat.Recognition.CONTENT) return f;
                if (r == TensorFormat.Recognition.NAME && byName == null) byName = f;
            }
            if (byName != null) return byName;
            throw new UnsupportedFeatureException(null, path, "not a file of any known format ("
                    + String.join(", ", formats().stream().map(TensorFormat::name).toList()) + ")");
        }
    }
}
