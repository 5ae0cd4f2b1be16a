package dev.tensorfile.safetensors;

import dev.tensorfile.core.spi.LittleEndian;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.TensorInfo;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors header: {@code u64 N} (little-endian), {@code N} bytes of UTF-8 JSON, then the byte buffer.
 * Parsed and validated with the reference crate's rules, in its order ({@code safetensors/src/tensor.rs},
 * {@code SafeTensors::read_metadata} then {@code Metadata::validate}); each failure names the crate's error variant
 * in parentheses, so a message can be matched to the rule. Stricter than the crate in one place: a JSON key that
 * occurs twice is rejected (the format's README forbids it; serde would keep one silently).
 *
 * @param headerLength {@code N}
 * @param metadata {@code __metadata__}, in header order; empty when absent
 * @param entries the tensors in header order
 */
record SafetensorsHeader(long headerLength, Map<String, String> metadata, List<Entry> entries) {
    static final String FORMAT = "safetensors";
    /** {@code MAX_HEADER_SIZE} of the crate. */
    static final long MAX_HEADER_SIZE = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";

    /**
     * One tensor of the header.
     *
     * @param info name, dtype, shape, byte length
     * @param begin the start of its data, relative to the byte buffer
     */
    record Entry(TensorInfo info, long begin) {}

    /** Where the byte buffer starts. */
    long dataStart() { return 8 + headerLength; }

    /** A tensor entry as written, before validation; numbers hold unsigned 64-bit values. */
    record Raw(String name, DType dtype, long[] shape, long begin, long end, long at) {}

    /**
     * Reads and validates the header of a file of {@code size} bytes; {@code file} holds its first bytes, at least the
     * 8-byte length and the header it gives when that length is acceptable.
     *
     * @throws MalformedFileException naming the broken rule and its byte offset
     */
    static SafetensorsHeader read(MemorySegment file, long size, Path path, ReadLimits limits) {
        if (size < 8) {
            throw fail(path, "header length", 0, "the file has " + size
                    + " bytes, fewer than the 8 of the header length (HeaderTooSmall)");
        }
        long n = file.get(LittleEndian.LONG, 0);
        long max = Math.min(MAX_HEADER_SIZE, limits.maxHeaderBytes());
        if (n < 0 || n > max) {
            throw fail(path, "header length", 0, "header length " + Long.toUnsignedString(n) + " is larger than "
                    + max + " bytes (HeaderTooLarge)");
        }
        if (n > size - 8) {
            throw fail(path, "header length", 0, "header length " + n + " runs past the end of the file of " + size
                    + " bytes (InvalidHeaderLength)");
        }
        MemorySegment json = file.asSlice(8, n);
        long bad = Utf8.firstInvalid(json);
        if (bad >= 0) throw fail(path, "header", 8 + bad, "the header is not valid UTF-8 (InvalidHeader)");
        List<Raw> raws = new ArrayList<>((int) Math.min(1 << 16, n / 80 + 1)); // a capacity hint: entries are ~80+ bytes
        // The header is at most 100 MB and really in the file: copying it to the heap is bounded by its real size.
        Map<String, String> metadata = PlainHeaderParser.parse(json.toArray(ValueLayout.JAVA_BYTE), limits, raws);
        if (metadata == null) metadata = parse(json, path, limits, raws);
        return validate(path, size, n, metadata, raws);
    }

    // ---- JSON: serde's shape {"__metadata__"?: {string: string}, name: {dtype, shape, data_offsets}} ----

    private static Map<String, String> parse(MemorySegment json, Path path, ReadLimits limits, List<Raw> raws) {
        // Jackson sniffs UTF-16/32 from zero bytes and skips a UTF-8 BOM; serde_json accepts neither, so refuse them
        // before Jackson sees them (a NUL byte is never valid JSON; later ones Jackson rejects itself).
        for (long i = 0; i < Math.min(4, json.byteSize()); i++) {
            if (json.get(ValueLayout.JAVA_BYTE, i) == 0) {
                throw fail(path, "header", 8 + i, "a NUL byte is not JSON (InvalidHeaderDeserialization)");
            }
        }
        if (json.byteSize() >= 3 && (json.get(ValueLayout.JAVA_BYTE, 0) & 0xFF) == 0xEF
                && (json.get(ValueLayout.JAVA_BYTE, 1) & 0xFF) == 0xBB && (json.get(ValueLayout.JAVA_BYTE, 2) & 0xFF) == 0xBF) {
            throw fail(path, "header", 8, "a byte-order mark is not JSON (InvalidHeaderDeserialization)");
        }
        int cap = (int) Math.min(Integer.MAX_VALUE, Math.max(json.byteSize(), 1));
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxNestingDepth())
                        .maxStringLength((int) Math.min(cap, limits.maxStringBytes()))
                        .maxNameLength((int) Math.min(cap, limits.maxStringBytes()))
                        .maxDocumentLength(json.byteSize())
                        .build())
                // Tensor names are unique keys read once: interning and canonicalising them (Jackson's defaults,
                // made for repeated field names) cost more than the rest of the parse on a 10,000-tensor header.
                // Without canonicalisation Jackson parses characters, so the bytes go through HeaderReader, which
                // also maps Jackson's character offsets back to the byte offsets our messages name.
                .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                .build();
        Map<String, String> metadata = new LinkedHashMap<>();
        HeaderReader reader = new HeaderReader(json);
        try (JsonParser p = factory.createParser(reader)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw schema(p, path, "header", "the header is not a JSON object");
            }
            boolean sawMetadata = false;
            // Duplicate keys are checked here rather than by Jackson's STRICT_DUPLICATE_DETECTION, which builds a
            // hash set per JSON object: 10,000 of them for a 10,000-tensor header, the largest cost of opening it.
            Set<String> names = HashSet.newHashSet(Math.min(1 << 16, (int) (json.byteSize() / 64) + 1));
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                long at = offset(p);
                checkSurrogates(p, path, name);
                if (!names.add(name)) throw duplicate(path, name, at);
                JsonToken v = p.nextToken();
                if (name.equals(METADATA_KEY)) {
                    sawMetadata = true;
                    if (v == JsonToken.VALUE_NULL) continue; // serde reads null as an absent Option
                    if (v != JsonToken.START_OBJECT) throw schema(p, path, METADATA_KEY, "__metadata__ is not an object");
                    readMetadata(p, path, metadata);
                    continue;
                }
                if (raws.size() >= limits.maxCollectionSize()) {
                    throw fail(path, "header", at, "more than " + limits.maxCollectionSize() + " tensors");
                }
                raws.add(readEntry(p, path, name, at, v));
            }
            if (t != JsonToken.END_OBJECT) throw schema(p, path, "header", "the header is not a JSON object");
            if (p.nextToken() != null) {
                throw schema(p, path, "header", "content after the header's JSON object");
            }
            if (!sawMetadata) metadata = Map.of();
        } catch (StreamConstraintsException e) {
            throw fail(path, "header", 8 + byteOffset(reader, e.getLocation()), e.getOriginalMessage()
                    + " (InvalidHeaderDeserialization)");
        } catch (JsonProcessingException e) {
            String what = e.getOriginalMessage();
            if (what.startsWith("Duplicate field")) {
                throw fail(path, "header", 8 + byteOffset(reader, e.getLocation()), what.replace("Duplicate field", "duplicate key")
                        + " (duplicate keys are forbidden by the format)");
            }
            throw fail(path, "header", 8 + byteOffset(reader, e.getLocation()), "invalid JSON: " + firstLine(what)
                    + " (InvalidHeaderDeserialization)");
        } catch (IOException e) {
            throw new MalformedFileException(FORMAT, path, "header", 8, "cannot read the header: " + e.getMessage(), e);
        }
        return metadata;
    }

    private static void readMetadata(JsonParser p, Path path, Map<String, String> metadata) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            long at = offset(p);
            checkSurrogates(p, path, key);
            if (metadata.containsKey(key)) throw duplicate(path, key, at);
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_STRING) {
                throw schema(p, path, METADATA_KEY, "the value of '" + key + "' is " + describe(v)
                        + ", not a string: metadata values are strings only");
            }
            String value = p.getText();
            checkSurrogates(p, path, value);
            metadata.put(key, value);
        }
        if (t != JsonToken.END_OBJECT) throw schema(p, path, METADATA_KEY, "__metadata__ is not an object");
    }

    private static Raw readEntry(JsonParser p, Path path, String name, long at, JsonToken v) throws IOException {
        if (v != JsonToken.START_OBJECT) throw schema(p, path, tensor(name), "the entry is " + describe(v) + ", not an object");
        DType dtype = null;
        long[] shape = null;
        long[] offsets = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            boolean seen = switch (field) {
                case "dtype" -> dtype != null;
                case "shape" -> shape != null;
                case "data_offsets" -> offsets != null;
                default -> false;
            };
            if (seen) throw duplicate(path, field, offset(p));
            JsonToken fv = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (fv != JsonToken.VALUE_STRING) throw schema(p, path, tensor(name), "dtype is " + describe(fv) + ", not a string");
                    dtype = SafetensorsDType.byName(p.getText());
                    if (dtype == null) {
                        throw schema(p, path, tensor(name), "unknown dtype '" + p.getText() + "'; known: "
                                + SafetensorsDType.ORDER);
                    }
                }
                case "shape" -> shape = readU64Array(p, path, name, "shape", fv, -1);
                case "data_offsets" -> offsets = readU64Array(p, path, name, "data_offsets", fv, 2);
                default -> p.skipChildren(); // the crate ignores unknown fields (no deny_unknown_fields)
            }
        }
        if (t != JsonToken.END_OBJECT) throw schema(p, path, tensor(name), "the entry is not an object");
        if (dtype == null) throw schema(p, path, tensor(name), "missing field 'dtype'");
        if (shape == null) throw schema(p, path, tensor(name), "missing field 'shape'");
        if (offsets == null) throw schema(p, path, tensor(name), "missing field 'data_offsets'");
        return new Raw(name, dtype, shape, offsets[0], offsets[1], at);
    }

    /** How a tensor entry is named in messages (built only when a message is). */
    private static String tensor(String name) { return "tensor '" + name + "'"; }

    private static String rule(String field, int exact) {
        return exact >= 0 ? field + " must be " + exact + " non-negative integers"
                : field + " must be an array of non-negative integers";
    }

    /** A JSON array of integers in [0, 2^64), as serde reads {@code Vec<usize>}; {@code exact} ≥ 0 fixes the length. */
    private static long[] readU64Array(JsonParser p, Path path, String name, String field, JsonToken v, int exact)
            throws IOException {
        if (v != JsonToken.START_ARRAY) throw schema(p, path, tensor(name), rule(field, exact) + "; found " + describe(v));
        long[] values = new long[exact >= 0 ? exact : 4];
        int count = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT) throw schema(p, path, tensor(name), rule(field, exact) + "; found " + describe(t));
            long value;
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                BigInteger big = p.getBigIntegerValue();
                if (big.signum() < 0 || big.bitLength() > 64) throw schema(p, path, tensor(name), rule(field, exact) + "; found " + big);
                value = big.longValue();
            } else {
                value = p.getLongValue();
                if (value < 0) throw schema(p, path, tensor(name), rule(field, exact) + "; found " + value);
            }
            if (exact >= 0 && count == exact) throw schema(p, path, tensor(name), rule(field, exact) + "; found more");
            if (count == values.length) values = java.util.Arrays.copyOf(values, count * 2);
            values[count++] = value;
        }
        if (exact >= 0 && count != exact) throw schema(p, path, tensor(name), rule(field, exact) + "; found " + count);
        return count == values.length ? values : java.util.Arrays.copyOf(values, count);
    }

    // ---- Metadata::validate, then the whole-buffer rule of read_metadata ----

    private static SafetensorsHeader validate(Path path, long size, long n, Map<String, String> metadata, List<Raw> raws) {
        List<Raw> byOffset = new ArrayList<>(raws);
        byOffset.sort(Comparator.<Raw>comparingLong(r -> r.begin() ^ Long.MIN_VALUE)
                .thenComparingLong(r -> r.end() ^ Long.MIN_VALUE));
        long start = 0;
        for (Raw r : byOffset) {
            if (r.begin() != start || Long.compareUnsigned(r.end(), r.begin()) < 0) {
                String why = Long.compareUnsigned(r.end(), r.begin()) < 0 ? "end before begin"
                        : Long.compareUnsigned(r.begin(), start) < 0 ? "it overlaps the tensor before it"
                        : "a gap of " + Long.toUnsignedString(r.begin() - start) + " bytes before it";
                throw fail(path, structure(r), r.at(), "data_offsets [" + Long.toUnsignedString(r.begin()) + ", "
                        + Long.toUnsignedString(r.end()) + "] must begin at " + start
                        + ", where the previous tensor ends: " + why + " (InvalidOffset)");
            }
            start = r.end();
            long elements = 1;
            for (long d : r.shape()) {
                if (elements != 0 && d != 0 && Math.unsignedMultiplyHigh(elements, d) != 0) {
                    throw overflow(path, structure(r), r);
                }
                elements *= d;
            }
            int bitsPer = SafetensorsDType.bits(r.dtype());
            if (Math.unsignedMultiplyHigh(elements, bitsPer) != 0) throw overflow(path, structure(r), r);
            long bits = elements * bitsPer;
            if (bits % 8 != 0) {
                throw fail(path, structure(r), r.at(), Long.toUnsignedString(elements) + " elements of " + r.dtype()
                        + " take " + Long.toUnsignedString(bits) + " bits, not a whole number of bytes (MisalignedSlice)");
            }
            long bytes = Long.divideUnsigned(bits, 8);
            if (r.end() - r.begin() != bytes) {
                throw fail(path, structure(r), r.at(), "data_offsets [" + r.begin() + ", " + Long.toUnsignedString(r.end())
                        + "] hold " + Long.toUnsignedString(r.end() - r.begin()) + " bytes but " + r.dtype() + " "
                        + shapeText(r.shape()) + " needs " + bytes + " (TensorInvalidInfo)");
            }
            for (long d : r.shape()) {
                if (d < 0) {
                    throw fail(path, structure(r), r.at(), "dimension " + Long.toUnsignedString(d)
                            + " is above 2^63-1, which this library cannot represent (ValidationOverflow)");
                }
            }
        }
        long dataLength = size - 8 - n;
        if (start != dataLength) {
            throw fail(path, "byte buffer", 8 + n, "the tensors cover " + Long.toUnsignedString(start)
                    + " bytes but the byte buffer after the header has " + dataLength
                    + "; the last tensor must end exactly at the end of the file (MetadataIncompleteBuffer)");
        }
        List<Entry> entries = new ArrayList<>(raws.size());
        for (Raw r : raws) {
            Shape shape = Shape.of(r.shape());
            entries.add(new Entry(new TensorInfo(r.name(), r.dtype(), shape, r.end() - r.begin()), r.begin()));
        }
        return new SafetensorsHeader(n, metadata, List.copyOf(entries));
    }

    private static MalformedFileException duplicate(Path path, String key, long at) {
        return fail(path, "header", at, "duplicate key '" + key + "' (duplicate keys are forbidden by the format)");
    }

    private static String structure(Raw r) { return tensor(r.name()); }

    private static MalformedFileException overflow(Path path, String structure, Raw r) {
        return fail(path, structure, r.at(), "the byte size of " + r.dtype() + " " + shapeText(r.shape())
                + " overflows 64 bits (ValidationOverflow)");
    }

    private static String shapeText(long[] shape) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) b.append(i == 0 ? "" : ", ").append(Long.toUnsignedString(shape[i]));
        return b.append(']').toString();
    }

    private static MalformedFileException fail(Path path, String structure, long offset, String what) {
        return new MalformedFileException(FORMAT, path, structure, offset, what);
    }

    /** A JSON value of the wrong shape: serde's {@code InvalidHeaderDeserialization}, at the current token. */
    private static MalformedFileException schema(JsonParser p, Path path, String structure, String what) {
        return fail(path, structure, offset(p), what + " (InvalidHeaderDeserialization)");
    }

    /** The absolute file offset of the current token. */
    private static long offset(JsonParser p) {
        return 8 + byteOffset(p.getInputSource() instanceof HeaderReader r ? r : null, p.currentTokenLocation());
    }

    private static long byteOffset(HeaderReader reader, JsonLocation l) {
        if (l == null) return 0;
        if (l.getByteOffset() >= 0) return l.getByteOffset();
        return reader != null && l.getCharOffset() >= 0 ? reader.byteOffsetOf(l.getCharOffset()) : 0;
    }

    /** serde_json refuses a lone surrogate escape (backslash-u d800); Jackson would pass it through. */
    private static void checkSurrogates(JsonParser p, Path path, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw schema(p, path, "header", "a string holds a lone surrogate \\u" + Integer.toHexString(c));
            }
        }
    }

    private static String describe(JsonToken t) {
        if (t == null) return "the end of the header";
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a non-integer number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : t.asString();
        };
    }

    private static String firstLine(String s) {
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
