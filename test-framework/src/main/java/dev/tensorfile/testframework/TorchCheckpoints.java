package dev.tensorfile.testframework;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * Writes PyTorch zip checkpoints ({@code torch.save} layout: {@code archive/data.pkl}, {@code archive/data/<i>}
 * stored entries aligned to 64 bytes, {@code archive/version}) of any size without torch: a protocol 2 state dict
 * of F32 tensors, each on its own storage. Storage bytes are random, or left as a sparse hole (zeros) so that a
 * 2 GB file costs no disk time to make. For the remote counting tests and the pickle benchmarks alike.
 */
public final class TorchCheckpoints {
    private TorchCheckpoints() {}

    /**
     * Writes {@code tensors} tensors of {@code elements} floats each; {@code sparse} leaves their bytes as holes.
     *
     * @param file where to write (created or truncated)
     * @param tensors how many tensors
     * @param elements floats per tensor
     * @param sparse true to leave the storages' bytes as holes (zeros) instead of random bytes
     * @return the bytes of structure: data.pkl and the central directory with its end record
     * @throws IOException if the file cannot be written
     */
    public static long write(Path file, int tensors, long elements, boolean sparse) throws IOException {
        byte[] pickle = stateDict(tensors, elements);
        List<Central> central = new ArrayList<>();
        Random random = new Random(42);
        long zerosCrc = -1;
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.setLength(0);
            central.add(small(out, "archive/data.pkl", pickle));
            central.add(small(out, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII)));
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < tensors; i++) {
                long size = elements * 4;
                String name = "archive/data/" + i;
                long offset = out.getFilePointer();
                byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
                long dataStart = offset + 30 + nameBytes.length + 4;
                int pad = (int) ((64 - (dataStart % 64)) % 64);
                CRC32 crc = new CRC32();
                long crcValue = 0;
                if (!sparse) {
                    // the CRC must be known before the data: fill the storage from a fixed seed twice
                    Random r = new Random(random.nextLong());
                    long seed = r.nextLong();
                    Random a = new Random(seed);
                    for (long done = 0; done < size; done += chunk.length) {
                        a.nextBytes(chunk);
                        crc.update(chunk, 0, (int) Math.min(chunk.length, size - done));
                    }
                    crcValue = crc.getValue();
                    localHeader(out, nameBytes, crcValue, size, pad);
                    Random b = new Random(seed);
                    for (long done = 0; done < size; done += chunk.length) {
                        b.nextBytes(chunk);
                        out.write(chunk, 0, (int) Math.min(chunk.length, size - done));
                    }
                } else {
                    if (zerosCrc < 0) {
                        java.util.Arrays.fill(chunk, (byte) 0);
                        for (long done = 0; done < size; done += chunk.length) {
                            crc.update(chunk, 0, (int) Math.min(chunk.length, size - done));
                        }
                        zerosCrc = crc.getValue();
                    }
                    crcValue = zerosCrc;
                    localHeader(out, nameBytes, crcValue, size, pad);
                    out.seek(out.getFilePointer() + size);
                }
                central.add(new Central(name, crcValue, size, offset));
            }
            long cdStart = out.getFilePointer();
            ByteArrayOutputStream cd = new ByteArrayOutputStream();
            for (Central c : central) {
                byte[] n = c.name().getBytes(StandardCharsets.US_ASCII);
                le(cd, 0x02014b50, 4); le(cd, 20, 2); le(cd, 20, 2); le(cd, 0, 2); le(cd, 0, 2); le(cd, 0, 4);
                le(cd, c.crc(), 4); le(cd, c.size(), 4); le(cd, c.size(), 4); le(cd, n.length, 2); le(cd, 0, 2);
                le(cd, 0, 2); le(cd, 0, 2); le(cd, 0, 2); le(cd, 0, 4); le(cd, c.offset(), 4);
                cd.write(n, 0, n.length);
            }
            byte[] c = cd.toByteArray();
            out.write(c);
            ByteArrayOutputStream end = new ByteArrayOutputStream();
            le(end, 0x06054b50, 4); le(end, 0, 2); le(end, 0, 2); le(end, central.size(), 2); le(end, central.size(), 2);
            le(end, c.length, 4); le(end, cdStart, 4); le(end, 0, 2);
            out.write(end.toByteArray());
            return pickle.length + c.length + 22;
        }
    }

    private record Central(String name, long crc, long size, long offset) {}

    private static void localHeader(RandomAccessFile out, byte[] name, long crc, long size, int pad) throws IOException {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        le(h, 0x04034b50, 4); le(h, 20, 2); le(h, 0, 2); le(h, 0, 2); le(h, 0, 4);
        le(h, crc, 4); le(h, size, 4); le(h, size, 4); le(h, name.length, 2); le(h, 4 + pad, 2);
        h.write(name, 0, name.length);
        // an extra field of PyTorch's kind ("FB" padding) aligns the data
        le(h, 0x4246, 2); le(h, pad, 2);
        h.write(new byte[pad], 0, pad);
        out.write(h.toByteArray());
    }

    private static Central small(RandomAccessFile out, String name, byte[] data) throws IOException {
        long offset = out.getFilePointer();
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        long crc = crc(data);
        localHeader(out, n, crc, data.length, 0);
        out.write(data);
        return new Central(name, crc, data.length, offset);
    }

    private static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }

    /** {"layer<i>.weight": _rebuild_tensor_v2((storage, FloatStorage, "<i>", "cpu", n), 0, (n,), (1,), False, OrderedDict())} */
    static byte[] stateDict(int tensors, long elements) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80); p.write(2);
        p.write('}');
        p.write('(');
        for (int i = 0; i < tensors; i++) {
            str(p, "layer" + i + ".weight");
            text(p, "ctorch._utils\n_rebuild_tensor_v2\n");
            p.write('(');
            p.write('(');
            str(p, "storage");
            text(p, "ctorch\nFloatStorage\n");
            str(p, Integer.toString(i));
            str(p, "cpu");
            long8(p, elements);
            p.write('t');
            p.write('Q');
            p.write('K'); p.write(0);
            p.write('('); long8(p, elements); p.write('t');
            p.write('('); p.write('K'); p.write(1); p.write('t');
            p.write(0x89);
            text(p, "ccollections\nOrderedDict\n");
            p.write(')'); p.write('R');
            p.write('t'); p.write('R');
        }
        p.write('u');
        p.write('.');
        return p.toByteArray();
    }

    private static void text(ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        p.write(b, 0, b.length);
    }

    private static void str(ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.write('X');
        le(p, b.length, 4);
        p.write(b, 0, b.length);
    }

    /** LONG1 of 8 bytes: any non-negative long. */
    private static void long8(ByteArrayOutputStream p, long v) {
        p.write(0x8a); p.write(8);
        le(p, v, 8);
    }

    private static void le(ByteArrayOutputStream out, long v, int n) {
        for (int i = 0; i < n; i++) out.write((int) (v >> (8 * i)) & 0xFF);
    }
}
