package dev.tensorfile.testframework;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A folder of test fixtures: files the real tools wrote, each with the manifest of what the tool read back
 * ({@code NAME.json} beside the file, or in an {@code expected/} folder beside it or above it). Every format's
 * tests find their fixtures through this class:
 * <pre>{@code
 * static final Fixtures FIXTURES = Fixtures.resources("gguf");   // src/test/resources/gguf, on the class path
 * for (Path file : FIXTURES.files(".gguf")) {
 *     JsonNode expected = FIXTURES.manifest(file);
 *     ...
 * }
 * }</pre>
 * The fixtures themselves are copied from the shared corpus ({@link #sharedCorpus()}) into each module's test
 * resources, beside the scripts that made them, so tests never need the corpus or Python to run.
 */
public final class Fixtures {
    /** Manifests hold what Python wrote, which includes NaN and Infinity as bare words. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private final Path root;
    /** Sub-folders the listings skip. */
    private final List<Path> excluded;

    private Fixtures(Path root, List<Path> excluded) {
        this.root = root;
        this.excluded = excluded;
    }

    private Fixtures(Path root) { this(root, List.of()); }

    /**
     * The test resource folder {@code folder} ({@code src/test/resources/FOLDER}, found on the test class path).
     *
     * @throws IllegalStateException if there is no such folder
     */
    public static Fixtures resources(String folder) {
        String name = folder.startsWith("/") ? folder.substring(1) : folder;
        URL url = Thread.currentThread().getContextClassLoader().getResource(name);
        if (url == null) url = Fixtures.class.getResource("/" + name);
        if (url == null) throw new IllegalStateException("no test resource folder '" + name + "' on the class path");
        try {
            return new Fixtures(Path.of(url.toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fixtures under {@code root}. */
    public static Fixtures at(Path root) { return new Fixtures(root); }

    /**
     * The shared fixture corpus ({@code shared/fixtures} beside the repository) where a script regenerates or
     * copies fixtures; empty when the tests run without it, as they always can.
     */
    public static Optional<Path> sharedCorpus() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path corpus = dir.resolveSibling("shared").resolve("fixtures");
            if (Files.isDirectory(corpus)) return Optional.of(corpus);
        }
        return Optional.empty();
    }

    /** The folder. */
    public Path root() { return root; }

    /** A fixture by its path under the folder ({@code "joblib/arrays-xz.joblib"}). */
    public Path file(String relative) { return root.resolve(relative); }

    /** The fixtures in a sub-folder. */
    public Fixtures folder(String relative) { return new Fixtures(root.resolve(relative)); }

    /**
     * The same folder, with a sub-folder left out of every listing ({@link #files}, {@link #find}): fixtures kept
     * for one test only, such as models the reference tool itself refuses.
     */
    public Fixtures excluding(String relative) {
        List<Path> more = new java.util.ArrayList<>(excluded);
        more.add(root.resolve(relative));
        return new Fixtures(root, List.copyOf(more));
    }

    /** {@code file}'s path under the folder, with {@code /} between names. */
    public String relative(Path file) { return root.relativize(file).toString().replace('\\', '/'); }

    /** Every regular file under the folder (at any depth), sorted. */
    public List<Path> files() { return find(Files::isRegularFile); }

    /** Every regular file under the folder (at any depth) whose name ends with {@code suffix}, sorted. */
    public List<Path> files(String suffix) {
        return find(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(suffix));
    }

    /** Every path under the folder (at any depth; files and folders) that {@code filter} accepts, sorted. */
    public List<Path> find(Predicate<Path> filter) {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root) && excluded.stream().noneMatch(p::startsWith)).filter(filter).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every file under the folder that has a manifest ({@link #manifestPath}), sorted. */
    public List<Path> filesWithManifest() {
        return find(p -> Files.isRegularFile(p) && manifestPath(p).isPresent());
    }

    /**
     * Every manifest under {@code relative} (a {@code .json} file at any depth, but {@code _provenance.json} and the
     * like, whose names start with an underscore), sorted.
     */
    public List<Path> manifests(String relative) {
        return folder(relative).find(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".json")
                && !p.getFileName().toString().startsWith("_"));
    }

    /**
     * Where the manifest of {@code file} is: {@code NAME.json} beside it, else {@code expected/NAME.json} in its
     * folder or the nearest folder above it, up to the root.
     */
    public Optional<Path> manifestPath(Path file) {
        String name = file.getFileName() + ".json";
        Path beside = file.resolveSibling(name);
        if (Files.isRegularFile(beside)) return Optional.of(beside);
        for (Path dir = file.getParent(); dir != null && dir.startsWith(root); dir = dir.getParent()) {
            Path expected = dir.resolve("expected").resolve(name);
            if (Files.isRegularFile(expected)) return Optional.of(expected);
        }
        return Optional.empty();
    }

    /**
     * The manifest of {@code file}.
     *
     * @throws IllegalArgumentException if it has none
     */
    public JsonNode manifest(Path file) {
        return readJson(manifestPath(file).orElseThrow(() -> new IllegalArgumentException(file + " has no manifest")));
    }

    /** Parses a JSON file (NaN and Infinity allowed, as Python writes them). */
    public static JsonNode readJson(Path json) {
        try {
            return JSON.readTree(json.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The whole content of a (small) fixture. */
    public static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SHA-256 in lowercase hex, as the manifests give it ({@code hashlib.sha256(...).hexdigest()}). */
    public static String sha256(MemorySegment bytes) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(bytes.asByteBuffer());
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 in lowercase hex. */
    public static String sha256(byte[] bytes) { return sha256(MemorySegment.ofArray(bytes)); }
}
