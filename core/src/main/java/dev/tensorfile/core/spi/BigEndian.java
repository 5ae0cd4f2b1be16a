package dev.tensorfile.core.spi;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Big-endian layouts for reading and writing numbers at any byte offset of a segment (file formats do not align
 * their fields). One set for every module: {@code withOrder} on each access would build a new layout, and a copy
 * per class is a copy to get wrong.
 */
public final class BigEndian {
    private BigEndian() {}

    /** A 16-bit integer (also an F16 or BF16 bit pattern). */
    public static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** A 32-bit integer. */
    public static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** A 64-bit integer. */
    public static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** An IEEE 754 binary32. */
    public static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** An IEEE 754 binary64. */
    public static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
}
