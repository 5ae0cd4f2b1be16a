package dev.tensorfile.gguf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A judge for the files our writer makes, written apart from the module's reader: a line-by-line port of the
 * acceptance checks' {@code check/gguf_read.py} (stdlib GGUF v2/v3 little-endian reader) and its
 * {@code layout_problems}, which encode what ggml's {@code gguf.cpp} demands of tensor offsets.
 */
final class IndependentGgufReader {
    static final String[] TYPES = {"UINT8", "INT8", "UINT16", "INT16", "UINT32", "INT32", "FLOAT32", "BOOL",
        "STRING", "ARRAY", "UINT64", "INT64", "FLOAT64"};
    /** ggml type id → {block elements, block bytes} for the types our tests write. */
    static final Map<Integer, int[]> GGML = Map.ofEntries(Map.entry(0, new int[] {1, 4}), Map.entry(1, new int[] {1, 2}),
            Map.entry(2, new int[] {32, 18}), Map.entry(3, new int[] {32, 20}), Map.entry(6, new int[] {32, 22}),
            Map.entry(7, new int[] {32, 24}), Map.entry(8, new int[] {32, 34}), Map.entry(12, new int[] {256, 144}),
            Map.entry(14, new int[] {256, 210}), Map.entry(24, new int[] {1, 1}), Map.entry(25, new int[] {1, 2}),
            Map.entry(26, new int[] {1, 4}), Map.entry(27, new int[] {1, 8}), Map.entry(28, new int[] {1, 8}),
            Map.entry(30, new int[] {1, 2}));

    record Kv(String type, Object value) {}

    record Array(String elementType, List<Object> values) {}

    record TensorEntry(String name, long[] ne, int type, long offset) {}

    final byte[] bytes;
    final int version;
    final Map<String, Kv> kv = new LinkedHashMap<>();
    final List<TensorEntry> tensors = new ArrayList<>();
    final long alignment;
    final long data;
    private final ByteBuffer b;

    IndependentGgufReader(Path path) {
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (!new String(bytes, 0, 4, StandardCharsets.US_ASCII).equals("GGUF")) throw new IllegalArgumentException("not GGUF");
        b.position(4);
        version = b.getInt();
        if (version != 2 && version != 3) throw new IllegalArgumentException("version " + version);
        long nt = b.getLong();
        long nkv = b.getLong();
        for (long i = 0; i < nkv; i++) {
            String k = s();
            if (kv.containsKey(k)) throw new IllegalArgumentException("duplicate key " + k);
            int t = b.getInt();
            kv.put(k, new Kv(TYPES[t], val(t)));
        }
        Kv a = kv.get("general.alignment");
        alignment = a == null ? 32 : ((Number) a.value()).longValue();
        for (long i = 0; i < nt; i++) {
            String name = s();
            int nd = b.getInt();
            long[] ne = new long[nd];
            for (int d = 0; d < nd; d++) ne[d] = b.getLong();
            int t = b.getInt();
            long off = b.getLong();
            tensors.add(new TensorEntry(name, ne, t, off));
        }
        long p = b.position();
        data = p + Math.floorMod(-p, alignment);
    }

    private String s() {
        int n = (int) b.getLong();
        String v = new String(bytes, b.position(), n, StandardCharsets.UTF_8);
        b.position(b.position() + n);
        return v;
    }

    private Object val(int t) {
        return switch (t) {
            case 0 -> (long) (b.get() & 0xFF);
            case 1 -> (long) b.get();
            case 2 -> (long) (b.getShort() & 0xFFFF);
            case 3 -> (long) b.getShort();
            case 4 -> b.getInt() & 0xFFFFFFFFL;
            case 5 -> (long) b.getInt();
            case 6 -> b.getFloat();
            case 7 -> b.get() != 0;
            case 8 -> s();
            case 9 -> {
                int et = b.getInt();
                long n = b.getLong();
                List<Object> values = new ArrayList<>();
                for (long i = 0; i < n; i++) values.add(val(et));
                yield new Array(TYPES[et], values);
            }
            case 10, 11 -> b.getLong();
            case 12 -> b.getDouble();
            default -> throw new IllegalArgumentException("type " + t);
        };
    }

    /** The raw bytes of tensor {@code name}. */
    byte[] raw(String name) {
        for (TensorEntry t : tensors) {
            if (t.name().equals(name)) {
                int[] blk = GGML.get(t.type());
                long cnt = 1;
                for (long d : t.ne()) cnt *= d;
                int start = (int) (data + t.offset());
                return Arrays.copyOfRange(bytes, start, (int) (start + cnt / blk[0] * blk[1]));
            }
        }
        throw new IllegalArgumentException(name);
    }

    /** Offsets must be aligned, in tensor-info order, each the aligned running sum (as ggml's reader demands). */
    List<String> layoutProblems() {
        List<String> probs = new ArrayList<>();
        long expect = 0;
        for (TensorEntry t : tensors) {
            int[] blk = GGML.getOrDefault(t.type(), new int[] {1, 0});
            long cnt = 1;
            for (long d : t.ne()) cnt *= d;
            if (t.offset() != expect) probs.add(t.name() + ": offset " + t.offset() + ", expected " + expect);
            long size = cnt / blk[0] * blk[1];
            expect = t.offset() + size + Math.floorMod(-(t.offset() + size), alignment);
            if (data + t.offset() + size > bytes.length) probs.add(t.name() + ": data beyond end of file");
        }
        return probs;
    }
}
