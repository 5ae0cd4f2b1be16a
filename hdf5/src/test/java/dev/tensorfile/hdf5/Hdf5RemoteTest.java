package dev.tensorfile.hdf5;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.RemoteOptions;
import dev.tensorfile.core.RemoteTransfer;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.loopback.LoopbackServer;
import dev.tensorfile.hdf5.format.Superblock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HDF5 over HTTP reads its structures through windows (docs/remote.md). The fixtures are small enough that the
 * first request (100 KiB) would hold them whole, so each is served behind a 128 KiB user block (a legal HDF5 prefix:
 * the superblock is then found at 131072 and every address is relative to it): every structure and every tensor is
 * then fetched by the reader's own windows, and each must read as the same file read locally does, errors included.
 */
@Timeout(300)
class Hdf5RemoteTest {
    static final long USER_BLOCK = 128 * 1024;
    static final Path ROOT = Path.of("src/test/resources/hdf5");
    static final RemoteOptions OPTIONS = RemoteOptions.DEFAULT.withToken(null).withTimeout(Duration.ofSeconds(20));
    @TempDir static Path dir;
    static LoopbackServer server;

    @BeforeAll
    static void serve() { server = LoopbackServer.start(dir); }

    @AfterAll
    static void stop() { server.close(); }

    /** Every HDF5 fixture (hostile ones included) whose superblock is at 0, so that a user block can go before it. */
    static List<Path> fixtures() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(ROOT)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                byte[] b = Files.readAllBytes(p);
                if (Superblock.find(MemorySegment.ofArray(b)) == 0) out.add(p);
            }
        }
        return out;
    }

    static Path shifted(Path p) {
        return shifted(p, dir.resolve(ROOT.relativize(p).toString().replace('/', '_')));
    }

    /** {@code p} behind a user block of {@link #USER_BLOCK} bytes, written to {@code s} (once). */
    static Path shifted(Path p, Path s) {
        try {
            if (!Files.exists(s)) {
                byte[] b = Files.readAllBytes(p);
                byte[] out = new byte[(int) USER_BLOCK + b.length];
                System.arraycopy(b, 0, out, (int) USER_BLOCK, b.length);
                Files.write(s, out);
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyFixtureReadsTheSameThroughWindows() throws IOException {
        return fixtures().stream().map(p -> DynamicTest.dynamicTest(p.toString(), () -> {
            Path s = shifted(p);
            String local = outcome(s, () -> new Hdf5Format().open(s, ReadLimits.DEFAULT));
            String remote = outcome(s, () -> TensorFiles.open(server.uri(s), OPTIONS, ReadLimits.DEFAULT));
            assertEquals(local, remote);
        }));
    }

    /**
     * Asserts that the HDF5 file {@code p} (a hostile one, say), put behind a user block, reads over HTTP as it does
     * locally: the same tensors and bytes, or the same one-line error (its offsets moved by the user block alike).
     */
    static void readsTheSameOverHttp(Path p, ReadLimits limits) {
        Path s = shifted(p, p.resolveSibling(p.getFileName() + ".behind-user-block.h5"));
        try (LoopbackServer near = LoopbackServer.start(s.getParent())) {
            String local = outcome(s, () -> new Hdf5Format().open(s, limits));
            String remote = outcome(s, () -> TensorFiles.open(near.uri(s), OPTIONS, limits));
            assertEquals(local, remote, p + " reads differently over HTTP");
        }
    }

    /** Tensors (with a digest of their bytes), metadata, details and unsupported entries; or the error's detail. */
    static String outcome(Path file, Supplier<TensorFile> open) {
        StringBuilder b = new StringBuilder();
        try (TensorFile f = open.get()) {
            b.append(f.format()).append('\n').append(f.metadata().asMap()).append('\n');
            f.details().forEach(d -> b.append(d).append('\n'));
            f.unsupported().forEach(u -> b.append(u).append('\n'));
            for (Tensor t : f.tensors()) {
                b.append(t.name()).append(' ').append(t.dtype()).append(' ').append(t.shape()).append(' ');
                try {
                    b.append(t.info().byteLength() > 64L << 20 ? "(large)" : sha256(t.bytes()));
                    if (t.dtype() == dev.tensorfile.core.DType.STRING) b.append(' ').append(t.strings());
                } catch (TensorFileException e) {
                    b.append("error: ").append(normalise(e.detail(), file));
                }
                b.append('\n');
            }
            f.verify();
            b.append("verified\n");
        } catch (TensorFileException e) {
            b.append("error: ").append(normalise(e.detail(), file));
        }
        return b.toString();
    }

    static String sha256(MemorySegment bytes) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update(bytes.asByteBuffer());
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String normalise(String detail, Path file) {
        return detail == null ? null : detail.replace(file.toString(), "FILE")
                .replaceAll("http:/127\\.0\\.0\\.1:\\d+/\\S*" + java.util.regex.Pattern.quote(file.getFileName().toString()), "FILE");
    }

    @Test
    void openingFetchesStructuresNotData() throws IOException {
        Path p = shifted(ROOT.resolve("gen/keras2-full.h5"));
        try (TensorFile f = TensorFiles.open(server.uri(p), OPTIONS, ReadLimits.DEFAULT)) {
            RemoteTransfer opened = f.remoteTransfer().orElseThrow();
            assertTrue(opened.bytesFetched() < Files.size(p), opened + " of " + Files.size(p));
            for (Tensor t : f.tensors()) t.bytes();
            assertTrue(f.remoteTransfer().orElseThrow().bytesFetched() >= opened.bytesFetched());
        }
    }

    @Test
    void structureBytesFetchedAreBoundedByMaxHeaderBytes() {
        Path p = shifted(ROOT.resolve("gen/keras2-full.h5"));
        ReadLimits d = ReadLimits.DEFAULT;
        ReadLimits tight = new ReadLimits(2_000, d.maxNestingDepth(), d.maxStringBytes(), d.maxCollectionSize(),
                d.maxDecodedBytes(), d.decodeThreads());
        TensorFileException e = assertThrows(TensorFileException.class,
                () -> TensorFiles.open(server.uri(p), OPTIONS, tight).close());
        assertTrue(e.getMessage().contains("ReadLimits.maxHeaderBytes"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    /**
     * A local heap claiming a 3 GiB data segment (inside a 4 GiB sparse file, so the claim is in bounds): locally a
     * mapping slice, over HTTP a fetch that ReadLimits.maxHeaderBytes refuses, in one line, before asking for it.
     */
    @Test
    void aStructureClaimingGigabytesIsRefusedBeforeItIsFetched() throws IOException {
        byte[] b = Files.readAllBytes(ROOT.resolve("gen/groups-earliest.h5"));
        int heap = indexOf(b, "HEAP");
        java.nio.ByteBuffer.wrap(b, heap + 8, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(3L << 30);
        Path p = dir.resolve("heap-claims-3GiB.h5");
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(p.toFile(), "rw")) {
            raf.write(b);
            raf.setLength(4L << 30); // sparse
        }
        server.clear();
        TensorFileException e = assertThrows(TensorFileException.class,
                () -> TensorFiles.open(server.uri(p), OPTIONS, ReadLimits.DEFAULT).close());
        String m = e.getMessage();
        assertTrue(m.contains("local heap data segment") && m.contains("ReadLimits.maxHeaderBytes")
                && m.contains(p.getFileName().toString()) && !m.contains("\n"), m);
        long asked = 0;
        for (LoopbackServer.Request r : server.requests()) {
            String[] ab = r.range().substring("bytes=".length()).split("-");
            asked += Long.parseLong(ab[1]) - Long.parseLong(ab[0]) + 1;
        }
        assertTrue(asked < 1 << 20, asked + " bytes asked");
    }

    static int indexOf(byte[] b, String sig) {
        outer:
        for (int i = 0; i <= b.length - sig.length(); i++) {
            for (int j = 0; j < sig.length(); j++) if (b[i + j] != sig.charAt(j)) continue outer;
            return i;
        }
        throw new AssertionError(sig + " not found");
    }

    /**
     * Files our writers make, with 24 MB of data: a {@code .keras} archive (directory from the end, config.json, the
     * stored model.weights.h5 read in place) and an HDF5 file, contiguous and gzip-chunked. Opening and listing
     * fetches the structures only; every tensor then reads as it does locally.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"model.keras", "gzip.keras", "plain.h5", "gzip.h5"})
    void writtenFilesOpenWithoutTheirData(String name) throws IOException {
        Path file = dir.resolve("written-" + name);
        var options = name.startsWith("gzip") ? new dev.tensorfile.core.WriteOptions(java.util.Map.of("compress", "gzip"))
                : dev.tensorfile.core.WriteOptions.NONE;
        List<dev.tensorfile.core.TensorInfo> infos = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            infos.add(dev.tensorfile.core.TensorInfo.of("layer_" + i + "/kernel", dev.tensorfile.core.DType.F32,
                    dev.tensorfile.core.Shape.of(512, 512)));
        }
        var md = dev.tensorfile.core.Metadata.builder().put(KerasWriter.CONFIG_KEY, "{\"class_name\": \"Sequential\"}").build();
        try (dev.tensorfile.core.TensorWriter w = name.endsWith(".keras") ? new KerasWriter(file, options)
                : new Hdf5Writer(file, options)) {
            for (var t : w.declare(md, infos)) {
                float[] v = new float[512 * 512];
                java.util.Random r = new java.util.Random(t.name().hashCode());
                for (int k = 0; k < v.length; k++) v[k] = r.nextInt(100); // compressible, not constant
                w.write(t.name(), MemorySegment.ofArray(v));
            }
        }
        String local = outcome(file, () -> TensorFiles.open(file));
        try (TensorFile f = TensorFiles.open(server.uri(file), OPTIONS, ReadLimits.DEFAULT)) {
            assertEquals(24, f.tensors().size());
            RemoteTransfer opened = f.remoteTransfer().orElseThrow();
            assertTrue(opened.bytesFetched() < 1 << 20, opened + " to open a file of " + Files.size(file));
        }
        assertEquals(local, outcome(file, () -> TensorFiles.open(server.uri(file), OPTIONS, ReadLimits.DEFAULT)));
        if (name.endsWith(".keras")) {
            // by its central directory (read from the end), not its name: the first 100 KiB hold no end record
            Path unnamed = Files.copy(file, dir.resolve("written-" + name + ".data"));
            try (TensorFile f = TensorFiles.open(server.uri(unnamed), OPTIONS, ReadLimits.DEFAULT)) {
                assertEquals("keras", f.format());
                assertEquals(24, f.tensors().size());
            }
        }
    }

    /**
     * Writes the sparse file that {@code extents} (made by remote/make_keras_layout.py: u64 size, u32 run count,
     * then u64 offset, u32 length and the bytes of each run) describes: the data are holes.
     */
    static Path unpackExtents(Path extents, Path out) throws IOException {
        try (var in = new java.io.DataInputStream(new java.util.zip.GZIPInputStream(Files.newInputStream(extents)));
             java.io.RandomAccessFile raf = new java.io.RandomAccessFile(out.toFile(), "rw")) {
            java.nio.ByteBuffer head = java.nio.ByteBuffer.wrap(in.readNBytes(12)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            long size = head.getLong();
            int runs = head.getInt();
            raf.setLength(size);
            for (int i = 0; i < runs; i++) {
                java.nio.ByteBuffer r = java.nio.ByteBuffer.wrap(in.readNBytes(12)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                raf.seek(r.getLong());
                raf.write(in.readNBytes(r.getInt()));
            }
        }
        return out;
    }

    /**
     * h5py's Keras 2 layout of 500 datasets (libhdf5 1.10: superblock 0, symbol-table groups, each layer's metadata
     * beside its weights), at 1 MB and at 16 GB with the data as holes: over HTTP each lists what it lists locally,
     * fetching at most a few MB however large the data.
     */
    @Test
    void aKerasLayoutOf500DatasetsListsTheSameAtAnyDataSize() throws IOException {
        for (String name : List.of("keras-layout-16.h5", "keras-layout-4096.h5")) {
            Path p = unpackExtents(ROOT.resolve("remote").resolve(name + ".extents.gz"), dir.resolve(name));
            StringBuilder local = new StringBuilder();
            StringBuilder remote = new StringBuilder();
            try (TensorFile f = new Hdf5Format().open(p, ReadLimits.DEFAULT)) {
                local.append(f.metadata().asMap()).append(f.details()).append(f.tensors().stream().map(Tensor::info).toList());
            }
            try (TensorFile f = TensorFiles.open(server.uri(p), OPTIONS, ReadLimits.DEFAULT)) {
                remote.append(f.metadata().asMap()).append(f.details()).append(f.tensors().stream().map(Tensor::info).toList());
                assertEquals(500, f.tensors().size());
                RemoteTransfer t = f.remoteTransfer().orElseThrow();
                assertTrue(t.bytesFetched() < 16 << 20 && t.requests() < 400, name + ": " + t);
                MemorySegment kernel = f.tensor("dense_7/dense_7/kernel:0").bytes(); // a hole: zeros, fetched by range
                assertEquals(0, kernel.get(java.lang.foreign.ValueLayout.JAVA_BYTE, kernel.byteSize() - 1));
            }
            assertEquals(local.toString(), remote.toString());
            Files.delete(p);
        }
    }
}
