package dev.tensorfile.onnx.initializers;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.WireReader;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the header of an embedded initializer by a positional read of the file instead of through the mapping.
 *
 * <p>Initializers lie back to back in the graph: the header of one (its key, length, dims, data_type and name)
 * sits right after the previous one's data. Indexing a model of large initializers through the mapping touches
 * one fresh page per initializer, and the first touch of a mapped page is a page fault: tens of microseconds on
 * virtualized hosts, 70 ms for 2,000 initializers, which is what made opening depend on the data's size. One
 * positional read of a small window costs a few microseconds and maps nothing.
 *
 * <p>This is a fast path for the plain case only: one initializer field holding {@code dims}, {@code data_type},
 * {@code name} and {@code doc_string} within the window, then {@code raw_data} up to the message's end. Anything
 * else — another field, typed or external data, a field that leaves the window, a 10-byte varint, text that is
 * not UTF-8, a read that fails — answers null and leaves the cursor where it was, so that {@link TensorProto#parse}
 * reads it through the mapping with every rule and error message it has.
 */
public final class InitializerProbe {
    /** Only after a field at least this long is the next key likely to lie in a page nobody touched yet. */
    public static final long MIN_JUMP = 64 << 10;
    private static final int WINDOW = 1024;
    private static final int INITIALIZER_KEY = 5 << 3 | WireReader.LEN;

    private final MappedFile file;
    private final ReadLimits limits;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW);
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private boolean unavailable;
    /** Where the next varint ends, set by {@link #varint}. */
    private int at;
    /** How many initializers this probe indexed (for tests: that the fast path was taken). */
    private int indexed;

    /** How many initializers this probe indexed: those that took the fast path. */
    public int indexed() { return indexed; }

    public InitializerProbe(MappedFile file, ReadLimits limits) {
        this.file = file;
        this.limits = limits;
        // The full parse reads a main-graph initializer two messages deep; where the limit forbids that, it fails,
        // and so must the probe's caller.
        this.unavailable = limits.maxNestingDepth() < 2;
    }

    /**
     * The initializer whose key is at {@code graph}'s position, and the cursor moved past it; or null, the cursor
     * unmoved, if it is not the plain case.
     */
    public TensorProto initializer(ByteCursor graph) {
        if (unavailable) return null;
        long start = graph.absolutePosition();
        window.clear().limit((int) Math.min(WINDOW, graph.remaining()));
        int n = file.read(start, window);
        if (n < 0) {
            unavailable = true;
            return null;
        }
        byte[] b = window.array();
        if (n < 2 || b[0] != INITIALIZER_KEY) return null;
        long length = varint(b, 1, n);
        if (length < 0) return null;
        int header = at;
        if (length > graph.remaining() - header) return null;
        long end = header + length; // window-relative end of the TensorProto
        int limit = (int) Math.min(n, end);
        String name = "";
        long[] dims = new long[4];
        int rank = 0;
        long dataType = 0;
        int p = header;
        while (p < limit) {
            int key = b[p];
            if (key < 0) return null; // a field number above 15: not one of the plain fields
            p++;
            int field = key >>> 3;
            int wireType = key & 7;
            if (field == TensorProto.DIMS && wireType == WireReader.VARINT) {
                long d = varint(b, p, limit);
                if (d < 0) return null;
                p = at;
                if (rank == 64) return null;
                if (rank == dims.length) dims = Arrays.copyOf(dims, rank * 2);
                dims[rank++] = d;
            } else if (field == TensorProto.DATA_TYPE && wireType == WireReader.VARINT) {
                dataType = varint(b, p, limit);
                if (dataType < 0 || dataType > Integer.MAX_VALUE) return null;
                p = at;
            } else if (wireType == WireReader.LEN) {
                long len = varint(b, p, limit);
                if (len < 0) return null;
                p = at;
                if (field == TensorProto.RAW_DATA) {
                    if (p + len != end) return null; // raw_data must be the last field
                    MemorySegment message = graph.segment().asSlice(graph.position() + header, length);
                    MemorySegment raw = graph.segment().asSlice(graph.position() + p, len);
                    TensorProto t = TensorProto.plain(message, start + header, name, Arrays.copyOf(dims, rank),
                            dataType, raw, start + p);
                    graph.skip(end);
                    indexed++;
                    return t;
                }
                if (len > limit - p) return null;
                switch (field) {
                    case TensorProto.DIMS -> {
                        int stop = p + (int) len;
                        while (p < stop) {
                            long d = varint(b, p, stop);
                            if (d < 0 || rank == 64) return null;
                            p = at;
                            if (rank == dims.length) dims = Arrays.copyOf(dims, rank * 2);
                            dims[rank++] = d;
                        }
                    }
                    case TensorProto.NAME -> {
                        if (len > limits.maxStringBytes()) return null;
                        try {
                            name = utf8.decode(ByteBuffer.wrap(b, p, (int) len)).toString();
                        } catch (CharacterCodingException e) {
                            return null;
                        }
                        p += (int) len;
                    }
                    case TensorProto.DOC_STRING -> p += (int) len;
                    default -> {
                        return null;
                    }
                }
            } else {
                return null;
            }
        }
        return null; // the message or the window ended before raw_data
    }

    /**
     * The varint at {@code b[p]} ending before {@code limit}, with {@link #at} set past it; -1 if it does not end
     * there or takes 10 bytes (a negative value, left to the full parser and its rules).
     */
    private long varint(byte[] b, int p, int limit) {
        long v = 0;
        for (int i = 0; i < 9 && p < limit; i++) {
            int x = b[p++];
            v |= (long) (x & 0x7F) << (7 * i);
            if (x >= 0) {
                at = p;
                return v;
            }
        }
        return -1;
    }
}
