package dev.tensorfile.gguf;

import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.ValueType;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.MappedFile;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything before a GGUF file's tensor data (spec {@code docs/gguf.md}, "File Structure"): magic, version,
 * counts, the key/values and the tensor infos, validated with the rules of ggml's reference reader
 * ({@code src/gguf.cpp}): duplicate keys and tensor names, {@code general.alignment} a power of two,
 * {@code n_dims ≤ 4}, known ggml types, rows a whole number of blocks; plus aligned, in-file, non-overlapping data.
 *
 * @param version 1, 2 or 3
 * @param order the file's byte order (big-endian files are v3 files whose every number is byte-swapped)
 * @param alignment {@code general.alignment}, or 32
 * @param metadata every key/value in file order, with its GGUF type
 * @param tensors the tensor infos in file order
 * @param dataStart absolute offset of the data section
 */
record GgufHeader(int version, ByteOrder order, long alignment, Metadata metadata, List<GgufTensorInfo> tensors,
        long dataStart) {
    /** {@code GGUF_DEFAULT_ALIGNMENT} in gguf.h. */
    static final int DEFAULT_ALIGNMENT = 32;
    /** {@code GGML_MAX_DIMS} in ggml.h. */
    static final int MAX_DIMS = 4;
    static final String ALIGNMENT_KEY = "general.alignment";

    /** "GGUF" as bytes. */
    static final int MAGIC = 0x46554747;
    /** The magic byte-reversed ("FUGG"), which one gguf-py version accepts for big-endian files. */
    static final int MAGIC_REVERSED = 0x47475546;

    /** The predecessors of GGUF (llama.cpp's {@code llama_file_version}), by their u32 magic read little-endian. */
    enum Legacy {
        GGML(0x67676d6c, false), GGMF(0x67676d66, true), GGJT(0x67676a74, true);

        final int magic;
        final boolean versioned;

        Legacy(int magic, boolean versioned) {
            this.magic = magic;
            this.versioned = versioned;
        }

        static Legacy of(int magic) {
            for (Legacy l : values()) if (l.magic == magic) return l;
            return null;
        }
    }

    /** The little-endian u32 at the start of {@code content}, or 0 if there are fewer than 4 bytes. */
    static int magicOf(MemorySegment content) {
        return content.byteSize() < 4 ? 0
                : content.get(LittleEndian.INT, 0);
    }

    /** Reads and validates the header of {@code file}. */
    static GgufHeader read(MappedFile file, ReadLimits limits) {
        return read(file.segment(), file.size(), file.path(), limits);
    }

    /**
     * Reads and validates the header of a file of {@code size} bytes whose first bytes are {@code prefix}: a header
     * longer than the prefix fails as a truncated one would (a remote reader fetches more and reads again).
     */
    static GgufHeader read(MemorySegment prefix, long size, Path path, ReadLimits limits) {
        ByteCursor c = new ByteCursor(prefix, 0, GgufFormat.NAME, path).structure("header");
        if (c.remaining() < 8) throw c.failAt(0, "a file of " + c.remaining() + " bytes is too short for a GGUF header");
        int magic = c.i32();
        Legacy legacy = Legacy.of(magic);
        if (legacy != null) {
            String version = legacy.versioned ? " v" + Integer.toUnsignedString(c.i32()) : " (unversioned)";
            throw new UnsupportedFeatureException(GgufFormat.NAME, path, "header at byte 0: this is a " + legacy
                    + version + " file, the llama.cpp format before GGUF, which is not supported; convert it to GGUF "
                    + "with llama.cpp's convert_llama_ggml_to_gguf.py");
        }
        if (magic != MAGIC && magic != MAGIC_REVERSED) {
            throw c.failAt(0, String.format("magic 0x%08x is not \"GGUF\"", Integer.reverseBytes(magic)));
        }
        // No flag marks a big-endian file: like gguf.cpp and gguf-py, take a version whose low half is zero as
        // byte-swapped (versions are small numbers, so a real one never has its low 16 bits clear).
        int raw = c.i32();
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        int version = raw;
        if ((raw & 0xFFFF) == 0) {
            order = ByteOrder.BIG_ENDIAN;
            version = Integer.reverseBytes(raw);
        }
        if (version < 1 || version > 3) {
            throw new UnsupportedFeatureException(GgufFormat.NAME, path, "header at byte 4: GGUF version "
                    + Integer.toUnsignedString(version) + " is not supported (versions 1, 2 and 3 are)");
        }
        c.order(order);
        GgufValueReader values = new GgufValueReader(prefix, path, order, version, limits);
        int lengthBytes = values.lengthBytes();

        long tensorCountAt = c.position();
        long tensorCount = values.length(c, "tensor count");
        long keyCountAt = c.position();
        long keyCount = values.length(c, "key/value count");
        // The smallest key/value is an empty key, a type and a one-byte value; the smallest tensor info a name
        // length, n_dims, type and offset. Both counts must fit in what follows before anything is allocated.
        long minKv = lengthBytes + 4 + 1;
        long minTensor = lengthBytes + 4 + 4 + 8;
        checkCount(c, keyCountAt, keyCount, minKv, "key/value", limits);
        checkCount(c, tensorCountAt, tensorCount, minTensor, "tensor", limits);
        if (keyCount * minKv + tensorCount * minTensor > c.remaining()) {
            throw c.failAt(tensorCountAt, tensorCount + " tensor infos and " + keyCount + " key/values need at least "
                    + (tensorCount * minTensor + keyCount * minKv) + " bytes but only " + c.remaining() + " remain");
        }

        Map<String, MetadataValue> kv = new LinkedHashMap<>();
        long alignmentAt = -1;
        for (int i = 0; i < keyCount; i++) {
            long at = c.position();
            c.structure("key/value #" + i);
            checkHeaderSize(c, limits);
            String key = values.string(c, "key");
            if (key.isEmpty()) throw c.failAt(at, "empty key");
            c.structure("key/value #" + i + " ('" + key + "')");
            ValueType type = values.valueType(c);
            MetadataValue v = type == ValueType.ARRAY ? values.array(c, 1) : values.value(c, type, 0);
            if (kv.putIfAbsent(key, v) != null) throw c.failAt(at, "duplicate key '" + key + "'");
            if (key.equals(ALIGNMENT_KEY)) alignmentAt = at;
        }
        long alignment = alignment(kv, path, alignmentAt);

        List<GgufTensorInfo> tensors = new ArrayList<>((int) tensorCount);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tensorCount; i++) {
            long at = c.position();
            c.structure("tensor info #" + i);
            checkHeaderSize(c, limits);
            String name = values.string(c, "tensor name");
            if (!names.add(name)) throw c.failAt(at, "duplicate tensor name '" + name + "'");
            c.structure("tensor info #" + i + " ('" + name + "')");
            long dimsAt = c.position();
            long nDims = Integer.toUnsignedLong(values.i32(c));
            if (nDims > MAX_DIMS) throw c.failAt(dimsAt, "n_dims " + nDims + " exceeds GGML_MAX_DIMS (" + MAX_DIMS + ")");
            long[] ne = new long[(int) nDims];
            for (int d = 0; d < nDims; d++) ne[d] = values.length(c, "ne[" + d + "]");
            long typeAt = c.position();
            long typeId = Integer.toUnsignedLong(values.i32(c));
            long offsetAt = c.position();
            long offset = values.size64(c, "data offset");
            DType dtype = GgmlType.dtype(typeId);
            if (dtype == null) {
                throw new UnsupportedFeatureException(GgufFormat.NAME, path, c.structure() + " at byte " + typeAt
                        + ": " + GgmlType.describeUnknown(typeId));
            }
            if (order == ByteOrder.BIG_ENDIAN && !ByteSwappedTensor.readableBigEndian(dtype)) {
                // Only gguf_convert_endian.py makes big-endian files, and it converts only these block types:
                // for any other, which of its bytes are swapped numbers is defined by no tool.
                throw new UnsupportedFeatureException(GgufFormat.NAME, path, c.structure() + " at byte " + typeAt
                        + ": " + dtype + " data in a big-endian file is not supported (gguf_convert_endian.py "
                        + "converts only F32, F16, BF16, Q4_0, Q8_0, Q4_K, Q6_K, MXFP4 and NVFP4)");
            }
            if (nDims > 0 && ne[0] % dtype.blockElements() != 0) {
                throw c.failAt(dimsAt, "row length ne[0] = " + ne[0] + " is not a multiple of the "
                        + dtype.blockElements() + "-element " + dtype + " block");
            }
            long[] dims = new long[ne.length];
            for (int d = 0; d < ne.length; d++) dims[d] = ne[ne.length - 1 - d];
            TensorInfo info;
            try {
                info = TensorInfo.of(name, dtype, Shape.of(dims));
            } catch (ArithmeticException e) {
                throw c.failAt(dimsAt, "dimensions " + java.util.Arrays.toString(ne) + " of " + dtype
                        + " overflow a 64-bit byte size");
            }
            tensors.add(new GgufTensorInfo(info, ne, (int) typeId, offset, i, at, offsetAt));
        }
        // gguf.cpp pads to the alignment after the tensor infos; the data section starts there.
        long end = c.position();
        long dataStart = end + (alignment - end % alignment) % alignment;
        checkData(tensors, dataStart, alignment, size, path);
        return new GgufHeader(version, order, alignment, Metadata.of(kv), List.copyOf(tensors), dataStart);
    }

    /** Key/values and tensor infos are decoded onto the heap: their bytes are bounded like any header's. */
    private static void checkHeaderSize(ByteCursor c, ReadLimits limits) {
        if (c.position() > limits.maxHeaderBytes()) {
            throw c.fail("the header exceeds the limit of " + limits.maxHeaderBytes() + " bytes");
        }
    }

    private static void checkCount(ByteCursor c, long at, long count, long minEach, String what, ReadLimits limits) {
        if (count > c.remaining() / minEach) {
            throw c.failAt(at, what + " count " + count + " needs at least " + (count > Long.MAX_VALUE / minEach
                    ? "more than " + c.remaining() : count * minEach) + " bytes but only " + c.remaining() + " remain");
        }
        if (count > limits.maxCollectionSize() || count > Integer.MAX_VALUE - 8) {
            throw c.failAt(at, what + " count " + count + " exceeds the limit of "
                    + Math.min(limits.maxCollectionSize(), Integer.MAX_VALUE - 8));
        }
    }

    /** {@code general.alignment}: a UINT32 power of two (gguf.cpp, gguf_reader.py), 32 when absent. */
    private static long alignment(Map<String, MetadataValue> kv, Path path, long at) {
        MetadataValue v = kv.get(ALIGNMENT_KEY);
        if (v == null) return DEFAULT_ALIGNMENT;
        if (!(v instanceof MetadataValue.Int i) || i.type() != ValueType.U32) {
            throw new MalformedFileException(GgufFormat.NAME, path, "key/value '" + ALIGNMENT_KEY + "'", at,
                    "must be UINT32, not " + GgufValueType.ggufName(v.type()));
        }
        long a = i.value();
        if (a == 0 || (a & (a - 1)) != 0) {
            throw new MalformedFileException(GgufFormat.NAME, path, "key/value '" + ALIGNMENT_KEY + "'", at,
                    "alignment " + a + " is not a power of two");
        }
        return a;
    }

    /** Each tensor's data: aligned, inside the file, overlapping no other. */
    private static void checkData(List<GgufTensorInfo> tensors, long dataStart, long alignment, long fileSize,
            Path path) {
        for (GgufTensorInfo t : tensors) {
            if (t.offset() % alignment != 0) {
                throw malformed(path, t, "offset " + t.offset() + " is not a multiple of the alignment " + alignment);
            }
            long start = dataStart + t.offset();
            long length = t.info().byteLength();
            if (start < 0 || start > fileSize || length > fileSize - start) {
                throw malformed(path, t, "data [" + start + ", " + (start + length) + ") of " + length
                        + " bytes lies outside the file of " + fileSize + " bytes");
            }
        }
        List<GgufTensorInfo> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(GgufTensorInfo::offset));
        GgufTensorInfo reach = null;
        long reachEnd = 0;
        for (GgufTensorInfo t : byOffset) {
            if (t.info().byteLength() == 0) continue;
            if (reach != null && t.offset() < reachEnd) {
                throw malformed(path, t, "data at offset " + t.offset() + " overlaps the data of tensor '"
                        + reach.info().name() + "' at [" + reach.offset() + ", " + reachEnd + ")");
            }
            reach = t;
            reachEnd = t.offset() + t.info().byteLength();
        }
    }

    private static MalformedFileException malformed(Path path, GgufTensorInfo t, String what) {
        return new MalformedFileException(GgufFormat.NAME, path, t.structure(), t.offsetPosition(), what);
    }
}
