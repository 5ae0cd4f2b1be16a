package dev.tensorfile.core;

import java.util.List;
import java.util.Objects;

/**
 * One typed metadata value. The family is closed: match it with a {@code switch}.
 *
 * <pre>{@code
 * String shown = switch (value) {
 *     case MetadataValue.Str s -> s.value();
 *     case MetadataValue.Int i -> i.type().isUnsigned() ? Long.toUnsignedString(i.value()) : Long.toString(i.value());
 *     case MetadataValue.F32 f -> Float.toString(f.value());
 *     case MetadataValue.F64 d -> Double.toString(d.value());
 *     case MetadataValue.Bool b -> Boolean.toString(b.value());
 *     case MetadataValue.Array a -> a.size() + " " + a.elementType().jsonName() + " values";
 * };
 * }</pre>
 */
public sealed interface MetadataValue {
    /** The value's type. */
    ValueType type();

    /** A UTF-8 string. */
    record Str(String value) implements MetadataValue {
        public Str { Objects.requireNonNull(value); }
        @Override public ValueType type() { return ValueType.STRING; }
    }

    /**
     * An integer of one of the eight widths. The long holds the value; for U64 it holds the bits (read it with
     * {@link Long#toUnsignedString(long)}).
     */
    record Int(ValueType type, long value) implements MetadataValue {
        public Int {
            if (!type.isInteger()) throw new IllegalArgumentException(type + " is not an integer type");
        }
    }

    /** A binary32 float. */
    record F32(float value) implements MetadataValue {
        @Override public ValueType type() { return ValueType.F32; }
    }

    /** A binary64 float. */
    record F64(double value) implements MetadataValue {
        @Override public ValueType type() { return ValueType.F64; }
    }

    /** A boolean. */
    record Bool(boolean value) implements MetadataValue {
        @Override public ValueType type() { return ValueType.BOOL; }
    }

    /**
     * An array of values of one type; arrays may nest ({@code elementType} {@link ValueType#ARRAY}). The list may
     * be lazy: a format can index a 150,000-entry vocabulary and decode an element only when it is asked for.
     */
    record Array(ValueType elementType, List<MetadataValue> values) implements MetadataValue {
        public Array {
            Objects.requireNonNull(elementType);
            Objects.requireNonNull(values);
        }
        @Override public ValueType type() { return ValueType.ARRAY; }
        /** Number of elements. */
        public int size() { return values.size(); }
    }

    /** A string value. */
    static MetadataValue of(String s) { return new Str(s); }
}
