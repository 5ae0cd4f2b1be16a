package dev.tensorfile.onnx.initializers;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.WireReader;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One {@code TensorProto} (onnx.in.proto), indexed in one pass without touching its data: dims, data_type, name,
 * where {@code raw_data} lies, which typed field holds values and how many, and the {@code external_data} entries.
 * Typed values are decoded later by {@link TypedData}, from {@link #message}.
 */
public final class TensorProto {
    public static final int DIMS = 1, DATA_TYPE = 2, SEGMENT = 3, STRING_DATA = 6, NAME = 8, RAW_DATA = 9, DOC_STRING = 12,
            EXTERNAL_DATA = 13, DATA_LOCATION = 14;

    /** Key/value of one {@code external_data} entry ({@code StringStringEntryProto}). */
    public record Entry(String key, String value) {}

    /** The message's bytes (the value of the field that holds it) and the file offset of its first byte. */
    public final MemorySegment message;
    public final long offset;
    public final String name;
    public final long[] dims;
    public final long dataType;
    public final boolean hasSegment;
    /** raw_data, or null if absent. */
    public final MemorySegment rawData;
    public final long rawDataOffset;
    /** The typed field numbers present (bit i set for field i), and how many entries they hold together. */
    public final int typedFields;
    public final long typedEntries;
    public final long typedBytes;
    /** The typed field's bytes when it occurs once, as one packed run (as onnx.helper writes it); else null. */
    public final MemorySegment typedRun;
    public final List<Entry> externalData;
    public final long dataLocation;

    private TensorProto(MemorySegment message, long offset, String name, long[] dims, long dataType,
            boolean hasSegment, MemorySegment rawData, long rawDataOffset, int typedFields, long typedEntries,
            long typedBytes, MemorySegment typedRun, List<Entry> externalData, long dataLocation) {
        this.message = message;
        this.offset = offset;
        this.name = name;
        this.dims = dims;
        this.dataType = dataType;
        this.hasSegment = hasSegment;
        this.rawData = rawData;
        this.rawDataOffset = rawDataOffset;
        this.typedFields = typedFields;
        this.typedEntries = typedEntries;
        this.typedBytes = typedBytes;
        this.typedRun = typedRun;
        this.externalData = externalData;
        this.dataLocation = dataLocation;
    }

    /** A TensorProto of dims, data_type, name and raw_data only (what {@link InitializerProbe} reads). */
    static TensorProto plain(MemorySegment message, long offset, String name, long[] dims, long dataType,
            MemorySegment rawData, long rawDataOffset) {
        return new TensorProto(message, offset, name, dims, dataType, false, rawData, rawDataOffset, 0, 0, 0, null,
                List.of(), 0);
    }

    /** Indexes the TensorProto that {@code r} reads (a reader over exactly the message's bytes). */
    public static TensorProto parse(WireReader r, ReadLimits limits) {
        ByteCursor c = r.cursor();
        MemorySegment message = c.segment();
        long offset = c.absolutePosition();
        String name = "";
        long[] dims = new long[4];
        int rank = 0;
        long dataType = 0;
        boolean hasSegment = false;
        MemorySegment raw = null;
        long rawOffset = -1;
        int typed = 0;
        long entries = 0;
        long typedBytes = 0;
        int typedOccurrences = 0;
        MemorySegment typedRun = null;
        List<Entry> external = List.of();
        long location = 0;
        while (r.next()) {
            switch (r.field()) {
                case DIMS -> {
                    if (r.wireType() == WireReader.LEN) {
                        MemorySegment packed = r.bytes("dims");
                        long n = WireReader.countVarints(packed);
                        checkRank(r, rank + n, limits);
                        dims = Arrays.copyOf(dims, Math.max(dims.length, (int) (rank + n)));
                        long at = c.absolutePosition() - packed.byteSize();
                        rank = PackedVarints.decodeLongs(packed, dims, rank, c, at, "dims");
                    } else {
                        long d = r.int64("dims");
                        checkRank(r, rank + 1, limits);
                        if (rank == dims.length) dims = Arrays.copyOf(dims, rank * 2);
                        dims[rank++] = d;
                    }
                }
                case DATA_TYPE -> dataType = r.int32("data_type");
                case SEGMENT -> {
                    hasSegment = true;
                    r.skip();
                }
                case NAME -> name = r.string("name", limits.maxStringBytes());
                case RAW_DATA -> {
                    long n = r.length("raw_data");
                    rawOffset = c.absolutePosition();
                    raw = c.slice(n);
                }
                case 4, 5, 7, 10, 11 -> {
                    int f = r.field();
                    typed |= 1 << f;
                    typedOccurrences++;
                    int fixed = f == 4 ? 4 : f == 10 ? 8 : 0;
                    if (r.wireType() == WireReader.LEN) {
                        // fixed-width values are counted by length and read when the tensor is; varints are counted
                        // by reading them
                        MemorySegment packed = fixed > 0 ? r.dataBytes(fieldName(f)) : r.bytes(fieldName(f));
                        typedBytes += packed.byteSize();
                        typedRun = packed;
                        if (fixed > 0) {
                            if (packed.byteSize() % fixed != 0) {
                                throw r.failField(fieldName(f) + " of " + packed.byteSize()
                                        + " bytes is not a whole number of " + fixed + "-byte values");
                            }
                            entries += packed.byteSize() / fixed;
                        } else {
                            if (packed.byteSize() > 0 && packed.get(java.lang.foreign.ValueLayout.JAVA_BYTE,
                                    packed.byteSize() - 1) < 0) {
                                throw r.failField("packed " + fieldName(f) + " ends inside a varint");
                            }
                            entries += WireReader.countVarints(packed);
                        }
                    } else {
                        int want = fixed == 4 ? WireReader.I32 : fixed == 8 ? WireReader.I64 : WireReader.VARINT;
                        r.expect(want, fieldName(f));
                        long before = c.position();
                        r.skip();
                        typedBytes += c.position() - before;
                        entries++;
                    }
                }
                case 6 -> {
                    typed |= 1 << 6;
                    long n = r.length("string_data");
                    if (n > limits.maxStringBytes()) {
                        throw r.failField("string_data entry of " + n + " bytes is longer than the "
                                + limits.maxStringBytes() + " allowed");
                    }
                    c.skip(n);
                    typedBytes += n;
                    entries++;
                }
                case EXTERNAL_DATA -> {
                    if (external.isEmpty()) external = new ArrayList<>();
                    if (external.size() >= 64) throw r.failField("more than 64 external_data entries");
                    external.add(entry(r.message("external_data", c.structure()), limits));
                }
                case DATA_LOCATION -> location = r.int32("data_location");
                default -> r.skip();
            }
        }
        return new TensorProto(message, offset, name, Arrays.copyOf(dims, rank), dataType, hasSegment, raw, rawOffset,
                typed, entries, typedBytes, typedOccurrences == 1 ? typedRun : null, external, location);
    }

    private static void checkRank(WireReader r, long rank, ReadLimits limits) {
        if (rank > 64) throw r.failField("tensor of rank " + rank + "; at most 64 dimensions are accepted");
    }

    /** A {@code StringStringEntryProto}. */
    public static Entry entry(WireReader r, ReadLimits limits) {
        String key = "";
        String value = "";
        while (r.next()) {
            switch (r.field()) {
                case 1 -> key = r.string("key", limits.maxStringBytes());
                case 2 -> value = r.string("value", limits.maxStringBytes());
                default -> r.skip();
            }
        }
        return new Entry(key, value);
    }

    public static String fieldName(int field) {
        return switch (field) {
            case 4 -> "float_data";
            case 5 -> "int32_data";
            case 6 -> "string_data";
            case 7 -> "int64_data";
            case 10 -> "double_data";
            case 11 -> "uint64_data";
            default -> "field " + field;
        };
    }
}
