package dev.tensorfile.core;

import java.util.Map;
import java.util.Optional;

/**
 * Format-specific writer options as key/value strings, so a converter can pass them through without knowing the
 * format. The keys are the constants below (the CLI's {@code convert} flags of the same names map onto them); a
 * format ignores the keys it does not know. The conversion source and the cast are not options: they are part of
 * the {@link WriteRequest}.
 *
 * @param values the options
 */
public record WriteOptions(Map<String, String> values) {
    /** Bytes of tensor data per shard ({@link #byteSize} syntax; safetensors, GGUF): split the output into shards. */
    public static final String MAX_SHARD_SIZE = "max-shard-size";
    /** Tensors per shard (a positive count; GGUF, as llama.cpp's {@code gguf-split --split-max-tensors}). */
    public static final String MAX_SHARD_TENSORS = "max-shard-tensors";
    /** {@code true} (ONNX): tensor data to {@code OUT.data}, not inside the protobuf. */
    public static final String EXTERNAL_DATA = "external-data";
    /** {@code gzip[:LEVEL]} (HDF5, Keras): chunked, shuffled, deflated datasets. */
    public static final String COMPRESS = "compress";

    /** No options. */
    public static final WriteOptions NONE = new WriteOptions(Map.of());

    public WriteOptions {
        values = Map.copyOf(values);
    }

    /** The value of {@code key}, if set. */
    public Optional<String> get(String key) { return Optional.ofNullable(values.get(key)); }

    /** True if {@code key} is set to anything but {@code false}. */
    public boolean flag(String key) {
        String v = values.get(key);
        return v != null && !v.equalsIgnoreCase("false");
    }

    /**
     * The value of {@code key} as a byte size ({@code 5000000}, {@code 5GB}, {@code 500MiB}), or {@code otherwise}.
     *
     * @throws IllegalArgumentException if it is not a size
     */
    public long byteSize(String key, long otherwise) {
        String v = values.get(key);
        return v == null ? otherwise : parseByteSize(v);
    }

    /** Parses {@code 123}, {@code 10KB}, {@code 5GB} (powers of 1000) and {@code 10KiB}, {@code 5GiB} (of 1024). */
    public static long parseByteSize(String text) {
        String s = text.trim().toUpperCase(java.util.Locale.ROOT);
        long unit = 1;
        String[][] units = {{"KIB", "1024"}, {"MIB", "1048576"}, {"GIB", "1073741824"}, {"TIB", "1099511627776"},
                {"KB", "1000"}, {"MB", "1000000"}, {"GB", "1000000000"}, {"TB", "1000000000000"}, {"B", "1"}};
        for (String[] u : units) {
            if (s.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length()).trim();
                break;
            }
        }
        try {
            long n = Long.parseLong(s);
            if (n <= 0) throw new IllegalArgumentException("size must be positive: " + text);
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a byte size: " + text);
        }
    }
}
