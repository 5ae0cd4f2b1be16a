package dev.tensorfile.core;

/**
 * Bounds on what a reader accepts from a file before it rejects it as hostile: one immutable value instead of
 * constants scattered through the parsers. Every count and length a file claims is also checked against the bytes
 * that really remain; these limits bound what is legal but absurd.
 *
 * @param maxHeaderBytes largest header or metadata section read into memory (safetensors' own rule is 100,000,000)
 * @param maxNestingDepth deepest nesting of JSON, arrays, protobuf messages, pickle containers or HDF5 groups
 * @param maxStringBytes longest single string or name
 * @param maxCollectionSize most entries in one array, map, memo or list
 * @param maxDecodedBytes most bytes one decompression may produce beyond what the file declares
 * @param decodeThreads threads a whole-tensor read may use to decode chunks in parallel (1 = none)
 * @param maxWholeDecodeBytes largest tensor that {@link Tensor#bytes()} decodes whole into memory, where the file
 *     does not hold its bytes as they are; a larger one fails with a {@link LimitExceededException} before anything
 *     is allocated (as does one whose memory the JVM cannot reserve), and stays readable in ranges. A file may
 *     legally claim more than it stores (an HDF5 dataset with no chunks written is all fill value), so this bounds
 *     what a claim can make the reader allocate. The decode lives in native memory, which the JVM does not bound
 *     (an arena's allocation is not counted against {@code -XX:MaxDirectMemorySize}, and the OS may promise more
 *     than it has, then kill the process as the zeroed pages are touched), hence a limit of our own.
 */
public record ReadLimits(long maxHeaderBytes, int maxNestingDepth, long maxStringBytes, long maxCollectionSize,
        long maxDecodedBytes, int decodeThreads, long maxWholeDecodeBytes) {

    /**
     * The default {@link #maxWholeDecodeBytes()}: the JVM's maximum heap ({@code -Xmx}, by default a quarter of the
     * machine's memory), the memory the process was given to work in. Tensors above it are read in ranges (as the
     * {@link Converter} does) or with a larger limit.
     */
    public static final long DEFAULT_MAX_WHOLE_DECODE_BYTES = Runtime.getRuntime().maxMemory();

    /** The defaults: generous for real models, fatal for bombs. */
    public static final ReadLimits DEFAULT = new ReadLimits(100_000_000L, 256, 1L << 30, 100_000_000L,
            1L << 34, Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors())),
            DEFAULT_MAX_WHOLE_DECODE_BYTES);

    public ReadLimits {
        if (maxHeaderBytes <= 0 || maxNestingDepth <= 0 || maxStringBytes <= 0 || maxCollectionSize <= 0
                || maxDecodedBytes <= 0 || decodeThreads <= 0 || maxWholeDecodeBytes <= 0) {
            throw new IllegalArgumentException("every limit must be positive");
        }
    }

    /** Limits with the default {@link #maxWholeDecodeBytes()}. */
    public ReadLimits(long maxHeaderBytes, int maxNestingDepth, long maxStringBytes, long maxCollectionSize,
            long maxDecodedBytes, int decodeThreads) {
        this(maxHeaderBytes, maxNestingDepth, maxStringBytes, maxCollectionSize, maxDecodedBytes, decodeThreads,
                DEFAULT_MAX_WHOLE_DECODE_BYTES);
    }

    /** These limits with another nesting depth. */
    public ReadLimits withMaxNestingDepth(int depth) {
        return new ReadLimits(maxHeaderBytes, depth, maxStringBytes, maxCollectionSize, maxDecodedBytes, decodeThreads,
                maxWholeDecodeBytes);
    }

    /** These limits with another number of decode threads. */
    public ReadLimits withDecodeThreads(int threads) {
        return new ReadLimits(maxHeaderBytes, maxNestingDepth, maxStringBytes, maxCollectionSize, maxDecodedBytes, threads,
                maxWholeDecodeBytes);
    }

    /** These limits with another largest whole-tensor decode. */
    public ReadLimits withMaxWholeDecodeBytes(long bytes) {
        return new ReadLimits(maxHeaderBytes, maxNestingDepth, maxStringBytes, maxCollectionSize, maxDecodedBytes,
                decodeThreads, bytes);
    }
}
