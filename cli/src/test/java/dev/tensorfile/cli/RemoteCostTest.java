package dev.tensorfile.cli;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.RemoteOptions;
import dev.tensorfile.core.RemoteTransfer;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.loopback.LoopbackServer;
import dev.tensorfile.testframework.TorchCheckpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The counting benchmark of remote reading (docs/remote.md): requests and bytes fetched to open a file and list its
 * tensors, for large synthetic models whose data are sparse (so the figures show what the header costs) and for every
 * fixture of each format, beside what huggingface_hub and @huggingface/gguf would fetch by their documented
 * algorithms. The bounds of the issue are asserted; the table is printed and written to
 * {@code target/remote-cost.md}.
 */
@Timeout(300)
class RemoteCostTest {
    @TempDir static Path dir;
    static LoopbackServer server;
    static final RemoteOptions OPTIONS = RemoteOptions.DEFAULT.withToken(null).withTimeout(Duration.ofSeconds(30));
    static final StringBuilder TABLE = new StringBuilder();

    @BeforeAll
    static void serve() {
        server = LoopbackServer.start(dir);
        TABLE.append("| file | size | header | tensorfile: requests / bytes | huggingface_hub or @huggingface/gguf: requests / bytes |\n");
        TABLE.append("|---|---:|---:|---:|---:|\n");
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        System.out.println(TABLE);
        Path out = Path.of("target/remote-cost.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, TABLE.toString());
    }

    /** Opens {@code file} remotely, lists its tensors, and returns what that cost. */
    static RemoteTransfer openAndList(Path file) {
        try (TensorFile f = TensorFiles.open(server.uri(file), OPTIONS, ReadLimits.DEFAULT)) {
            long n = 0;
            for (Tensor t : f.tensors()) n += t.name().length() + t.shape().rank();
            assertTrue(n > 0);
            return f.remoteTransfer().orElseThrow();
        }
    }

    /** huggingface_hub's get_safetensors_metadata: bytes=0-100000, then bytes=8-(7+N) if the header is longer. */
    static long[] huggingfaceHub(long size, long n) {
        long first = Math.min(size, 100_001);
        return 8 + n <= 100_001 ? new long[] {1, first} : new long[] {2, first + n};
    }

    /** @huggingface/gguf: 2,000,000-byte chunks, the next fetched while under 500,000 bytes are left to parse. */
    static long[] huggingfaceGguf(long size, long header) {
        long chunks = Math.max(1, (header + 500_000 + 1_999_999) / 2_000_000);
        return new long[] {chunks, Math.min(size, chunks * 2_000_000)};
    }

    static void row(String name, long size, long header, RemoteTransfer ours, long[] theirs) {
        TABLE.append("| ").append(name).append(" | ").append(size).append(" | ").append(header).append(" | ")
                .append(ours.requests()).append(" / ").append(ours.bytesFetched()).append(" | ")
                .append(theirs == null ? "—" : theirs[0] + " / " + theirs[1]).append(" |\n");
    }

    // ---- safetensors: 10,000 tensors over 4 GB, sparse -----------------------------------------------------------

    static long writeSafetensors(Path file, int tensors, long bytesEach) throws IOException {
        StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long at = 0;
        long rows = bytesEach / 4 / 1000;
        for (int i = 0; i < tensors; i++) {
            json.append(",\"model.layers.").append(i).append(".weight\":{\"dtype\":\"F32\",\"shape\":[").append(rows)
                    .append(",1000],\"data_offsets\":[").append(at).append(',').append(at + rows * 4000).append("]}");
            at += rows * 4000;
        }
        json.append('}');
        while ((json.length() + 8) % 8 != 0) json.append(' ');
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            raf.write(header);
            raf.setLength(8 + header.length + at); // sparse: the data are holes
        }
        return header.length;
    }

    @Test
    void safetensorsOf10000TensorsOver4GB() throws IOException {
        for (long each : new long[] {440_000, 4_000}) {
            Path file = dir.resolve("big-" + each + ".safetensors");
            long n = writeSafetensors(file, 10_000, each);
            long size = Files.size(file);
            RemoteTransfer t = openAndList(file);
            row(file.getFileName() + " (10,000 tensors)", size, 8 + n, t, huggingfaceHub(size, n));
            assertTrue(t.requests() <= 2, t.toString());
            assertTrue(t.bytesFetched() <= 8 + n + 100 * 1024, t.toString());
        }
        assertTrue(Files.size(dir.resolve("big-440000.safetensors")) > 4L << 30);
    }

    // ---- GGUF: a 150,000-token vocabulary -------------------------------------------------------------------------

    static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(b.length).array());
        out.writeBytes(b);
    }

    static byte[] le(int bytes, long v) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes == 4) b.putInt((int) v);
        else b.putLong(v);
        return b.array();
    }

    /** A GGUF v3 header: architecture, a 150k-token vocabulary with scores and types, {@code tensors} F16 tensors. */
    static long writeGguf(Path file, int tensors, long rows) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'G', 'G', 'U', 'F'});
        out.writeBytes(le(4, 3));
        out.writeBytes(le(8, tensors));
        out.writeBytes(le(8, 4));
        string(out, "general.architecture");
        out.writeBytes(le(4, 8));
        string(out, "llama");
        int vocab = 150_000;
        string(out, "tokenizer.ggml.tokens");
        out.writeBytes(le(4, 9));
        out.writeBytes(le(4, 8));
        out.writeBytes(le(8, vocab));
        for (int i = 0; i < vocab; i++) string(out, "▁tok" + Integer.toString(i, 36));
        string(out, "tokenizer.ggml.scores");
        out.writeBytes(le(4, 9));
        out.writeBytes(le(4, 6));
        out.writeBytes(le(8, vocab));
        for (int i = 0; i < vocab; i++) out.writeBytes(le(4, Float.floatToIntBits(-i)));
        string(out, "tokenizer.ggml.token_type");
        out.writeBytes(le(4, 9));
        out.writeBytes(le(4, 5));
        out.writeBytes(le(8, vocab));
        for (int i = 0; i < vocab; i++) out.writeBytes(le(4, 1));
        long offset = 0;
        for (int i = 0; i < tensors; i++) {
            string(out, "blk." + i + ".ffn_up.weight");
            out.writeBytes(le(4, 2));
            out.writeBytes(le(8, 4096));
            out.writeBytes(le(8, rows));
            out.writeBytes(le(4, 1)); // F16
            out.writeBytes(le(8, offset));
            offset += 4096 * rows * 2;
            offset += (32 - offset % 32) % 32;
        }
        while (out.size() % 32 != 0) out.write(0);
        long header = out.size();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(out.toByteArray());
            raf.setLength(header + offset);
        }
        return header;
    }

    @Test
    void ggufWithA150kTokenVocabulary() throws IOException {
        long[] fetched = new long[2];
        int k = 0;
        for (long rows : new long[] {11008, 16}) {
            Path file = dir.resolve("vocab150k-" + rows + ".gguf");
            long header = writeGguf(file, 200, rows);
            long size = Files.size(file);
            RemoteTransfer t = openAndList(file);
            row(file.getFileName() + " (150k tokens, 200 tensors)", size, header, t, huggingfaceGguf(size, header));
            assertTrue(t.bytesFetched() <= header + (2L << 20), t.toString());
            fetched[k++] = t.bytesFetched();
        }
        assertEquals(fetched[0], fetched[1], "bytes fetched do not depend on the data's size");
    }

    // ---- ONNX: 2,000 initializers --------------------------------------------------------------------------------

    static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    static void key(ByteArrayOutputStream out, int field, int wireType) { varint(out, (long) field << 3 | wireType); }

    /**
     * A model of {@code count} FLOAT initializers of {@code bytesEach} bytes of raw_data each, laid out as onnx.save
     * writes it (ir_version, opset_import, then the graph: initializers, name): every TensorProto's header is written
     * and its raw_data skipped over, so the data are holes. Returns the bytes of structure (everything but raw_data).
     */
    static long writeOnnx(Path file, int count, long bytesEach) throws IOException {
        byte[][] headers = new byte[count][];
        long graphLength = 0;
        for (int i = 0; i < count; i++) {
            ByteArrayOutputStream t = new ByteArrayOutputStream();
            key(t, 1, 0);
            varint(t, bytesEach / 4 / 8);
            key(t, 1, 0);
            varint(t, 8);
            key(t, 2, 0);
            varint(t, 1); // FLOAT
            byte[] name = ("model.layers." + i + ".weight").getBytes(StandardCharsets.UTF_8);
            key(t, 8, 2);
            varint(t, name.length);
            t.writeBytes(name);
            key(t, 9, 2);
            varint(t, bytesEach);
            ByteArrayOutputStream init = new ByteArrayOutputStream();
            key(init, 5, 2);
            varint(init, t.size() + bytesEach);
            init.writeBytes(t.toByteArray());
            headers[i] = init.toByteArray();
            graphLength += headers[i].length + bytesEach;
        }
        byte[] graphName = "weights".getBytes(StandardCharsets.UTF_8);
        graphLength += 2 + graphName.length;
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        key(model, 1, 0);
        varint(model, 8); // ir_version
        key(model, 8, 2);
        model.write(4);
        key(model, 1, 2); // opset_import { domain "", version 17 }
        model.write(0);
        key(model, 2, 0);
        model.write(17);
        key(model, 7, 2);
        varint(model, graphLength);
        long structure = model.size();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(model.toByteArray());
            for (byte[] h : headers) {
                raf.write(h);
                raf.seek(raf.getFilePointer() + bytesEach); // raw_data: a hole
                structure += h.length;
            }
            ByteArrayOutputStream tail = new ByteArrayOutputStream();
            key(tail, 2, 2);
            varint(tail, graphName.length);
            tail.writeBytes(graphName);
            raf.write(tail.toByteArray());
            structure += tail.size();
        }
        return structure;
    }

    @Test
    void onnxWith2000Initializers() throws IOException {
        RemoteTransfer[] costs = new RemoteTransfer[2];
        long[] sizes = {4 << 10, 512 << 10};
        for (int k = 0; k < 2; k++) {
            Path onnx = dir.resolve("init2000-" + (sizes[k] >> 10) + "k.onnx");
            long structure = writeOnnx(onnx, 2_000, sizes[k]);
            long size = Files.size(onnx);
            costs[k] = openAndList(onnx);
            row(onnx.getFileName() + " (2,000 initializers of " + (sizes[k] >> 10) + " KiB, inline)", size, structure,
                    costs[k], null);
        }
        // Small data: read ahead with the structure, a handful of requests for the whole 8 MB model.
        assertTrue(costs[0].requests() <= 16, costs[0].toString());
        // Large data: the headers only, one request of a page or two per initializer, whatever the data's size (the
        // model is 1 GiB; what it costs is within 8 KiB a header of the small model's).
        assertTrue(costs[1].requests() <= 2_000 + 16, costs[1].toString());
        assertTrue(costs[1].bytesFetched() <= 100 * 1024 + 2_000 * 8192L, costs[1].toString());
        assertTrue(costs[1].bytesFetched() <= 2 * costs[0].bytesFetched(), costs[0] + " vs " + costs[1]);
    }

    // ---- TensorFlow: a checkpoint of 10,000 variables ---------------------------------------------------------------

    /** Protobuf wire bytes, for the bundle below. */
    static final class Proto {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto raw(long v) {
            RemoteCostTest.varint(out, v);
            return this;
        }

        Proto varint(int field, long v) {
            key(out, field, 0);
            return raw(v);
        }

        Proto message(int field, Proto m) {
            key(out, field, 2);
            raw(m.out.size());
            out.writeBytes(m.out.toByteArray());
            return this;
        }
    }

    static int mask(int crc) { return ((crc >>> 15) | (crc << 17)) + 0xa282ead8; }

    /**
     * A checkpoint as TensorFlow's BundleWriter writes it: {@code ckpt.index}, a LevelDB table of uncompressed blocks
     * of about 4 KiB with a restart every 16 keys, and one data shard, sparse. Returns the index's size.
     */
    static long writeCheckpoint(Path dir, int count, long bytesEach) throws IOException {
        long elements = bytesEach / 4;
        java.util.List<byte[][]> kvs = new java.util.ArrayList<>();
        kvs.add(new byte[][] {new byte[0], new Proto().varint(1, 1).message(3, new Proto().varint(1, 1)).out.toByteArray()});
        for (int i = 0; i < count; i++) {
            Proto shape = new Proto().message(2, new Proto().varint(1, elements));
            Proto entry = new Proto().varint(1, 1).message(2, shape).varint(4, i * bytesEach).varint(5, elements * 4);
            entry.raw(6 << 3 | 5);
            entry.out.writeBytes(le(4, 0)); // crc32c, checked by verify only
            kvs.add(new byte[][] {String.format("model/layer_%05d/dense/kernel", i).getBytes(StandardCharsets.UTF_8),
                    entry.out.toByteArray()});
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        java.util.List<byte[][]> index = new java.util.ArrayList<>();
        java.util.List<byte[][]> block = new java.util.ArrayList<>();
        int blockBytes = 0;
        for (int i = 0; i < kvs.size(); i++) {
            block.add(kvs.get(i));
            blockBytes += kvs.get(i)[0].length + kvs.get(i)[1].length + 3;
            if (blockBytes >= 4096 || i == kvs.size() - 1) {
                long at = file.size();
                byte[] contents = tableBlock(block);
                storeBlock(file, contents);
                index.add(new byte[][] {block.getLast()[0], new Proto().raw(at).raw(contents.length).out.toByteArray()});
                block.clear();
                blockBytes = 0;
            }
        }
        long metaAt = file.size();
        byte[] meta = tableBlock(java.util.List.of());
        storeBlock(file, meta);
        long indexAt = file.size();
        byte[] indexBlock = tableBlock(index);
        storeBlock(file, indexBlock);
        byte[] footer = new byte[48];
        byte[] h = new Proto().raw(metaAt).raw(meta.length).raw(indexAt).raw(indexBlock.length).out.toByteArray();
        System.arraycopy(h, 0, footer, 0, h.length);
        System.arraycopy(le(8, 0xdb4775248b80fb57L), 0, footer, 40, 8);
        file.writeBytes(footer);
        Files.write(dir.resolve("ckpt.index"), file.toByteArray());
        try (RandomAccessFile data = new RandomAccessFile(dir.resolve("ckpt.data-00000-of-00001").toFile(), "rw")) {
            data.setLength(count * bytesEach); // sparse
        }
        return file.size();
    }

    static void storeBlock(ByteArrayOutputStream file, byte[] contents) {
        file.writeBytes(contents);
        file.write(0); // uncompressed
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(contents);
        c.update(0);
        file.writeBytes(le(4, mask((int) c.getValue())));
    }

    static byte[] tableBlock(java.util.List<byte[][]> kvs) {
        Proto b = new Proto();
        java.util.List<Integer> restarts = new java.util.ArrayList<>();
        byte[] prev = new byte[0];
        for (int i = 0; i < kvs.size(); i++) {
            byte[] key = kvs.get(i)[0];
            byte[] value = kvs.get(i)[1];
            int shared = 0;
            if (i % 16 == 0) {
                restarts.add(b.out.size());
            } else {
                while (shared < prev.length && shared < key.length && prev[shared] == key[shared]) shared++;
            }
            b.raw(shared).raw(key.length - shared).raw(value.length);
            b.out.write(key, shared, key.length - shared);
            b.out.writeBytes(value);
            prev = key;
        }
        if (restarts.isEmpty()) restarts.add(0);
        for (int r : restarts) b.out.writeBytes(le(4, r));
        b.out.writeBytes(le(4, restarts.size()));
        return b.out.toByteArray();
    }

    @Test
    void tensorflowCheckpointOf10000Variables() throws IOException {
        RemoteTransfer[] costs = new RemoteTransfer[2];
        long[] indexes = new long[2];
        long[] each = {840, 430_000}; // 8.4 MB and 4.3 GB of data
        for (int k = 0; k < 2; k++) {
            Path ckpt = Files.createDirectories(dir.resolve("tf-" + each[k]));
            long index = writeCheckpoint(ckpt, 10_000, each[k]);
            indexes[k] = index;
            long size = index + Files.size(ckpt.resolve("ckpt.data-00000-of-00001"));
            for (String url : new String[] {"ckpt.index", "ckpt"}) {
                RemoteTransfer t;
                try (TensorFile f = TensorFiles.open(server.uri(ckpt.resolve(url)), OPTIONS, ReadLimits.DEFAULT)) {
                    assertEquals(10_000, f.tensors().size());
                    t = f.remoteTransfer().orElseThrow();
                }
                if (url.equals("ckpt")) continue; // the prefix: the same files, after a 404 for the prefix itself
                costs[k] = t;
                row("TF checkpoint, 10,000 variables of " + each[k] + " bytes (.index and data shard)", size, index, t, null);
            }
        }
        // the index whole (it is the header), and one page of the data shard for its size, whatever the data's size
        // (the two indexes differ only by their offsets' varints)
        for (int k = 0; k < 2; k++) {
            assertTrue(costs[k].bytesFetched() <= indexes[k] + 2 * 4096, costs[k].toString());
            assertTrue(costs[k].requests() <= 3, costs[k].toString());
        }
    }

    // ---- npy: a 1 GiB array ------------------------------------------------------------------------------------

    @Test
    void npyOf1GiB() throws IOException {
        Path npy = dir.resolve("big.npy");
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (16384, 16384), }";
        StringBuilder header = new StringBuilder(dict);
        while ((10 + header.length() + 1) % 64 != 0) header.append(' ');
        header.append('\n');
        try (RandomAccessFile raf = new RandomAccessFile(npy.toFile(), "rw")) {
            raf.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
            raf.write(le(4, header.length()), 0, 2);
            raf.write(header.toString().getBytes(StandardCharsets.US_ASCII));
            raf.setLength(10 + header.length() + (1L << 30)); // sparse
        }
        RemoteTransfer t = openAndList(npy);
        row("npy, one F32 array of 1 GiB", Files.size(npy), 10 + header.length(), t, null);
        assertEquals(1, t.requests(), t.toString()); // the first request holds the header
        assertTrue(t.bytesFetched() <= 100 * 1024, t.toString());
    }

    // ---- HDF5: a Keras 2 layout of 500 datasets, h5py's, at 1 MB and at 16 GB ----------------------------------------

    /** The sparse file hdf5's remote/make_keras_layout.py describes (its non-hole runs, gzipped): the data are holes. */
    static Path unpackExtents(String name) throws IOException {
        Path out = dir.resolve(name);
        Path extents = RemoteEquivalenceTest.REPO.resolve("hdf5/src/test/resources/hdf5/remote").resolve(name + ".extents.gz");
        try (var in = new java.io.DataInputStream(new java.util.zip.GZIPInputStream(Files.newInputStream(extents)));
             RandomAccessFile raf = new RandomAccessFile(out.toFile(), "rw")) {
            ByteBuffer head = ByteBuffer.wrap(in.readNBytes(12)).order(ByteOrder.LITTLE_ENDIAN);
            raf.setLength(head.getLong());
            for (int i = head.getInt(); i > 0; i--) {
                ByteBuffer run = ByteBuffer.wrap(in.readNBytes(12)).order(ByteOrder.LITTLE_ENDIAN);
                raf.seek(run.getLong());
                raf.write(in.readNBytes(run.getInt()));
            }
        }
        return out;
    }

    @Test
    void hdf5KerasLayoutOf500Datasets() throws IOException {
        for (String name : new String[] {"keras-layout-4096.h5", "keras-layout-16.h5"}) {
            Path file = unpackExtents(name);
            long size = Files.size(file);
            RemoteTransfer t = openAndList(file);
            row(name + " (Keras 2 layout, 500 datasets)", size, -1, t, null);
            // Each layer's metadata lies beside its weights (h5py's layout): a request per cluster of it, a few MB in
            // all however large the weights (docs/remote.md).
            assertTrue(t.bytesFetched() < 16 << 20 && t.requests() < 400, t.toString());
            Files.delete(file);
        }
    }

    // ---- PyTorch zip: 1,000 tensors, a 3 GB sparse checkpoint and a 4 MB one --------------------------------------

    @Test
    void pytorchZipOf1000Tensors() throws IOException {
        long[] fetched = new long[2];
        int k = 0;
        for (long elements : new long[] {750_000, 1_000}) {
            Path file = dir.resolve("torch-" + elements + ".pt");
            long header = TorchCheckpoints.write(file, 1_000, elements, true);
            long size = Files.size(file);
            RemoteTransfer t = openAndList(file);
            row(file.getFileName() + " (PyTorch zip, 1,000 tensors)", size, header, t, null);
            // the first 100 KiB (data.pkl is the first entry) and the last 128 KiB (end record, central directory)
            assertTrue(t.requests() <= 3, t.toString());
            assertTrue(t.bytesFetched() <= header + 256 * 1024, t.toString());
            fetched[k++] = t.bytesFetched();
        }
        assertTrue(Files.size(dir.resolve("torch-750000.pt")) > 3_000_000_000L);
        // the same but for where the file's end falls in a 4 KiB page (the tail is fetched in whole pages)
        assertTrue(Math.abs(fetched[0] - fetched[1]) < 4096, "bytes fetched do not depend on the data's size: "
                + fetched[0] + " and " + fetched[1]);
    }

    /** Scanning the same checkpoints over HTTP fetches their directory and data.pkl, never a storage. */
    @Test
    void scanOfAPytorchZipOf1000Tensors() throws IOException {
        for (long elements : new long[] {750_000, 1_000}) {
            Path file = dir.resolve("scan-torch-" + elements + ".pt");
            long header = TorchCheckpoints.write(file, 1_000, elements, true);
            long size = Files.size(file);
            server.clear();
            dev.tensorfile.core.ScanReport r = dev.tensorfile.core.Scanning.scan(server.uri(file), OPTIONS, ReadLimits.DEFAULT);
            assertEquals(dev.tensorfile.core.Verdict.SAFE, r.verdict(), r.findings().toString());
            long requests = server.requests().size();
            long bytes = 0;
            for (LoopbackServer.Request q : server.requests()) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("bytes=(\\d+)-(\\d+)").matcher(q.range());
                assertTrue(m.matches(), q.range());
                bytes += Math.min(size - 1, Long.parseLong(m.group(2))) - Long.parseLong(m.group(1)) + 1;
            }
            TABLE.append("| scan of ").append(file.getFileName()).append(" (PyTorch zip, 1,000 tensors) | ").append(size)
                    .append(" | ").append(header).append(" | ").append(requests).append(" / ").append(bytes).append(" | — |\n");
            assertTrue(requests <= 3, server.requests().toString());
            assertTrue(bytes <= header + 256 * 1024, bytes + " bytes");
        }
    }

    /** A storage read over HTTP is fetched then, by range, and reads what it reads locally. */
    @Test
    void pytorchZipStorageIsFetchedWhenRead() throws IOException {
        Path file = dir.resolve("torch-random.pt");
        TorchCheckpoints.write(file, 300, 16_384, false); // 64 KiB each, random
        try (TensorFile local = TensorFiles.open(file);
                TensorFile remote = TensorFiles.open(server.uri(file), OPTIONS, ReadLimits.DEFAULT)) {
            RemoteTransfer opened = remote.remoteTransfer().orElseThrow();
            Tensor t = remote.find("layer150.weight").orElseThrow();
            assertTrue(t.isView());
            assertEquals(local.find("layer150.weight").orElseThrow().bytes().mismatch(t.bytes()), -1);
            RemoteTransfer read = remote.remoteTransfer().orElseThrow();
            assertTrue(read.requests() - opened.requests() <= 2, opened + " then " + read);
            assertTrue(read.bytesFetched() - opened.bytesFetched() <= 64 * 1024 + 2 * 4096, opened + " then " + read);
            // the rest reads the same, whatever order
            for (Tensor r : remote.tensors()) {
                assertEquals(-1, local.find(r.name()).orElseThrow().bytes().mismatch(r.bytes()), r.name());
            }
        }
    }

    // ---- every fixture, by format ----------------------------------------------------------------------------------

    @Test
    void everyFixtureByFormat() throws IOException {
        Map<String, long[]> byFormat = new TreeMap<>(); // files, size, requests, bytes
        try (LoopbackServer repo = LoopbackServer.start(RemoteEquivalenceTest.REPO)) {
            for (Path p : RemoteEquivalenceTest.fixtures()) {
                if (p.startsWith(RemoteEquivalenceTest.SHARED)) continue;
                String format;
                try (TensorFile local = TensorFiles.open(p)) {
                    format = local.format();
                    local.tensors();
                } catch (RuntimeException e) {
                    continue;
                }
                try (TensorFile f = TensorFiles.open(repo.uri(p), OPTIONS, ReadLimits.DEFAULT)) {
                    f.tensors().forEach(Tensor::name);
                    RemoteTransfer t = f.remoteTransfer().orElseThrow();
                    long[] s = byFormat.computeIfAbsent(format, x -> new long[4]);
                    s[0]++;
                    s[1] += Files.size(p);
                    s[2] += t.requests();
                    s[3] += t.bytesFetched();
                } catch (RuntimeException e) {
                    // a fixture that opens lazily only in part (a JSON error read on access) is left out
                }
            }
        }
        TABLE.append("\n| fixtures of format | files | total size | requests | bytes fetched |\n|---|---:|---:|---:|---:|\n");
        byFormat.forEach((f, s) -> TABLE.append("| ").append(f).append(" | ").append(s[0]).append(" | ").append(s[1])
                .append(" | ").append(s[2]).append(" | ").append(s[3]).append(" |\n"));
        assertTrue(byFormat.containsKey("safetensors") && byFormat.containsKey("gguf"), byFormat.keySet().toString());
    }
}
