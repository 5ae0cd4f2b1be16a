package dev.tensorfile.onnx;

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

/** The test fixtures: the shared corpus (copied) and those that gen/make_fixtures.py wrote with python3-onnx. */
final class Fixtures {
    static final Path ROOT = Path.of("src/test/resources/onnx");
    static final Path GEN = ROOT.resolve("gen");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {}

    /** Every fixture model. */
    static List<Path> models() {
        try (Stream<Path> s = Files.walk(ROOT)) {
            // gen/nesting holds models onnx.load itself refuses (NestingTest reads them)
            return s.filter(p -> p.toString().endsWith(".onnx") && !p.startsWith(GEN.resolve("nesting"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The manifest of a model: expected/NAME.json for the shared corpus, NAME.json beside generated ones. */
    static JsonNode manifest(Path model) {
        Path beside = model.resolveSibling(model.getFileName() + ".json");
        Path shared = ROOT.resolve("expected").resolve(model.getFileName() + ".json");
        try {
            return JSON.readTree((Files.exists(beside) ? beside : shared).toFile());
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

    static String sha256(byte[] bytes) {
        return sha256(MemorySegment.ofArray(bytes));
    }
}
