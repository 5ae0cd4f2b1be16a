package dev.tensorfile.core;

/**
 * The type of a metadata value, named as the CLI's JSON form names it ({@code u8 ... f64 bool string array}).
 * GGUF's value types map one to one; other formats use the subset they have.
 */
public enum ValueType {
    U8("u8"), I8("i8"), U16("u16"), I16("i16"), U32("u32"), I32("i32"), U64("u64"), I64("i64"),
    F32("f32"), F64("f64"), BOOL("bool"), STRING("string"), ARRAY("array");

    private final String jsonName;

    ValueType(String jsonName) { this.jsonName = jsonName; }

    /** The name in the JSON form ({@code "u32"}). */
    public String jsonName() { return jsonName; }

    /** True for the eight integer types. */
    public boolean isInteger() { return ordinal() <= I64.ordinal(); }

    /** True for U8, U16, U32 and U64. */
    public boolean isUnsigned() { return this == U8 || this == U16 || this == U32 || this == U64; }

    /** The type with this JSON name, or null. */
    public static ValueType byJsonName(String name) {
        for (ValueType t : values()) if (t.jsonName.equals(name)) return t;
        return null;
    }
}
