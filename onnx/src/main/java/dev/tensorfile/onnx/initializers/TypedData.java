package dev.tensorfile.onnx.initializers;

import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.WireReader;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * Decodes a tensor's typed field into raw_data's encoding, exactly as {@code onnx.numpy_helper.to_array} reads it:
 * {@code int32_data} entries keep their low 8 or 16 bits for 8/16-bit integers and for FLOAT16, BFLOAT16 and the
 * FLOAT8 family (bit patterns), one byte per entry for the packed 4- and 2-bit types, and BOOL is 1 for any
 * non-zero entry; {@code uint64_data} keeps 32 bits for UINT32; {@code float_data}/{@code double_data} are copied.
 * Packed and unpacked occurrences of the field may alternate; they are read in file order.
 *
 * <p>Any byte range can be read, and reading resumes where the last read ended: a converter that reads a tensor in
 * consecutive chunks — of any size, even ones that cut values — decodes each value once and never holds the whole
 * decoded tensor. A range that starts before the last read's end (other than inside the value it cut) decodes
 * again from the field's first value, since varints cannot be indexed. The tensor's
 * entry count was checked against its dims when it was opened, so every range in bounds has its values.
 */
public final class TypedData implements DecodedInitializer.RangeDecoder {
    private static final MemorySegment EMPTY = MemorySegment.ofArray(new byte[0]);

    /** The message that holds the field (a TensorProto, or an AttributeProto's {@code floats}/{@code ints}). */
    private final MemorySegment message;
    private final long messageOffset;
    private final String structure;
    private final Path file;
    private final ReadLimits limits;
    private final int field;
    private final String fieldName;
    private final DataType type;
    /** float_data and double_data: values are little-endian bytes already, copied as they are. */
    private final boolean fixed;
    private final PackedVarints.Width width;
    /** Output bytes per varint value. */
    private final int step;

    // where the next read resumes; guarded by this
    private ByteCursor cursor;
    private WireReader reader;
    private MemorySegment run = EMPTY;
    private long runPosition;
    private long runAbsolute;
    /** Output bytes of every value before {@code run[runPosition]}. */
    private long produced;
    /** How many times decoding started from the field's first value (for tests: resuming works). */
    private int restarts;
    /** The last value a read cut in two, whole, and where it starts in the tensor (-1: none). */
    private final MemorySegment cut = MemorySegment.ofArray(new long[1]);
    private long cutStart = -1;

    public TypedData(TensorProto tensor, DataType type, Path file, ReadLimits limits) {
        this(tensor.message, tensor.offset, "initializer '" + tensor.name + "'", type.storage.field,
                TensorProto.fieldName(type.storage.field), type, file, limits);
    }

    /**
     * The values of field {@code field} of {@code message}, stored as {@code type}'s typed field stores them: a
     * Constant node's {@code value_floats} (AttributeProto {@code floats}, fixed32 as {@code float_data}) or
     * {@code value_ints} ({@code ints}, varints as {@code int64_data}).
     */
    TypedData(MemorySegment message, long messageOffset, String structure, int field, String fieldName, DataType type,
            Path file, ReadLimits limits) {
        this.message = message;
        this.messageOffset = messageOffset;
        this.structure = structure;
        this.file = file;
        this.limits = limits;
        this.field = field;
        this.fieldName = fieldName;
        this.type = type;
        this.fixed = type.storage == DataType.Storage.FLOAT_DATA || type.storage == DataType.Storage.DOUBLE_DATA;
        this.width = width(type);
        this.step = switch (width) { case BOOL, BYTE -> 1; case SHORT -> 2; case INT -> 4; case LONG -> 8; };
    }

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

    /** The message the values lie in. */
    @Override
    public MemorySegment source() { return message; }

    /** How many times decoding started from the field's first value: once, for reads that resume. */
    public synchronized int restarts() { return restarts; }

    @Override
    public void decode(MemorySegment out) {
        read(0, out);
    }

    /** Fills {@code dst} with the tensor's decoded bytes from {@code byteOffset}. */
    @Override
    public synchronized void read(long byteOffset, MemorySegment dst) {
        long o = 0; // next byte of dst
        if (cursor != null && cutStart >= 0 && cutStart + step == produced && byteOffset >= cutStart
                && byteOffset < produced) {
            // the range starts inside the value the previous read cut: its rest is at hand
            o = Math.min(produced - byteOffset, dst.byteSize());
            MemorySegment.copy(cut, byteOffset - cutStart, dst, 0, o);
        } else {
            if (cursor == null || byteOffset < produced) restart();
            skipTo(byteOffset);
            if (!fixed && produced < byteOffset) {
                // the range starts inside a value: decode it whole and keep its tail
                o = partial(byteOffset - produced, dst, 0, dst.byteSize());
            }
        }
        while (o < dst.byteSize()) {
            if (!nextValues()) throw endsAt(byteOffset + o);
            long want = dst.byteSize() - o;
            if (fixed) {
                long n = Math.min(run.byteSize() - runPosition, want);
                MemorySegment.copy(run, runPosition, dst, o, n);
                runPosition += n;
                produced += n;
                o += n;
            } else if (want < step) {
                o = partial(0, dst, o, want);
            } else {
                long before = o;
                o = decodeVarints(dst, o, o + want / step * step);
                produced += o - before;
            }
        }
    }

    /**
     * Decodes one value whole, kept as {@link #cut} for a read that resumes inside it, and copies {@code n} of its
     * bytes from {@code from} to {@code dst[o]}.
     */
    private long partial(long from, MemorySegment dst, long o, long n) {
        if (!nextValues()) throw endsAt(produced);
        decodeVarints(cut, 0, step);
        cutStart = produced;
        produced += step;
        long take = Math.min(step - from, n);
        MemorySegment.copy(cut, from, dst, o, take);
        return o + take;
    }

    /** The typed field has no values left at byte {@code tensorByte} of the tensor. */
    private RuntimeException endsAt(long tensorByte) {
        return cursor.fail("typed data ends at byte " + tensorByte + " of the tensor");
    }

    private void restart() {
        cursor = new ByteCursor(message, messageOffset, "onnx", file).structure(structure);
        reader = new WireReader(cursor, 0, limits.maxNestingDepth());
        run = EMPTY;
        runPosition = 0;
        produced = 0;
        cutStart = -1;
        restarts++;
    }

    /** Moves past every value that ends at or before {@code target}. */
    private void skipTo(long target) {
        MemorySegment scratch = null;
        while (produced < target) {
            long gap = target - produced;
            if (!fixed && gap < step) return;
            if (!nextValues()) throw endsAt(produced);
            if (fixed) {
                long n = Math.min(run.byteSize() - runPosition, gap);
                runPosition += n;
                produced += n;
            } else {
                if (scratch == null) scratch = MemorySegment.ofArray(new long[1024]);
                long before = produced;
                produced += decodeVarints(scratch, 0, Math.min(scratch.byteSize(), gap / step * step));
                if (produced == before) throw new IllegalStateException("no progress");
            }
        }
    }

    /** True when the current run has values left, moving to the field's next occurrence if it has none. */
    private boolean nextValues() {
        while (runPosition == run.byteSize()) {
            if (!reader.next()) return false;
            if (reader.field() != field) {
                reader.skip();
                continue;
            }
            if (reader.wireType() == WireReader.LEN) {
                run = reader.bytes(fieldName);
                runAbsolute = cursor.absolutePosition() - run.byteSize();
            } else {
                long start = cursor.position();
                if (fixed) {
                    reader.expect(type.storage == DataType.Storage.FLOAT_DATA ? WireReader.I32 : WireReader.I64, fieldName);
                }
                reader.skip();
                runAbsolute = cursor.absolutePosition() - (cursor.position() - start);
                run = cursor.segment().asSlice(start, cursor.position() - start);
            }
            runPosition = 0;
        }
        return true;
    }

    /**
     * The hot loop: decodes varints of the current run into {@code dst[o, limit)}, {@link #step} bytes each (low
     * bits kept, as numpy's cast from int32/int64 does; BOOL stores 1 for non-zero), until the run or the space
     * ends. Returns the next output offset.
     */
    private long decodeVarints(MemorySegment dst, long o, long limit) {
        MemorySegment src = run;
        long size = src.byteSize();
        long i = runPosition;
        PackedVarints.Width w = width;
        int s = step;
        while (i < size && o < limit) {
            long v;
            int b = src.get(ValueLayout.JAVA_BYTE, i);
            if (b >= 0) {
                v = b;
                i++;
            } else {
                long begin = i;
                v = 0;
                int shift = 0;
                while (true) {
                    if (i >= size) throw varintError(begin, "varint cut off");
                    b = src.get(ValueLayout.JAVA_BYTE, i++);
                    v |= (long) (b & 0x7F) << shift;
                    if (b >= 0) break;
                    shift += 7;
                    if (shift > 63) throw varintError(begin, "varint longer than 10 bytes");
                }
            }
            switch (w) {
                case BOOL -> dst.set(ValueLayout.JAVA_BYTE, o, (byte) (v != 0 ? 1 : 0));
                case BYTE -> dst.set(ValueLayout.JAVA_BYTE, o, (byte) v);
                case SHORT -> dst.set(LittleEndian.SHORT, o, (short) v);
                case INT -> dst.set(LittleEndian.INT, o, (int) v);
                case LONG -> dst.set(LittleEndian.LONG, o, v);
            }
            o += s;
        }
        runPosition = i;
        return o;
    }

    private RuntimeException varintError(long runIndex, String what) {
        long absolute = runAbsolute + runIndex;
        return cursor.failAt(absolute - (cursor.absolutePosition() - cursor.position()), what);
    }
}
