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
 */
public record ReadLimits(long maxHeaderBytes, int maxNestingDepth, long maxStringBytes, long maxCollectionSize,
        long maxDecodedBytes, int decodeThreads) {

    /** The defaults: generous for real models, fatal for bombs. */
    public static final ReadLimits DEFAULT = new ReadLimits(100_000_000L, 256, 1L << 30, 100_000_000L,
            1L << 34, Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors())));

    public ReadLimits {
        if (maxHeaderBytes <= 0 || maxNestingDepth <= 0 || maxStringBytes <= 0 || maxCollectionSize <= 0
                || maxDecodedBytes <= 0 || decodeThreads <= 0) {
            throw new IllegalArgumentException("every limit must be positive");
        }
    }

    /** These limits with another nesting depth. */
    public ReadLimits withMaxNestingDepth(int depth) {
        return new ReadLimits(maxHeaderBytes, depth, maxStringBytes, maxCollectionSize, maxDecodedBytes, decodeThreads);
    }

    /** These limits with another number of decode threads. */
    public ReadLimits withDecodeThreads(int threads) {
        return new ReadLimits(maxHeaderBytes, maxNestingDepth, maxStringBytes, maxCollectionSize, maxDecodedBytes, threads);
    }
}
