package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.spi.ByteCursor;

import java.util.ArrayList;
import java.util.List;

/**
 * The datatype message (spec IV.A.2.d): class and version in the first byte, 24 class bit fields, the element
 * size, then class properties. Every class is parsed far enough to name it; the tensor classes (fixed-point,
 * floating-point, string, bitfield, opaque, enum, variable-length string) completely.
 *
 * @param typeClass 0 fixed-point, 1 float, 2 time, 3 string, 4 bitfield, 5 opaque, 6 compound, 7 reference,
 *     8 enum, 9 variable-length, 10 array
 * @param bits the class bit fields
 * @param size the element size in bytes
 * @param base the base type of an enum, variable-length or array type; otherwise null
 * @param names enum member names (empty otherwise)
 * @param values enum member values, {@code size} bytes each, in the base type's byte order
 * @param tag an opaque type's ASCII tag (empty otherwise)
 * @param arrayDims an array type's dimensions (empty otherwise)
 * @param precision bits of precision (fixed-point, float, bitfield)
 */
public record DatatypeMessage(int typeClass, int version, int bits, int size, DatatypeMessage base, List<String> names,
        List<byte[]> values, String tag, long[] arrayDims, int precision, int bitOffset, int expSize, int mantSize,
        long expBias) {

    public static final int FIXED = 0, FLOAT = 1, TIME = 2, STRING = 3, BITFIELD = 4, OPAQUE = 5, COMPOUND = 6,
            REFERENCE = 7, ENUM = 8, VLEN = 9, ARRAY = 10;

    public static DatatypeMessage of(AddressSpace space, ObjectHeader.Message m) {
        return read(m.cursor(space, "datatype message"), 0);
    }

    static DatatypeMessage read(ByteCursor c, int depth) {
        long start = c.position();
        if (depth > 32) throw c.fail("datatype nesting deeper than 32");
        int b0 = c.u8();
        int cls = b0 & 0x0F;
        int version = b0 >> 4;
        int bits = c.u8() | c.u8() << 8 | c.u8() << 16;
        long size = AddressSpace.u32(c);
        if (version < 1 || version > 5) throw c.failAt(start, "datatype version " + version + " is not 1 to 5");
        if (size > Integer.MAX_VALUE) throw c.failAt(start + 4, "datatype size " + size + " is too large");
        DatatypeMessage base = null;
        List<String> names = List.of();
        List<byte[]> values = List.of();
        String tag = "";
        long[] arrayDims = new long[0];
        int precision = 0, offset = 0, expSize = 0, mantSize = 0;
        long bias = 0;
        switch (cls) {
            case FIXED, BITFIELD -> {
                offset = AddressSpace.u16(c);
                precision = AddressSpace.u16(c);
            }
            case FLOAT -> {
                offset = AddressSpace.u16(c);
                precision = AddressSpace.u16(c);
                c.u8(); // exponent location
                expSize = c.u8();
                c.u8(); // mantissa location
                mantSize = c.u8();
                bias = AddressSpace.u32(c);
            }
            case TIME -> c.skip(Math.min(2, c.remaining()));
            case STRING, REFERENCE -> { }
            case OPAQUE -> {
                int len = bits & 0xFF;
                byte[] t = c.bytes(len);
                int n = 0;
                while (n < t.length && t[n] != 0) n++;
                tag = new String(t, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
            }
            case COMPOUND -> skipCompound(c, version, bits & 0xFFFF, (int) size, depth);
            case ENUM -> {
                int count = bits & 0xFFFF;
                base = read(c, depth + 1);
                c.requireCount(count, 1 + base.size, "enum member");
                List<String> n = new ArrayList<>(count);
                for (int i = 0; i < count; i++) n.add(name(c, version < 3));
                List<byte[]> v = new ArrayList<>(count);
                for (int i = 0; i < count; i++) v.add(c.bytes(base.size));
                names = List.copyOf(n);
                values = List.copyOf(v);
            }
            case VLEN -> base = read(c, depth + 1);
            case ARRAY -> {
                int rank = c.u8();
                if (version < 3) c.skip(3);
                c.requireCount(rank, 4, "array dimension");
                arrayDims = new long[rank];
                for (int i = 0; i < rank; i++) arrayDims[i] = AddressSpace.u32(c);
                if (version < 3) c.skip(4L * rank); // permutation indices
                base = read(c, depth + 1);
            }
            default -> throw c.failAt(start, "datatype class " + cls + " is not one of HDF5's classes 0 to 10");
        }
        return new DatatypeMessage(cls, version, bits, (int) size, base, names, values, tag, arrayDims, precision,
                offset, expSize, mantSize, bias);
    }

    private static void skipCompound(ByteCursor c, int version, int members, int size, int depth) {
        c.requireCount(members, 2, "compound member");
        for (int i = 0; i < members; i++) {
            name(c, version < 3);
            if (version == 1) {
                c.skip(4 + 1 + 3 + 4 + 4 + 16);
                read(c, depth + 1);
            } else if (version == 2) {
                c.skip(4);
                read(c, depth + 1);
            } else {
                c.skip(AddressSpace.encodedSize(size)); // member offset, as wide as the size needs
                read(c, depth + 1);
            }
        }
    }

    /** A null-terminated name, padded to a multiple of 8 bytes when {@code padded}. */
    private static String name(ByteCursor c, boolean padded) {
        long start = c.position();
        int n = 0;
        while (c.u8() != 0) n++;
        c.seek(start);
        String s = new String(c.bytes(n), java.nio.charset.StandardCharsets.UTF_8);
        c.skip(1);
        if (padded) {
            long used = n + 1;
            c.skip((8 - used % 8) % 8);
        }
        return s;
    }

    public boolean bigEndian() {
        return switch (typeClass) {
            case FIXED, FLOAT, BITFIELD -> (bits & 1) != 0;
            case ENUM -> base.bigEndian();
            default -> false;
        };
    }

    boolean signed() { return (bits & 0x08) != 0; }

    /** String padding: 0 null-terminated, 1 null-padded, 2 space-padded. */
    int stringPadding() { return bits & 0x0F; }

    /** Character set: 0 ASCII, 1 UTF-8 (strings; variable-length strings keep it in bits 8–11). */
    boolean utf8() { return typeClass == VLEN ? ((bits >> 8) & 0x0F) == 1 : ((bits >> 4) & 0x0F) == 1; }

    boolean isVlenString() { return typeClass == VLEN && (bits & 0x0F) == 1; }

    public boolean isString() { return typeClass == STRING || isVlenString(); }

    /** h5py stores numpy bool as an 8-bit enum {FALSE: 0, TRUE: 1} (h5py {@code h5t.pyx}, "bool"). */
    boolean isH5pyBool() {
        if (typeClass != ENUM || size != 1 || names.size() != 2) return false;
        return names.get(0).equals("FALSE") && values.get(0)[0] == 0 && names.get(1).equals("TRUE")
                && values.get(1)[0] == 1;
    }

    /** The tensor element type, or null when this type has none (compound, reference, sequences, ...). */
    public DType dtype() {
        return switch (typeClass) {
            case FIXED -> integer(signed(), size);
            case BITFIELD -> integer(false, size);
            case FLOAT -> switch (size) {
                case 2 -> expSize == 5 && mantSize == 10 ? DType.F16 : expSize == 8 && mantSize == 7 ? DType.BF16 : null;
                case 4 -> expSize == 8 && mantSize == 23 ? DType.F32 : null;
                case 8 -> expSize == 11 && mantSize == 52 ? DType.F64 : null;
                default -> null;
            };
            case ENUM -> isH5pyBool() ? DType.BOOL : base.dtype();
            case STRING -> DType.STRING;
            case VLEN -> isVlenString() ? DType.STRING : null;
            case OPAQUE -> size == 1 ? DType.U8 : null;
            default -> null;
        };
    }

    private static DType integer(boolean signed, int size) {
        return switch (size) {
            case 1 -> signed ? DType.I8 : DType.U8;
            case 2 -> signed ? DType.I16 : DType.U16;
            case 4 -> signed ? DType.I32 : DType.U32;
            case 8 -> signed ? DType.I64 : DType.U64;
            default -> null;
        };
    }

    /** The type as h5dump would name its class, for listings. */
    public String describe() {
        String order = bigEndian() ? "big-endian " : "";
        return switch (typeClass) {
            case FIXED -> order + (signed() ? "signed" : "unsigned") + " " + (size * 8) + "-bit integer";
            case FLOAT -> order + (size * 8) + "-bit float";
            case TIME -> "time";
            case STRING -> "fixed-length " + size + "-byte " + (utf8() ? "UTF-8" : "ASCII") + " string";
            case BITFIELD -> order + (size * 8) + "-bit bitfield";
            case OPAQUE -> size + "-byte opaque" + (tag.isEmpty() ? "" : " \"" + tag + "\"");
            case COMPOUND -> "compound of " + (bits & 0xFFFF) + " members";
            case REFERENCE -> (bits & 0x0F) == 0 ? "object reference" : "region reference";
            case ENUM -> isH5pyBool() ? "bool (enum of int8)" : "enum of " + base.describe() + " " + names;
            case VLEN -> isVlenString() ? "variable-length " + (utf8() ? "UTF-8" : "ASCII") + " string"
                    : "variable-length sequence of " + base.describe();
            case ARRAY -> "array " + java.util.Arrays.toString(arrayDims) + " of " + base.describe();
            default -> "class " + typeClass;
        };
    }

    // ---- encoding (version 1, what the writer emits; libhdf5 reads it since 1.0) ----

    /** The datatype message of a tensor type: little-endian integers and IEEE floats, h5py's bool, Keras's opaque. */
    public static byte[] encode(DType t) {
        ByteEncoder e = new ByteEncoder();
        switch (t) {
            case F16 -> floating(e, 2, 15, 10, 5, 0, 10, 15);
            case F32 -> floating(e, 4, 31, 23, 8, 0, 23, 127);
            case F64 -> floating(e, 8, 63, 52, 11, 0, 52, 1023);
            case I8, I16, I32, I64 -> integer(e, t.blockBytes(), true);
            case U8, U16, U32, U64 -> integer(e, t.blockBytes(), false);
            case BOOL -> h5pyBool(e);
            // Keras 3 stores bfloat16 (and float8) variables as opaque elements of their size, with a "dtype"
            // attribute naming the type (keras saving_lib H5IOStore): h5py maps the ml_dtypes type, a numpy void
            // of that size, to an opaque type with no tag (h5t.pyx _c_opaque)
            case BF16, F8_E4M3, F8_E5M2, F8_E4M3FNUZ, F8_E5M2FNUZ -> opaque(e, t.blockBytes(), "");
            default -> throw new IllegalArgumentException(t + " has no HDF5 type here");
        }
        return e.toBytes();
    }

    /** Variable-length UTF-8 string, null-terminated, over unsigned bytes (what h5py writes for {@code str}). */
    static byte[] encodeVlenUtf8() {
        ByteEncoder e = new ByteEncoder();
        e.u8(0x10 | VLEN);
        e.u8(1).u8(1).u8(0); // string; null-terminated; UTF-8
        e.u32(16);
        integer(e, 1, false);
        return e.toBytes();
    }

    private static void floating(ByteEncoder e, int size, int signLoc, int expLoc, int expSize, int mantLoc, int mantSize, int bias) {
        e.u8(0x10 | FLOAT);
        e.u8(2 << 4); // little-endian, no padding, implied most significant mantissa bit
        e.u8(signLoc);
        e.u8(0);
        e.u32(size);
        e.u16(0).u16(size * 8).u8(expLoc).u8(expSize).u8(mantLoc).u8(mantSize).u32(bias);
    }

    private static void integer(ByteEncoder e, int size, boolean signed) {
        e.u8(0x10 | FIXED);
        e.u8(signed ? 0x08 : 0);
        e.u8(0).u8(0);
        e.u32(size);
        e.u16(0).u16(size * 8);
    }

    /** h5py's bool: an enum of int8 with FALSE = 0 and TRUE = 1. */
    private static void h5pyBool(ByteEncoder e) {
        e.u8(0x10 | ENUM);
        e.u8(2).u8(0).u8(0);
        e.u32(1);
        integer(e, 1, true);
        name8(e, "FALSE");
        name8(e, "TRUE");
        e.u8(0).u8(1);
    }

    private static void opaque(ByteEncoder e, int size, String tag) {
        byte[] t = tag.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int padded = (t.length + 7) & ~7; // as libhdf5 encodes it (H5O_dtype_encode_helper): an empty tag takes no bytes
        e.u8(0x10 | OPAQUE);
        e.u8(padded).u8(0).u8(0);
        e.u32(size);
        e.bytes(t).zeros(padded - t.length);
    }

    /** An enum member name: null-terminated, padded to a multiple of 8 (datatype version 1). */
    private static void name8(ByteEncoder e, String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        e.bytes(b).zeros((b.length + 1 + 7) / 8 * 8 - b.length);
    }
}
