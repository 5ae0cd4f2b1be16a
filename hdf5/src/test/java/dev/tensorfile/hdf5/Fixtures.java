package dev.tensorfile.hdf5;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The test fixtures: {@code gen/} written by gen/make_fixtures.py with h5py (manifest NAME.json beside each file),
 * {@code pytables/} copied from PyTables' test suite by pytables/copy_fixtures.py (files old libhdf5 wrote, with
 * h5py's manifests), and {@code shared/} copied from the shared corpus (manifests under shared/expected/).
 */
final class Fixtures {
    static final Path ROOT = Path.of("src/test/resources/hdf5");
    static final Path GEN = ROOT.resolve("gen");
    static final Path SHARED = ROOT.resolve("shared");
    static final Path PYTABLES = ROOT.resolve("pytables");
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private Fixtures() {}

    /** Every fixture that has a manifest (the shards of a sharded set are checked through their index). */
    static List<Path> files() {
        try (Stream<Path> gen = Files.list(GEN); Stream<Path> old = Files.list(PYTABLES); Stream<Path> shared = Files.list(SHARED)) {
            return Stream.concat(Stream.concat(gen, old), shared)
                    .filter(p -> Files.isRegularFile(p) && !p.toString().endsWith(".py")
                            && (!p.toString().endsWith(".json") || p.toString().endsWith(".weights.json")))
                    .filter(p -> Files.exists(manifestPath(p)))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path gen(String name) { return GEN.resolve(name); }

    static Path manifestPath(Path file) {
        Path beside = file.resolveSibling(file.getFileName() + ".json");
        return Files.exists(beside) ? beside : file.resolveSibling("expected").resolve(file.getFileName() + ".json");
    }

    static JsonNode manifest(Path file) {
        try {
            return JSON.readTree(manifestPath(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(MemorySegment bytes) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(bytes.asByteBuffer());
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
