package dev.tensorfile.cli;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.RemoteOptions;
import dev.tensorfile.core.RemoteTransfer;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.loopback.LoopbackServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every fixture of every format module's tests (and of {@code ../shared/fixtures} when it is there), opened through
 * a loopback HTTP server and opened locally, must read the same: the same {@code inspect --json} (or the same
 * error), every tensor's bytes identical. A remote reader that read bytes it had not fetched would read the cache's
 * zeros and differ here. Safetensors and GGUF files must also stay within their request and byte bounds.
 */
@Timeout(600)
class RemoteEquivalenceTest {
    static final Path REPO = Path.of("").toAbsolutePath().getParent();
    static final Path SHARED = REPO.getParent().resolve("shared/fixtures");
    static final RemoteOptions OPTIONS = RemoteOptions.DEFAULT.withToken(null).withTimeout(Duration.ofSeconds(20));
    static LoopbackServer repoServer;
    static LoopbackServer sharedServer;

    @BeforeAll
    static void serve() {
        repoServer = LoopbackServer.start(REPO);
        if (Files.isDirectory(SHARED)) sharedServer = LoopbackServer.start(SHARED);
    }

    @AfterAll
    static void stop() {
        repoServer.close();
        if (sharedServer != null) sharedServer.close();
    }

    static List<Path> fixtures() throws IOException {
        List<Path> all = new ArrayList<>();
        for (String module : List.of("safetensors", "gguf", "onnx", "hdf5", "pickle-inspect", "tensorflow", "cli")) {
            Path dir = REPO.resolve(module).resolve("src/test/resources");
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.walk(dir)) {
                s.filter(Files::isRegularFile).sorted().forEach(all::add);
            }
        }
        if (Files.isDirectory(SHARED)) {
            try (Stream<Path> s = Files.walk(SHARED)) {
                s.filter(Files::isRegularFile).sorted().forEach(all::add);
            }
        }
        return all;
    }

    @TestFactory
    Stream<DynamicTest> everyFixtureReadsTheSameOverHttp() throws IOException {
        return fixtures().stream().map(p -> DynamicTest.dynamicTest(REPO.getParent().relativize(p).toString(), () -> compare(p)));
    }

    /**
     * Every ZIP fixture scans the same over HTTP as locally: a PyTorch, TorchScript or npz archive through range
     * requests (its directory and pickles only), any other by download.
     */
    @TestFactory
    Stream<DynamicTest> everyZipFixtureScansTheSameOverHttp() throws IOException {
        return fixtures().stream().filter(RemoteEquivalenceTest::isZip)
                .map(p -> DynamicTest.dynamicTest(REPO.getParent().relativize(p).toString(), () -> {
                    LoopbackServer server = p.startsWith(SHARED) ? sharedServer : repoServer;
                    assertEquals(scanOutcome(() -> dev.tensorfile.core.Scanning.scan(p)),
                            scanOutcome(() -> dev.tensorfile.core.Scanning.scan(server.uri(p), OPTIONS, ReadLimits.DEFAULT)));
                }));
    }

    private static boolean isZip(Path p) {
        try (java.io.InputStream in = Files.newInputStream(p)) {
            byte[] b = in.readNBytes(4);
            return b.length == 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String scanOutcome(java.util.function.Supplier<dev.tensorfile.core.ScanReport> scan) {
        try {
            dev.tensorfile.core.ScanReport r = scan.get();
            StringBuilder b = new StringBuilder(r.verdict().jsonName()).append('\n');
            for (dev.tensorfile.core.ScanFinding f : r.findings()) {
                b.append(f.global()).append(' ').append(f.severity()).append(' ').append(f.entry()).append(' ')
                        .append(f.offset()).append(' ').append(f.detail()).append('\n');
            }
            return b.toString();
        } catch (TensorFileException e) {
            return "error: " + e.detail();
        }
    }

    /** The local open's JSON, or its error's detail. */
    private static String inspect(TensorFile f) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InspectCommand.printJson("FILE", f, new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void compare(Path local) throws IOException {
        LoopbackServer server = local.startsWith(SHARED) ? sharedServer : repoServer;
        String expected = outcome(local, () -> TensorFiles.open(local), false);
        String got = outcome(local, () -> TensorFiles.open(server.uri(local), OPTIONS, ReadLimits.DEFAULT), true);
        assertEquals(expected, got, () -> !expected.startsWith("error: ") && got.startsWith("error: ")
                ? "opens locally but not over HTTP: a format that reads other files beside this one (shards, data files)"
                        + " needs TensorFormat.open(RemoteFile, ReadLimits) opening them with RemoteFile.sibling (docs/remote.md)"
                : "reads differently over HTTP");
    }

    /**
     * What reading a file gives: its inspect JSON and a digest of every tensor's bytes, or the error that stopped it
     * (with the file's name in any form replaced, so a local and a remote error compare).
     */
    private static String outcome(Path local, java.util.function.Supplier<TensorFile> open, boolean remote) {
        StringBuilder b = new StringBuilder();
        try (TensorFile f = open.get()) {
            RemoteTransfer opened = remote ? f.remoteTransfer().orElseThrow() : null;
            String json = normalise(inspect(f), local);
            b.append(json.replaceFirst(",\\s*\"remote\" : \\{[^}]*}", ""));
            if (remote) checkBounds(local, f, opened);
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            for (Tensor t : f.tensors()) {
                if (t.info().byteLength() > 256L << 20) continue; // bounded test time
                sha.reset();
                sha.update(t.bytes().asByteBuffer());
                b.append(t.name()).append(' ').append(java.util.HexFormat.of().formatHex(sha.digest())).append('\n');
            }
        } catch (TensorFileException e) {
            b.append("error: ").append(normalise(e.detail(), local));
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        return b.toString();
    }

    /** Bytes fetched to open and list, against what the header needs. */
    private static void checkBounds(Path local, TensorFile r, RemoteTransfer opened) throws IOException {
        String name = local.getFileName().toString();
        long size = Files.size(local);
        if (r.format().equals("safetensors") && name.endsWith(".safetensors")) {
            long header = 8 + Long.reverseBytes(readLong(local));
            assertTrue(opened.requests() <= 2, name + ": " + opened);
            assertTrue(opened.bytesFetched() <= Math.min(size, header) + 100 * 1024 + 4096, name + ": " + opened);
        }
        if (r.format().equals("gguf") && !name.matches(".*-\\d+-of-\\d+\\.gguf")) {
            assertTrue(opened.bytesFetched() <= dataStart(r) + (2L << 20) + 100 * 1024, name + ": " + opened);
        }
    }

    private static long dataStart(TensorFile r) {
        for (String d : r.details()) {
            int at = d.indexOf("tensor data at byte ");
            if (at >= 0) return Long.parseLong(d.substring(at + 20).trim());
        }
        throw new AssertionError("no data start in " + r.details());
    }

    private static long readLong(Path p) throws IOException {
        try (var in = Files.newInputStream(p)) {
            return new java.io.DataInputStream(in).readLong();
        }
    }

    /** The file named locally, remotely, or as the temporary download of a format that reads only local files. */
    private static String normalise(String detail, Path local) {
        if (detail == null) return null;
        String name = java.util.regex.Pattern.quote(local.getFileName().toString());
        return detail.replace(local.toString(), "FILE")
                .replaceAll("http:/127\\.0\\.0\\.1:\\d+/\\S*" + name, "FILE")
                .replaceAll("/\\S*/tensorfile-\\d+-\\S*" + name, "FILE");
    }
}
