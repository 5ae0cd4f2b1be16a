package dev.tensorfile.pickle;

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
 */
record PickleLimits(int maxStack, int maxMarks, int maxMemo, long maxObjects, long maxStringBytes, int maxNesting,
        long maxPickleBytes) {
    /** Python refuses to parse ints of more decimal digits than this (sys.int_info.default_max_str_digits). */
    static final int MAX_INT_DIGITS = 4300;
    /** Strings longer than this are kept as bytes, not decoded into Java strings. */
    static final int EAGER_STRING_BYTES = 1 << 20;

    static PickleLimits from(ReadLimits limits) {
        long heapQuarter = Runtime.getRuntime().maxMemory() / 4;
        return new PickleLimits(1_000_000, 4096, 1_000_000,
                Math.min(2_000_000L, Math.max(100_000L, limits.maxCollectionSize())), limits.maxStringBytes(),
                limits.maxNestingDepth(), Math.min(limits.maxHeaderBytes(), heapQuarter));
    }
}
