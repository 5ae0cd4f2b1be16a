package dev.tensorfile.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** The interop fixtures in test resources: files the real tools wrote and the manifests they read back. */
final class Fixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {}

    /** The root of a test resource folder. */
    static Path resource(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code interop/…}: the safetensors fixtures. */
    static Path files() { return resource("interop"); }

    /** Every manifest, each with the fixture path it describes. */
    static List<Path> manifests() {
        try (Stream<Path> s = Files.walk(resource("interop-expected"))) {
            return s.filter(p -> p.toString().endsWith(".json") && !p.getFileName().toString().startsWith("_"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture a manifest describes. */
    static Path fileOf(Path manifest) {
        Path rel = resource("interop-expected").relativize(manifest);
        String name = rel.toString();
        return files().resolve(name.substring(0, name.length() - ".json".length()));
    }

    static JsonNode read(Path json) {
        try {
            return JSON.readTree(json.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every .safetensors fixture. */
    static List<Path> safetensorsFiles() {
        try (Stream<Path> s = Files.walk(files())) {
            return s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(MemorySegment bytes) {
        return sha256(bytes.toArray(ValueLayout.JAVA_BYTE));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
