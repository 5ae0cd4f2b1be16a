package dev.tensorfile.onnx;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.ByteCursor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * Decodes a tensor's typed field into raw_data's encoding, exactly as {@code onnx.numpy_helper.to_array} reads it:
 * {@code int32_data} entries keep their low 8 or 16 bits for 8/16-bit integers and for FLOAT16, BFLOAT16 and the
 * FLOAT8 family (bit patterns), one byte per entry for the packed 4- and 2-bit types, and BOOL is 1 for any
 * non-zero entry; {@code uint64_data} keeps 32 bits for UINT32; {@code float_data}/{@code double_data} are copied.
 * Packed and unpacked occurrences of the field may alternate; they are read in file order.
 */
final class TypedData {
    private TypedData() {}

    static PackedVarints.Width width(DataType type) {
        return switch (type) {
            case BOOL -> PackedVarints.Width.BOOL;
            case INT32 -> PackedVarints.Width.INT;
            case UINT32 -> PackedVarints.Width.INT;
            case INT64, UINT64 -> PackedVarints.Width.LONG;
            case UINT16, INT16, FLOAT16, BFLOAT16 -> PackedVarints.Width.SHORT;
            default -> PackedVarints.Width.BYTE;
        };
    }

    /** Fills {@code out} (exactly the tensor's raw byte length) from the typed field of {@code t}. */
    static void decode(TensorProto t, DataType type, MemorySegment out, Path file, ReadLimits limits) {
        ByteCursor c = new ByteCursor(t.message, t.offset, "onnx", file).structure("initializer '" + t.name + "'");
        WireReader r = new WireReader(c, 0, limits.maxNestingDepth());
        int field = type.storage.field;
        long o = 0;
        long limit = out.byteSize();
        PackedVarints.Width width = width(type);
        while (r.next() && o < limit) {
            if (r.field() != field) {
                r.skip();
                continue;
            }
            switch (type.storage) {
                case FLOAT_DATA, DOUBLE_DATA -> {
                    int size = type.storage == DataType.Storage.FLOAT_DATA ? 4 : 8;
                    if (r.wireType() == WireReader.LEN) {
                        MemorySegment packed = r.bytes(TensorProto.fieldName(field));
                        long n = Math.min(packed.byteSize(), limit - o);
                        MemorySegment.copy(packed, 0, out, o, n);
                        o += n;
                    } else {
                        MemorySegment one = c.slice(size);
                        MemorySegment.copy(one, 0, out, o, Math.min(size, limit - o));
                        o += size;
                    }
                }
                default -> {
                    if (r.wireType() == WireReader.LEN) {
                        MemorySegment packed = r.bytes(TensorProto.fieldName(field));
                        long at = c.absolutePosition() - packed.byteSize();
                        o = PackedVarints.decode(packed, out, o, limit, width, c, at);
                    } else {
                        long v = r.varint();
                        o = store(out, o, width, v);
                    }
                }
            }
        }
        if (o < limit) throw c.fail("typed data ends after " + o + " of " + limit + " bytes");
    }

    private static long store(MemorySegment out, long o, PackedVarints.Width width, long v) {
        switch (width) {
            case BOOL -> { out.set(ValueLayout.JAVA_BYTE, o, (byte) (v != 0 ? 1 : 0)); return o + 1; }
            case BYTE -> { out.set(ValueLayout.JAVA_BYTE, o, (byte) v); return o + 1; }
            case SHORT -> { out.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), o, (short) v); return o + 2; }
            case INT -> { out.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), o, (int) v); return o + 4; }
            default -> { out.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), o, v); return o + 8; }
        }
    }
}
