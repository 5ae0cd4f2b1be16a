package dev.tensorfile.pickle.vm;

import dev.tensorfile.core.ReadLimits;

/**
 * Bounds of the pickle machine (fickling's {@code InterpreterLimits} and Jackson's {@code StreamReadConstraints}
 * are the models): a memo bomb, a million nested marks or a gigabyte-long string end in a clean error.
 *
 * @param maxStack most values on the stack at once
 * @param maxMarks most open MARKs at once
 * @param maxMemo most memo entries
 * @param maxObjects most values pushed or stored into containers over one pickle (bounds the tree's memory)
 * @param maxStringBytes longest str, bytes or text line
 * @param maxNesting deepest nesting a reader of the tree follows (containers in containers)
 * @param maxPickleBytes largest pickle stream inflated into memory (a compressed zip entry)
 * @param maxCopiedBytes most bytes one pickle may copy or decode onto the heap (text lines, protocol 0 strings,
 *     decoded str values); counted slices of the mapping cost nothing
 */
public record PickleLimits(int maxStack, int maxMarks, int maxMemo, long maxObjects, long maxStringBytes, int maxNesting,
        long maxPickleBytes, long maxCopiedBytes) {
    /** Python refuses to parse ints of more decimal digits than this (sys.int_info.default_max_str_digits). */
    static final int MAX_INT_DIGITS = 4300;
    /** Strings longer than this are kept as bytes, not decoded into Java strings. */
    static final int EAGER_STRING_BYTES = 1 << 20;

    /**
     * Bounds from the caller's limits and this JVM's heap: a stack value, memo entry or tree node costs up to about
     * 64 bytes, so their counts are capped at an eighth of the heap's worth (a memo bomb in a 64 MB heap ends at
     * about 130 000 entries with a clean error, not an OutOfMemoryError).
     */
    public static PickleLimits from(ReadLimits limits) {
        long heap = Runtime.getRuntime().maxMemory();
        long heapQuarter = heap / 4;
        long entries = Math.max(10_000L, heap / 8 / 64);
        int memo = (int) Math.min(1_000_000L, entries);
        int stack = (int) Math.min(1_000_000L, entries);
        long objects = Math.min(Math.min(2_000_000L, Math.max(100_000L, limits.maxCollectionSize())), entries * 2);
        return new PickleLimits(stack, 4096, memo, objects, limits.maxStringBytes(),
                limits.maxNestingDepth(), Math.min(limits.maxHeaderBytes(), heapQuarter),
                Math.min(limits.maxHeaderBytes(), heap / 8));
    }
}
