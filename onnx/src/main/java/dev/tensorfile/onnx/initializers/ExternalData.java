package dev.tensorfile.onnx.initializers;

import dev.tensorfile.core.MalformedFileException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * A tensor's {@code external_data} (onnx docs/ExternalData.md): {@code location}, {@code offset}, {@code length},
 * {@code checksum}, resolved under the rules of {@code resolve_external_data_location} (onnx/checker.cc): the
 * location is relative, has no {@code ..} after normalisation, is not a symbolic link, stays inside the model's
 * directory once links are resolved, is a regular file with one hard link. The caller checks offset + length
 * against the real file size.
 *
 * @param file the resolved file (real path)
 * @param offset where the tensor starts, 0 when absent
 * @param length the bytes, or -1 when absent (the rest of the file)
 * @param checksum the SHA-1 of the whole file as written, or null
 */
public record ExternalData(Path file, String location, long offset, long length, String checksum) {

    /**
     * Reads and checks the entries of the tensor at {@code at} ({@code structure} names it in errors). A null
     * {@code modelDir} is a remote model's: only the lexical rules apply, and {@code file} is the normalised relative
     * location, to be resolved against the model's URL.
     */
    static ExternalData resolve(List<TensorProto.Entry> entries, Path modelDir, Path modelFile, String structure, long at) {
        String location = null;
        long offset = 0;
        long length = -1;
        String checksum = null;
        for (TensorProto.Entry e : entries) {
            switch (e.key()) {
                case "location" -> location = e.value();
                case "offset" -> offset = number(e.value(), "offset", modelFile, structure, at);
                case "length" -> length = number(e.value(), "length", modelFile, structure, at);
                case "checksum" -> checksum = e.value();
                default -> { } // basepath and unknown keys: ignored, as onnx's loader does
            }
        }
        if (location == null || location.isEmpty()) throw fail(modelFile, structure, at, "external data has no location");
        if (location.startsWith("#")) {
            throw fail(modelFile, structure, at, "external data location '" + location + "' names an in-memory tensor");
        }
        if (location.startsWith("/") || location.startsWith("\\") || location.indexOf('\0') >= 0
                || (location.length() > 1 && location.charAt(1) == ':')) {
            throw fail(modelFile, structure, at, "external data location '" + location + "' is not a relative path");
        }
        Path relative;
        try {
            relative = Path.of(location);
        } catch (InvalidPathException e) {
            throw fail(modelFile, structure, at, "external data location '" + location + "' is not a valid path");
        }
        if (relative.isAbsolute()) throw fail(modelFile, structure, at, "external data location '" + location + "' is not a relative path");
        Path normal = relative.normalize();
        for (Path part : normal) {
            if (part.toString().equals("..")) {
                throw fail(modelFile, structure, at, "external data location '" + location + "' escapes the model's directory (..)");
            }
        }
        if (normal.toString().isEmpty()) throw fail(modelFile, structure, at, "external data location '" + location + "' names the model's directory");
        if (modelDir == null) {
            // A remote model: the location is resolved against its URL by the lexical rules above; links and hard
            // links are the server's business, and the file is whatever the URL serves.
            return new ExternalData(normal, location, offset, length, checksum);
        }
        Path target = modelDir.resolve(normal);
        if (Files.isSymbolicLink(target)) {
            throw fail(modelFile, structure, at, "external data location '" + location + "' is a symbolic link");
        }
        Path real;
        try {
            real = target.toRealPath();
            Path dir = modelDir.toRealPath();
            if (!real.startsWith(dir)) {
                throw fail(modelFile, structure, at, "external data location '" + location + "' resolves outside the model's directory");
            }
        } catch (IOException e) {
            throw fail(modelFile, structure, at, "external data file '" + location + "' does not exist or cannot be read");
        }
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw fail(modelFile, structure, at, "external data location '" + location + "' is not a regular file");
        }
        try {
            Object links = Files.getAttribute(real, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
            if (links instanceof Integer n && n > 1) {
                throw fail(modelFile, structure, at, "external data file '" + location + "' has " + n + " hard links");
            }
        } catch (UnsupportedOperationException | IOException | IllegalArgumentException e) {
            // no unix attribute view here: the hard-link rule cannot be checked
        }
        return new ExternalData(real, location, offset, length, checksum);
    }

    private static long number(String text, String key, Path file, String structure, long at) {
        try {
            long v = Long.parseLong(text.trim());
            if (v < 0) throw fail(file, structure, at, "external data " + key + " " + text + " is negative");
            return v;
        } catch (NumberFormatException e) {
            throw fail(file, structure, at, "external data " + key + " '" + text + "' is not a decimal number");
        }
    }

    static MalformedFileException fail(Path file, String structure, long at, String what) {
        return new MalformedFileException("onnx", file, structure, at, what);
    }
}
