package dev.tensorfile.core;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * A file format: how to recognise, open and write it. Implementations are found with {@link java.util.ServiceLoader}
 * ({@code provides dev.tensorfile.core.TensorFormat with ...} in a module, or {@code META-INF/services} on the
 * class path); {@link TensorFiles} asks each in turn.
 */
public interface TensorFormat {
    /** How sure a format is that a file is its own. */
    enum Recognition {
        /** The bytes say so (a magic number, a header that parses). */
        CONTENT,
        /** Only the file name says so. */
        NAME,
        /** Not this format. */
        NO
    }

    /** The format's name, as the CLI's {@code --to} and JSON use it: {@code safetensors}, {@code gguf}, ... */
    String name();

    /** File name endings that suggest this format, with the dot: {@code .safetensors}. */
    List<String> extensions();

    /**
     * Looks at a file and says whether it is this format. Must be cheap and must not throw on any content.
     *
     * @param path the file; or a directory or a path that names no file, which only a format made of several files
     *     recognises (by looking for them), with {@code content} then of size 0
     * @param content the whole file, mapped (possibly empty); read only what is needed
     */
    Recognition recognize(Path path, MemorySegment content);

    /**
     * Recognises a remote file from its first fetched bytes {@code prefix}, as {@link #recognize(Path, MemorySegment)}
     * does by default. A format whose signature lies elsewhere (a ZIP's central directory, at its end) overrides this
     * to read it through {@code file}'s {@link dev.tensorfile.core.spi.MappedFile#window windows}, which fetch only
     * what they cover.
     */
    default Recognition recognize(dev.tensorfile.core.spi.MappedFile file, MemorySegment prefix) {
        return recognize(file.path(), prefix);
    }

    /**
     * Opens {@code path}, reading its header only.
     *
     * @throws TensorFileException if it is malformed or uses something unsupported
     */
    TensorFile open(Path path, ReadLimits limits);

    /**
     * Opens a remote file, taking ownership of {@code file} (closed with the returned file, or at once if the open
     * fails). A format that reads its header through {@link dev.tensorfile.core.spi.MappedFile#remote} overrides this
     * to fetch only what it reads; by default the whole file is downloaded to a temporary file (deleted on close) and
     * opened as a local one.
     *
     * @throws TensorFileException if it is malformed, unsupported, or cannot be fetched
     */
    default TensorFile open(dev.tensorfile.core.spi.RemoteFile file, ReadLimits limits) {
        return RemoteTensorFile.downloaded(this, file, limits);
    }

    /**
     * Opens a URL that names no file but a set of files this format reads together (a TensorFlow SavedModel
     * directory, a checkpoint prefix), by fetching the files it expects there; null if it finds none.
     * {@link TensorFiles#open(java.net.URI, RemoteOptions, ReadLimits)} asks each format when the URL itself cannot
     * be fetched (404, 403, 410) or is no file of any format. By default: null.
     *
     * @throws TensorFileException if the files are found and malformed
     */
    default TensorFile openRemoteSet(java.net.URI uri, RemoteOptions options, ReadLimits limits) {
        return null;
    }

    /** True if {@link #newWriter} is implemented. */
    default boolean canWrite() { return false; }

    /** True if a writer of this format can store tensors of {@code type}. */
    default boolean canStore(DType type) { return false; }

    /**
     * A writer that will produce {@code destination}.
     *
     * @throws UnsupportedFeatureException if this format has no writer
     */
    default TensorWriter newWriter(Path destination, WriteOptions options) {
        throw new UnsupportedFeatureException(name(), destination, "writing " + name() + " files is not supported");
    }

    /**
     * A writer for {@code request}: its destination and options, and for a conversion the open source file and
     * the requested cast. {@link Converter} calls this one. By default it is {@link #newWriter(Path, WriteOptions)}
     * (a format that needs nothing of the source); a format that keeps what only it understands of a source of its
     * own format, or refuses a cast, overrides it.
     *
     * @throws UnsupportedFeatureException if this format has no writer, or cannot honour the request
     */
    default TensorWriter newWriter(WriteRequest request) {
        return newWriter(request.destination(), request.options());
    }
}
