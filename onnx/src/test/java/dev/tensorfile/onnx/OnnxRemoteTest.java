package dev.tensorfile.onnx;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.RemoteOptions;
import dev.tensorfile.core.RemoteTransfer;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.loopback.LoopbackServer;
import dev.tensorfile.core.spi.RemoteFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static dev.tensorfile.onnx.Wire.cat;
import static dev.tensorfile.onnx.Wire.initializer;
import static dev.tensorfile.onnx.Wire.ld;
import static dev.tensorfile.onnx.Wire.str;
import static dev.tensorfile.onnx.Wire.tensor;
import static dev.tensorfile.onnx.Wire.vi;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model over HTTP (a loopback server) fetches its structure — every field the protobuf walk reads, in the main
 * graph, Constant nodes, subgraphs, value infos, metadata_props after the graph — and no tensor data until a tensor
 * is read, and then only that tensor's bytes; external data resolves against the URL by the local rules; hostile
 * models fail remotely as they fail locally, having fetched a bounded number of bytes.
 */
@Timeout(120)
class OnnxRemoteTest {
    @TempDir static Path dir;
    static LoopbackServer server;
    static final RemoteOptions OPTIONS = RemoteOptions.DEFAULT.withToken(null).withTimeout(Duration.ofSeconds(20));
    static final OnnxFormat FORMAT = new OnnxFormat();

    @BeforeAll
    static void serve() {
        server = LoopbackServer.start(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static TensorFile remote(Path file) {
        return remote(file, ReadLimits.DEFAULT);
    }

    static TensorFile remote(Path file, ReadLimits limits) {
        return FORMAT.open(RemoteFile.open(server.uri(file), OPTIONS), limits);
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] rawFloat(String name, byte[] data) {
        return tensor(name, 1, new long[] {data.length / 4}, ld(9, data));
    }

    static byte[] valueInfo(int field, String name, long dim) {
        return ld(field, str(1, name), ld(2, ld(1, vi(1, 1), ld(2, ld(1, vi(1, dim))))));
    }

    /**
     * A 2.6 MB model whose structure is spread between its data: a 1 MiB initializer, a Constant of 256 KiB, an If
     * whose branch holds a 300 KiB initializer, typed data, another 1 MiB initializer, then inputs, outputs and
     * (after the graph) metadata_props.
     */
    static byte[] spreadModel() {
        byte[] constant = cat(str(2, "c1"), str(4, "Constant"),
                ld(5, str(1, "value"), vi(20, 4), ld(5, rawFloat("c1", random(256 << 10, 2)))));
        byte[] branch = cat(str(2, "then"), initializer(rawFloat("sub.w", random(300 << 10, 3))),
                valueInfo(12, "sub.w", 300 << 8));
        byte[] ifNode = cat(str(1, "cond"), str(2, "y"), str(3, "if0"), str(4, "If"),
                ld(5, str(1, "then_branch"), vi(20, 5), ld(6, branch)),
                ld(5, str(1, "else_branch"), vi(20, 5), ld(6, branch)));
        byte[] typed = tensor("ints", 7, new long[] {3}, ld(7, Wire.varint(1), Wire.varint(300), Wire.varint(70000)));
        byte[] graph = cat(str(2, "g"), initializer(rawFloat("w1", random(1 << 20, 1))), ld(1, constant),
                initializer(typed), ld(1, ifNode), initializer(rawFloat("w2", random(1 << 20, 4))),
                valueInfo(11, "x", 4), valueInfo(12, "y", 4));
        return cat(vi(1, 8), str(2, "test"), ld(7, graph), ld(8, str(1, ""), vi(2, 13)),
                ld(14, str(1, "author"), str(2, "after the graph")));
    }

    @Test
    void fetchesTheStructureAndEachTensorOnlyWhenRead() throws IOException {
        Path file = dir.resolve("spread.onnx");
        Files.write(file, spreadModel());
        long size = Files.size(file);
        try (TensorFile local = FORMAT.open(file, ReadLimits.DEFAULT); TensorFile r = remote(file)) {
            assertEquals(local.metadata(), r.metadata());
            assertEquals(local.details(), r.details());
            List<String> names = r.tensors().stream().map(Tensor::name).toList();
            assertEquals(local.tensors().stream().map(Tensor::name).toList(), names);
            assertEquals(List.of("w1", "ints", "w2", "c1", "sub.w", "sub.w#2"), names);
            RemoteTransfer opened = r.remoteTransfer().orElseThrow();
            // the first 100 KiB, then a page or two around each header beyond it: none of the 2.6 MB of data
            assertTrue(opened.bytesFetched() < 200 << 10, opened + " of " + size);
            long before = opened.bytesFetched();
            Tensor w2 = r.tensor("w2");
            assertArrayEquals(local.tensor("w2").bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                    w2.bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            long read = r.remoteTransfer().orElseThrow().bytesFetched() - before;
            // its 1 MiB, less the pages at either end that came with the structure around it
            assertTrue(read >= (1 << 20) - 16384 && read <= (1 << 20) + 8192, "reading w2 fetched " + read);
            for (Tensor t : local.tensors()) {
                assertArrayEquals(t.bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        r.tensor(t.name()).bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), t.name());
            }
            r.verify();
        }
    }

    /** Initializers far apart (over the read-ahead's distance): each header costs about one small request. */
    @Test
    void readsAheadOnlyWhereTheStructureIsDense() throws IOException {
        Path file = dir.resolve("sparse-data.onnx");
        int n = 40;
        long each = 256 << 10;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            // every initializer's raw_data is a hole: ld() cannot build a 10 MB model cheaply, so it is written here
            java.io.ByteArrayOutputStream graph = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                byte[] header = tensor("t" + i, 1, new long[] {each / 4}, cat(Wire.key(9, 2), Wire.varint(each)));
                graph.writeBytes(cat(Wire.key(5, 2), Wire.varint(header.length + each), header));
                graph.writeBytes(new byte[(int) each]);
            }
            byte[] g = graph.toByteArray();
            raf.write(cat(vi(1, 8), ld(8, str(1, ""), vi(2, 13)), Wire.key(7, 2), Wire.varint(g.length)));
            raf.write(g);
        }
        try (TensorFile r = remote(file)) {
            assertEquals(n, r.tensors().size());
            RemoteTransfer t = r.remoteTransfer().orElseThrow();
            assertTrue(t.requests() <= n + 1, t.toString());
            assertTrue(t.bytesFetched() <= (100 << 10) + n * 8192L, t.toString());
        }
    }

    @Test
    void externalDataResolvesAgainstTheUrlByTheLocalRules() throws IOException {
        Path model = Files.createDirectories(dir.resolve("ext"));
        Files.createDirectories(model.resolve("sub"));
        byte[] data = random(8192, 5);
        Files.write(model.resolve("sub/w.bin"), data);
        Files.write(dir.resolve("outside.bin"), data);
        Path good = model.resolve("good.onnx");
        Files.write(good, Wire.model(initializer(external("w", "sub/w.bin"))));
        try (TensorFile local = FORMAT.open(good, ReadLimits.DEFAULT); TensorFile r = remote(good)) {
            r.tensors();
            // the model (one request), then one page of the data file for its size: none of its data
            assertEquals(Files.size(good) + 4096, r.remoteTransfer().orElseThrow().bytesFetched());
            assertArrayEquals(data, r.tensor("w").bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            assertArrayEquals(data, local.tensor("w").bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
        for (String location : List.of("../outside.bin", "/etc/passwd", "sub/../../outside.bin", "missing.bin")) {
            Path bad = model.resolve("bad.onnx");
            Files.write(bad, Wire.model(initializer(external("w", location))));
            String localError = error(() -> FORMAT.open(bad, ReadLimits.DEFAULT), bad);
            String remoteError = error(() -> remote(bad), bad);
            assertEquals(localError, remoteError, location);
            assertTrue(localError.contains(location), localError);
        }
    }

    static byte[] external(String name, String location) {
        return tensor(name, 1, new long[] {2048}, cat(ld(13, str(1, "location"), str(2, location)), vi(14, 1)));
    }

    /** The detail of the error that opening and reading every tensor ends in, the file's name in any form as FILE. */
    static String error(Supplier<TensorFile> open, Path file) {
        TensorFileException e = assertThrows(TensorFileException.class, () -> {
            try (TensorFile f = open.get()) {
                for (Tensor t : f.tensors()) t.bytes();
            }
        });
        return e.detail().replace(file.toString(), "FILE").replaceAll("http:/127\\.0\\.0\\.1:\\d+/\\S*"
                + java.util.regex.Pattern.quote(file.getFileName().toString()), "FILE");
    }

    // ---- hostile models: the local error, a bounded fetch ----------------------------------------------------------

    /** A model of {@code padding} bytes of data (a hole) and then {@code tail}, a graph field that breaks a rule. */
    static Path hostile(String name, long padding, byte[] tail, long graphLength) throws IOException {
        Path file = dir.resolve(name);
        byte[] header = tensor("pad", 2, new long[] {padding}, cat(Wire.key(9, 2), Wire.varint(padding)));
        byte[] head = cat(Wire.key(5, 2), Wire.varint(header.length + padding), header);
        long length = graphLength >= 0 ? graphLength : head.length + padding + tail.length;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(cat(vi(1, 8), ld(8, str(1, ""), vi(2, 13)), Wire.key(7, 2), Wire.varint(length), head));
            raf.seek(raf.getFilePointer() + padding);
            raf.write(tail);
        }
        return file;
    }

    static void sameErrorBoundedFetch(Path file, ReadLimits limits, long maxBytes) {
        String local = error(() -> FORMAT.open(file, limits), file);
        server.clear();
        String remote = error(() -> remote(file, limits), file);
        assertEquals(local, remote);
        long fetched = served(file);
        assertTrue(fetched <= maxBytes, fetched + " bytes fetched of " + file.getFileName());
    }

    /** The bytes the server sent of {@code file} since it was last cleared, from the ranges it was asked. */
    static long served(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        long total = 0;
        for (LoopbackServer.Request q : server.requests()) {
            if (!q.path().equals(file.getFileName().toString()) || q.range() == null) continue;
            String[] ab = q.range().substring("bytes=".length()).split("-");
            long a = Long.parseLong(ab[0]);
            long b = ab.length > 1 && !ab[1].isEmpty() ? Long.parseLong(ab[1]) : size - 1;
            total += Math.max(0, Math.min(b, size - 1) - a + 1);
        }
        return total;
    }

    @Test
    void rejectsANameClaimingBytesPastTheEndAfterFetchingOnlyHeaders() throws IOException {
        // a node whose name claims 10 GB, 4 MB into the file
        byte[] node = ld(1, Wire.key(3, 2), Wire.varint(10_000_000_000L), str(4, "Relu"));
        Path file = hostile("name-past-end.onnx", 4 << 20, node, -1);
        sameErrorBoundedFetch(file, ReadLimits.DEFAULT, 200 << 10);
    }

    @Test
    void rejectsAGraphClaimingBytesPastTheEnd() throws IOException {
        Path file = hostile("graph-past-end.onnx", 4 << 20, str(2, "g"), 1L << 40);
        sameErrorBoundedFetch(file, ReadLimits.DEFAULT, 200 << 10);
    }

    @Test
    void rejectsRawDataClaimingBytesPastTheEnd() throws IOException {
        byte[] t = ld(5, tensor("x", 1, new long[] {4}, cat(Wire.key(9, 2), Wire.varint(1L << 35))));
        Path file = hostile("raw-past-end.onnx", 4 << 20, t, -1);
        sameErrorBoundedFetch(file, ReadLimits.DEFAULT, 200 << 10);
    }

    @Test
    void rejectsMessagesNestedTooDeep() throws IOException {
        byte[] type = vi(1, 1);
        for (int i = 0; i < 120; i++) type = ld(4, ld(1, type)); // sequence_type of sequence_type of ...
        byte[] input = ld(11, str(1, "x"), ld(2, type));
        Path file = hostile("deep.onnx", 4 << 20, input, -1);
        ReadLimits limits = ReadLimits.DEFAULT.withMaxNestingDepth(64);
        String local = error(() -> {
            TensorFile f = FORMAT.open(file, limits);
            f.verify();
            return f;
        }, file);
        server.clear();
        String remote = error(() -> {
            TensorFile f = remote(file, limits);
            f.verify();
            return f;
        }, file);
        assertEquals(local, remote);
        assertTrue(local.contains("nested"), local);
        // the walk fetched the structure around the 4 MB of data, not the data
        assertTrue(served(file) <= 200 << 10, served(file) + " bytes fetched");
    }

    /**
     * A packed dims run 2 MB long lies within the file, so only its length bounds it: the remote walk refuses to
     * fetch more structure than {@link ReadLimits#maxHeaderBytes()} allows, before fetching it.
     */
    @Test
    void refusesToFetchMoreStructureThanMaxHeaderBytes() throws IOException {
        byte[] dims = new byte[2 << 20];
        java.util.Arrays.fill(dims, (byte) 1);
        byte[] t = tensor("x", 1, new long[0], ld(1, dims));
        Path file = hostile("long-dims.onnx", 4 << 20, cat(Wire.key(5, 2), Wire.varint(t.length), t), -1);
        ReadLimits limits = new ReadLimits(1 << 20, 256, 1L << 30, 100_000_000L, 1L << 34, 1);
        TensorFile r = remote(file, limits);
        try (r) {
            TensorFileException e = assertThrows(TensorFileException.class, r::tensors);
            assertTrue(e.getMessage().contains("ReadLimits.maxHeaderBytes"), e.getMessage());
            assertTrue(r.remoteTransfer().orElseThrow().bytesFetched() <= 200 << 10, r.remoteTransfer().toString());
        }
        // locally the run is read and refused for its rank; with room for it, the remote walk says the same
        String local = error(() -> FORMAT.open(file, ReadLimits.DEFAULT), file);
        assertTrue(local.contains("at most 64 dimensions"), local);
        assertEquals(local, error(() -> remote(file), file));
    }
}
