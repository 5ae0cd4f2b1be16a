package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ValueType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * An attribute's value as typed metadata, and back (the writer's {@link #encode}): integers keep their width and sign, floats become f32 (binary16 widened)
 * or f64, h5py bools become bool, enums their base integers, strings strings; a scalar is a value, anything with
 * dimensions an array. Types with no metadata equivalent answer null (and are listed as unsupported).
 */
public final class AttributeValues {
    private AttributeValues() {}

    public static MetadataValue of(AttributeMessage a, StringDecoder strings) {
        DatatypeMessage t = a.type();
        ValueType vt = valueType(t);
        if (vt == null) return null;
        long n = a.dataspace().elementCount();
        if (n > Integer.MAX_VALUE - 8) return null;
        List<MetadataValue> values = new ArrayList<>((int) n);
        if (vt == ValueType.STRING) {
            for (String s : strings.decode(t, a.data(), n)) values.add(new MetadataValue.Str(s));
        } else {
            for (long i = 0; i < n; i++) values.add(scalar(t, vt, a.data(), i * t.size()));
        }
        if (a.dataspace().kind() == DataspaceMessage.Kind.SCALAR && values.size() == 1) return values.get(0);
        return new MetadataValue.Array(vt, values);
    }

    static ValueType valueType(DatatypeMessage t) {
        if (t.isString()) return ValueType.STRING;
        if (t.typeClass() == DatatypeMessage.ENUM && t.isH5pyBool()) return ValueType.BOOL;
        DatatypeMessage base = t.typeClass() == DatatypeMessage.ENUM ? t.base() : t;
        if (base.typeClass() == DatatypeMessage.FIXED || base.typeClass() == DatatypeMessage.BITFIELD) {
            boolean signed = base.typeClass() == DatatypeMessage.FIXED && base.signed();
            return switch (base.size()) {
                case 1 -> signed ? ValueType.I8 : ValueType.U8;
                case 2 -> signed ? ValueType.I16 : ValueType.U16;
                case 4 -> signed ? ValueType.I32 : ValueType.U32;
                case 8 -> signed ? ValueType.I64 : ValueType.U64;
                default -> null;
            };
        }
        if (base.typeClass() == DatatypeMessage.FLOAT) {
            return switch (base.dtype() == null ? null : base.dtype()) {
                case F16, F32, BF16 -> ValueType.F32;
                case F64 -> ValueType.F64;
                case null, default -> null;
            };
        }
        return null;
    }

    private static MetadataValue scalar(DatatypeMessage t, ValueType vt, MemorySegment data, long at) {
        ByteOrder order = t.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        int size = t.size();
        long bits = 0;
        for (int i = 0; i < size; i++) {
            int b = data.get(ValueLayout.JAVA_BYTE, at + (order == ByteOrder.LITTLE_ENDIAN ? i : size - 1 - i)) & 0xFF;
            bits |= (long) b << (8 * i);
        }
        return switch (vt) {
            case BOOL -> new MetadataValue.Bool(bits != 0);
            case I8 -> new MetadataValue.Int(vt, (byte) bits);
            case I16 -> new MetadataValue.Int(vt, (short) bits);
            case I32 -> new MetadataValue.Int(vt, (int) bits);
            case U8, U16, U32, U64, I64 -> new MetadataValue.Int(vt, bits);
            case F32 -> {
                DatatypeMessage base = t.typeClass() == DatatypeMessage.ENUM ? t.base() : t;
                yield switch (base.dtype()) {
                    case F16 -> new MetadataValue.F32(Float.float16ToFloat((short) bits));
                    case BF16 -> new MetadataValue.F32(Float.intBitsToFloat((int) bits << 16));
                    default -> new MetadataValue.F32(Float.intBitsToFloat((int) bits));
                };
            }
            case F64 -> new MetadataValue.F64(Double.longBitsToDouble(bits));
            default -> throw new IllegalStateException(vt.toString());
        };
    }

    // ---- encoding: the writer's metadata as attribute messages ----

    /**
     * The attribute message of a metadata value: a scalar or a one-dimensional array of one of the types above,
     * strings as variable-length UTF-8 in {@code heap}; null when the value has no HDF5 attribute form (nested
     * arrays).
     */
    public static byte[] encode(String name, MetadataValue v, GlobalHeap.Writer heap) {
        if (v instanceof MetadataValue.Array a) {
            if (a.elementType() == ValueType.ARRAY) return null;
            ByteEncoder data = new ByteEncoder();
            for (MetadataValue e : a.values()) {
                if (!element(e, data, heap)) return null;
            }
            return AttributeMessage.encode(name, typeOf(a.elementType()), DataspaceMessage.encode(new long[] {a.size()}), data.toBytes());
        }
        ByteEncoder data = new ByteEncoder();
        if (!element(v, data, heap)) return null;
        return AttributeMessage.encode(name, typeOf(v.type()), DataspaceMessage.encode(new long[0]), data.toBytes());
    }

    private static byte[] typeOf(ValueType t) {
        return switch (t) {
            case STRING -> DatatypeMessage.encodeVlenUtf8();
            case BOOL -> DatatypeMessage.encode(dev.tensorfile.core.DType.BOOL);
            case F32 -> DatatypeMessage.encode(dev.tensorfile.core.DType.F32);
            case F64 -> DatatypeMessage.encode(dev.tensorfile.core.DType.F64);
            case U8 -> DatatypeMessage.encode(dev.tensorfile.core.DType.U8);
            case I8 -> DatatypeMessage.encode(dev.tensorfile.core.DType.I8);
            case U16 -> DatatypeMessage.encode(dev.tensorfile.core.DType.U16);
            case I16 -> DatatypeMessage.encode(dev.tensorfile.core.DType.I16);
            case U32 -> DatatypeMessage.encode(dev.tensorfile.core.DType.U32);
            case I32 -> DatatypeMessage.encode(dev.tensorfile.core.DType.I32);
            case U64 -> DatatypeMessage.encode(dev.tensorfile.core.DType.U64);
            case I64 -> DatatypeMessage.encode(dev.tensorfile.core.DType.I64);
            case ARRAY -> throw new IllegalArgumentException("nested arrays");
        };
    }

    /** One element: a string's length and heap ID, or the value's little-endian bytes. */
    private static boolean element(MetadataValue v, ByteEncoder e, GlobalHeap.Writer heap) {
        switch (v) {
            case MetadataValue.Str s -> {
                byte[] b = s.value().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                long[] ref = heap.add(b);
                e.u32(b.length).u64(ref[0]).u32(ref[1]);
            }
            case MetadataValue.Int i -> {
                int size = switch (i.type()) {
                    case U8, I8 -> 1;
                    case U16, I16 -> 2;
                    case U32, I32 -> 4;
                    default -> 8;
                };
                for (int k = 0; k < size; k++) e.u8((int) (i.value() >>> (8 * k)));
            }
            case MetadataValue.F32 f -> e.u32(Float.floatToRawIntBits(f.value()));
            case MetadataValue.F64 d -> e.u64(Double.doubleToRawLongBits(d.value()));
            case MetadataValue.Bool b -> e.u8(b.value() ? 1 : 0);
            case MetadataValue.Array a -> {
                return false;
            }
        }
        return true;
    }
}
