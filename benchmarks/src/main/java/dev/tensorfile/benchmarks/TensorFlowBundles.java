package dev.tensorfile.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * TF checkpoints the TensorFlow benchmark reads, written in its set-up as TensorFlow's {@code BundleWriter} writes
 * them (no TensorFlow here): {@code ckpt.index}, a LevelDB-format table of uncompressed 4 KiB blocks with a restart
 * every 16 keys, and one data shard {@code ckpt.data-00000-of-00001} (sparse: zeros cost no disk).
 */
final class TensorFlowBundles {
    private static final long MAGIC = 0xdb4775248b80fb57L;
    private static final int BLOCK = 4096;
    private static final int RESTART_INTERVAL = 16;

    private TensorFlowBundles() {}

    /** A checkpoint of {@code count} F32 variables, about {@code totalBytes} of data; returns the prefix. */
    static Path write(Path dir, int count, long totalBytes) throws IOException {
        long elements = Math.max(1, totalBytes / count / 4);
        long size = elements * 4;
        int crc = maskedCrcOfZeros(size);
        List<byte[][]> kvs = new ArrayList<>();
        OnnxModels.Proto header = new OnnxModels.Proto().varint(1, 1).bytes(3, new OnnxModels.Proto().varint(1, 1));
        kvs.add(new byte[][] {new byte[0], header.out.toByteArray()});
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) names.add(String.format("model/layer_%05d/dense/kernel", i));
        names.sort(null);
        for (int i = 0; i < count; i++) {
            OnnxModels.Proto shape = new OnnxModels.Proto().bytes(2, new OnnxModels.Proto().varint(1, elements));
            OnnxModels.Proto entry = new OnnxModels.Proto().varint(1, 1).bytes(2, shape).varint(4, i * size).varint(5, size);
            entry.rawVarint(6 << 3 | 5).fixed32(crc);
            kvs.add(new byte[][] {names.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8), entry.out.toByteArray()});
        }
        Path prefix = dir.resolve("ckpt");
        try (OutputStream out = Files.newOutputStream(dir.resolve("ckpt.index"))) {
            out.write(table(kvs));
        }
        try (RandomAccessFile data = new RandomAccessFile(dir.resolve("ckpt.data-00000-of-00001").toFile(), "rw")) {
            data.setLength(count * size);
        }
        return prefix;
    }

    private static int maskedCrcOfZeros(long size) {
        CRC32C c = new CRC32C();
        byte[] zeros = new byte[1 << 16];
        for (long done = 0; done < size; done += zeros.length) c.update(zeros, 0, (int) Math.min(zeros.length, size - done));
        return mask((int) c.getValue());
    }

    private static int mask(int crc) { return ((crc >>> 15) | (crc << 17)) + 0xa282ead8; }

    private static byte[] table(List<byte[][]> kvs) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        List<byte[][]> index = new ArrayList<>();
        List<byte[][]> block = new ArrayList<>();
        int blockBytes = 0;
        for (int i = 0; i < kvs.size(); i++) {
            block.add(kvs.get(i));
            blockBytes += kvs.get(i)[0].length + kvs.get(i)[1].length + 3;
            if (blockBytes >= BLOCK || i == kvs.size() - 1) {
                long at = file.size();
                byte[] contents = block(block);
                stored(file, contents);
                index.add(new byte[][] {block.getLast()[0], new OnnxModels.Proto().rawVarint(at).rawVarint(contents.length).out.toByteArray()});
                block.clear();
                blockBytes = 0;
            }
        }
        long metaAt = file.size();
        byte[] meta = block(List.of());
        stored(file, meta);
        long indexAt = file.size();
        byte[] indexBlock = block(index);
        stored(file, indexBlock);
        OnnxModels.Proto handles = new OnnxModels.Proto().rawVarint(metaAt).rawVarint(meta.length).rawVarint(indexAt).rawVarint(indexBlock.length);
        byte[] footer = new byte[48];
        byte[] h = handles.out.toByteArray();
        System.arraycopy(h, 0, footer, 0, h.length);
        for (int i = 0; i < 8; i++) footer[40 + i] = (byte) (MAGIC >>> (8 * i));
        file.writeBytes(footer);
        return file.toByteArray();
    }

    private static void stored(ByteArrayOutputStream file, byte[] contents) {
        file.writeBytes(contents);
        file.write(0);
        CRC32C c = new CRC32C();
        c.update(contents);
        c.update(0);
        int crc = mask((int) c.getValue());
        for (int k = 0; k < 4; k++) file.write(crc >>> (8 * k));
    }

    private static byte[] block(List<byte[][]> kvs) {
        OnnxModels.Proto b = new OnnxModels.Proto();
        List<Integer> restarts = new ArrayList<>();
        byte[] prev = new byte[0];
        for (int i = 0; i < kvs.size(); i++) {
            byte[] key = kvs.get(i)[0];
            byte[] value = kvs.get(i)[1];
            int shared = 0;
            if (i % RESTART_INTERVAL == 0) {
                restarts.add(b.out.size());
            } else {
                while (shared < prev.length && shared < key.length && prev[shared] == key[shared]) shared++;
            }
            b.rawVarint(shared).rawVarint(key.length - shared).rawVarint(value.length);
            b.out.write(key, shared, key.length - shared);
            b.out.writeBytes(value);
            prev = key;
        }
        if (restarts.isEmpty()) restarts.add(0);
        for (int r : restarts) for (int k = 0; k < 4; k++) b.out.write(r >>> (8 * k));
        for (int k = 0; k < 4; k++) b.out.write(restarts.size() >>> (8 * k));
        return b.out.toByteArray();
    }
}
