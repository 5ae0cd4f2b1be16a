package dev.tensorfile.onnx;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.MappedFile;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

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
    static void decode(TensorProto t, DataType type, MemorySegment out, MappedFile mapped, ReadLimits limits) {
        Path file = mapped.path();
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
                        if (n < READ_AT_LEAST || !read(mapped, packed, n, out, o)) MemorySegment.copy(packed, 0, out, o, n);
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

    /**
     * Runs of float_data/double_data at least this long are read from the file with positional reads rather than
     * copied from the mapping: the copy would fault in every page of a fresh mapping (about 3 times slower than
     * the kernel's copy from the page cache on the benchmark VM).
     */
    static final long READ_AT_LEAST = 1 << 20;

    /** Reads by 1 MiB, so that the JDK's cached temporary buffer serves a heap destination. */
    private static final int CHUNK = 1 << 20;

    /**
     * Reads {@code n} bytes of the run {@code packed} (a slice of {@code mapped}) from the file into {@code out} at
     * {@code o}. False, with nothing promised about {@code out}, when the file cannot be read again or is no longer
     * the one mapped (another size, or the run's first and last 8 bytes differ from the mapping): the caller then
     * copies from the mapping, which stays the source of truth.
     */
    static boolean read(MappedFile mapped, MemorySegment packed, long n, MemorySegment out, long o) {
        if (n < 16 || !packed.isNative() || !mapped.segment().isNative()) return false;
        long at = packed.address() - mapped.segment().address();
        try (FileChannel ch = FileChannel.open(mapped.path(), StandardOpenOption.READ)) {
            if (ch.size() != mapped.size()) return false;
            for (long done = 0; done < n; ) {
                int len = (int) Math.min(CHUNK, n - done);
                ByteBuffer b = out.asSlice(o + done, len).asByteBuffer();
                while (b.hasRemaining()) {
                    if (ch.read(b, at + done + b.position()) < 0) return false;
                }
                done += len;
            }
        } catch (IOException e) {
            return false;
        }
        return same(packed, out, o, 0) && same(packed, out, o, n - 8);
    }

    private static boolean same(MemorySegment packed, MemorySegment out, long o, long i) {
        return packed.get(ValueLayout.JAVA_LONG_UNALIGNED, i) == out.get(ValueLayout.JAVA_LONG_UNALIGNED, o + i);
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
