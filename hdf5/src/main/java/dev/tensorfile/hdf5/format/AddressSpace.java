package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.RemoteFile;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * The bytes of one HDF5 file and the sizes its superblock declares: where every structure is read from. The
 * segment may be a slice of a larger mapping (a {@code model.weights.h5} stored inside a {@code .keras} zip), so
 * error offsets add {@link #fileOffset}. Addresses in the file are relative to the superblock's base address
 * (spec III.A: "all other addresses are relative to this base address").
 *
 * <p>This is the one door through which structure bytes are read, so it is where a remote file is fetched
 * (docs/remote.md): every cursor it hands out covers only bytes fetched first. A cursor over a range
 * ({@link #range}) is exactly that range; a cursor at an address ({@link #at}, for a structure whose length is
 * learned while parsing it) covers a window of {@link #AT_WINDOW} bytes from the address, which every structure's
 * fixed part fits, and a structure with a counted part asks for it with {@link #more} before counting (so a count
 * is checked against the same bytes left as locally, and errors read the same). Each structure fetch reads
 * {@link #READ_AHEAD} bytes from its address at least, since libhdf5 packs metadata together (its 2 KiB metadata
 * blocks hold a group's headers, heaps and nodes side by side). Bytes fetched for structures are bounded by
 * {@link ReadLimits#maxHeaderBytes()}; tensor data ({@link #dataSlice}, {@link #data}) are fetched only when read.
 * Locally none of this costs anything: the cursors are the same as before, over the whole mapping.
 */
public final class AddressSpace {
    public static final String FORMAT = "hdf5";
    /** The undefined address: all bits set (spec II, "Address ... undefined address"). */
    public static final long UNDEFINED = -1L;

    /** Bytes a cursor at an address covers for a remote file: more than any structure's fixed part. */
    static final long AT_WINDOW = 4096;
    /**
     * The least a structure fetch reads from its address, and the most it grows to while misses stay near one
     * another. Measured over a Keras 2 layout of 500 datasets (RemoteCostTest, docs/remote.md): 32 KiB costs one
     * request per cluster of a layer's metadata where 16 KiB costs a third more; growing to 1 MiB reads metadata
     * packed together (the same layout with small data) in tens of requests instead of hundreds.
     */
    static final long READ_AHEAD = 32 * 1024;
    static final long MAX_READ_AHEAD = 1 << 20;

    final MemorySegment segment;
    public final long fileOffset;
    public final Path path;
    public final ReadLimits limits;
    int offsetSize = 8;
    int lengthSize = 8;
    public long baseAddress;
    /** The file to fetch through, for a remote file; null for a local one (every byte is there). */
    private final MappedFile source;
    private final RemoteFile remote;
    /** Structure bytes asked for so far (remote only), bounded by {@link ReadLimits#maxHeaderBytes()}. */
    private final java.util.concurrent.atomic.AtomicLong structureBytes = new java.util.concurrent.atomic.AtomicLong();
    /** The read-ahead now, and where the last structure fetch was (remote only; guarded by {@code this}). */
    private long readAhead = READ_AHEAD;
    private long lastFetch = Long.MIN_VALUE / 2;
    private long lastFetchEnd = Long.MIN_VALUE / 2;

    public AddressSpace(MemorySegment segment, long fileOffset, Path path, ReadLimits limits) {
        this(segment, fileOffset, path, limits, null);
    }

    /**
     * @param segment the HDF5 bytes: {@code source}'s {@link MappedFile#dataSlice} at {@code fileOffset}
     * @param source the file the segment is of, fetched through when it is remote (may be null for a local file)
     */
    public AddressSpace(MemorySegment segment, long fileOffset, Path path, ReadLimits limits, MappedFile source) {
        this.segment = segment;
        this.fileOffset = fileOffset;
        this.path = path;
        this.limits = limits;
        this.remote = source == null ? null : source.remote().orElse(null);
        this.source = remote == null ? null : source;
    }

    public long size() { return segment.byteSize(); }

    /**
     * A cursor at {@code address} (relative to the base address), naming {@code structure} in its errors. Its
     * positions are offsets in the segment. For a remote file it ends {@link #AT_WINDOW} bytes on (or at the end of
     * the file); a structure reads a counted part through {@link #more}.
     */
    ByteCursor at(long address, String structure) {
        ByteCursor c = unfetched(address, structure);
        if (source == null) return c;
        long abs = c.position();
        long end = abs + Math.min(AT_WINDOW, segment.byteSize() - abs);
        fetch(abs, end - abs, structure);
        return new ByteCursor(segment.asSlice(0, end), fileOffset, FORMAT, path).structure(structure).seek(abs);
    }

    /** A cursor over the whole segment at {@code address}, checked to be in the file; read only locally. */
    private ByteCursor unfetched(long address, String structure) {
        ByteCursor c = new ByteCursor(segment, fileOffset, FORMAT, path).structure(structure);
        if (address == UNDEFINED) throw c.fail("undefined address where a " + structure + " is required");
        long abs = baseAddress + address;
        if (address < 0 || abs < 0 || abs >= segment.byteSize()) {
            // The offset named is where the structure would be: the address the file claims.
            throw new MalformedFileException(FORMAT, path, structure, address < 0 || abs < 0 ? -1 : fileOffset + abs,
                    "address " + Long.toUnsignedString(address)
                    + " is past the end of the file (" + segment.byteSize() + " bytes)");
        }
        return c.seek(abs);
    }

    /**
     * {@code c} (a cursor from {@link #at}) or a cursor at the same position with {@code n} bytes left, or as many
     * as the file has: for a counted part of a structure, before its count is checked. Locally {@code c} itself.
     */
    ByteCursor more(ByteCursor c, long n) {
        if (source == null || n <= c.remaining()) return c;
        long pos = c.position();
        long end = n > segment.byteSize() - pos ? segment.byteSize() : pos + n;
        fetch(pos, end - pos, c.structure());
        return new ByteCursor(segment.asSlice(0, end), fileOffset, FORMAT, path).structure(c.structure()).seek(pos);
    }

    /** A cursor over exactly {@code length} bytes at {@code address}. */
    ByteCursor range(long address, long length, String structure) {
        if (contains(address, length) && baseAddress + address < segment.byteSize()) {
            // the common case in one slice and one cursor (at + split make two cursors)
            long abs = baseAddress + address;
            if (source != null) fetch(abs, length, structure);
            return new ByteCursor(segment.asSlice(abs, length), fileOffset + abs, FORMAT, path).structure(structure);
        }
        return outside(address, length, structure);
    }

    /** Fails for a range {@link #contains} refused: the address, or the length from it, is past the end. */
    private ByteCursor outside(long address, long length, String structure) {
        ByteCursor c = unfetched(address, structure);
        if (length < 0 || length > c.remaining()) {
            throw c.fail(structure + " of " + Long.toUnsignedString(length) + " bytes runs past the end of the file ("
                    + segment.byteSize() + " bytes)");
        }
        throw new IllegalStateException("range [" + address + ", +" + length + ") is in the file"); // contains() said not
    }

    /** The {@code length} bytes at {@code address}, as a slice of the mapping (fetched, for a remote file). */
    public MemorySegment slice(long address, long length, String structure) {
        return range(address, length, structure).segment();
    }

    /**
     * The {@code length} bytes of tensor data at {@code address}, as a slice of the mapping, checked as
     * {@link #slice} checks, and for a remote file not fetched: only for a reader that calls
     * {@link MappedFile#require(MemorySegment)} before reading it (a {@code SegmentTensor}, {@code DataStorage.Block}).
     */
    public MemorySegment dataSlice(long address, long length, String structure) {
        if (!contains(address, length) || baseAddress + address >= segment.byteSize()) outside(address, length, structure);
        return segment.asSlice(baseAddress + address, length);
    }

    /**
     * The {@code length} bytes of tensor data at {@code address} (a chunk), checked as {@link #slice} checks and
     * fetched, exactly: data are not structure, so neither read ahead nor counted against the header limit.
     */
    public MemorySegment data(long address, long length, String structure) {
        MemorySegment s = dataSlice(address, length, structure);
        if (source != null) source.require(fileOffset + baseAddress + address, length);
        return s;
    }

    /**
     * Fetches structure bytes {@code [abs, abs + length)} of the segment (remote only), reading at least
     * {@link #READ_AHEAD} bytes when any is missing, and fails once the structure bytes asked for pass
     * {@link ReadLimits#maxHeaderBytes()}: a hostile file's claimed sizes never fetch unbounded bytes.
     */
    private void fetch(long abs, long length, String structure) {
        long at = fileOffset + abs;
        if (length == 0 || remote.isFetched(at, length)) return;
        long n;
        synchronized (this) {
            // Read ahead, more while the misses stay near one another (metadata packed together), back to the
            // least after a jump (metadata between large data, as h5py writes a layer's headers beside its weights).
            boolean near = abs >= lastFetch - readAhead && abs <= lastFetchEnd + readAhead;
            readAhead = near ? Math.min(MAX_READ_AHEAD, readAhead * 2) : READ_AHEAD;
            n = Math.max(length, Math.min(readAhead, segment.byteSize() - abs));
            lastFetch = abs;
            lastFetchEnd = abs + n;
        }
        if (structureBytes.addAndGet(n) > limits.maxHeaderBytes()) {
            throw new MalformedFileException(FORMAT, path, structure, at, "fetching " + n + " more bytes of structure "
                    + "would pass the limit of " + limits.maxHeaderBytes() + " header bytes (ReadLimits.maxHeaderBytes)");
        }
        source.require(at, n);
    }

    /** Where the superblock's signature is (spec III.A: at 0, 512, 1024, 2048, ...), or -1. */
    long findSuperblock() {
        if (source == null) return Superblock.find(segment);
        for (long at = 0; at + 8 <= segment.byteSize(); at = at == 0 ? 512 : at * 2) {
            fetch(at, 8, "superblock");
            if (Superblock.matches(segment, at)) return at;
        }
        return -1;
    }

    /** True when {@code [address, address+length)} lies inside the file. */
    public boolean contains(long address, long length) {
        long abs = baseAddress + address;
        return address != UNDEFINED && address >= 0 && length >= 0 && abs >= 0 && abs <= segment.byteSize()
                && length <= segment.byteSize() - abs;
    }

    public long offset(ByteCursor c) { return readSized(c, offsetSize, true); }

    long length(ByteCursor c) { return readSized(c, lengthSize, false); }

    /*
     * Little-endian reads with constant layouts. ByteCursor's own u16/u32/i64 derive a layout from its byte order on
     * every call (withOrder: a new layout and a var-handle cache lookup each time), which made those calls the
     * biggest cost of reading object headers; HDF5 metadata is always little-endian.
     */

    static int u16(ByteCursor c) {
        c.require(2);
        int v = c.segment().get(LittleEndian.SHORT, c.position()) & 0xFFFF;
        c.skip(2);
        return v;
    }

    public static int i32(ByteCursor c) {
        c.require(4);
        int v = c.segment().get(LittleEndian.INT, c.position());
        c.skip(4);
        return v;
    }

    static long u32(ByteCursor c) { return i32(c) & 0xFFFFFFFFL; }

    static long i64(ByteCursor c) {
        c.require(8);
        long v = c.segment().get(LittleEndian.LONG, c.position());
        c.skip(8);
        return v;
    }

    /**
     * The next {@code n} bytes as strict UTF-8, like {@link ByteCursor#utf8}, with a fast path for the common
     * all-ASCII name (ByteCursor builds a reporting CharsetDecoder per call).
     */
    static String utf8(ByteCursor c, long n) {
        if (n > 0 && n <= 256) {
            c.require(n);
            byte[] b = new byte[(int) n];
            MemorySegment.copy(c.segment(), ValueLayout.JAVA_BYTE, c.position(), b, 0, b.length);
            boolean ascii = true;
            for (byte x : b) ascii &= x >= 0;
            if (ascii) {
                c.skip(n);
                return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
            }
        }
        return c.utf8(n);
    }

    /** An unsigned little-endian value of {@code n} bytes (1–8); above 2^63-1 fails unless it is all ones. */
    public static long unsigned(ByteCursor c, int n) {
        if (n == 8) return i64(c);
        if (n == 4) return u32(c);
        long v = 0;
        for (int i = 0; i < n; i++) v |= (long) c.u8() << (8 * i);
        return v;
    }

    private static long readSized(ByteCursor c, int n, boolean address) {
        long at = c.position();
        long v = unsigned(c, n);
        if (n < 8 && v == (1L << (8 * n)) - 1 && address) return UNDEFINED;
        if (v == UNDEFINED && address) return UNDEFINED;
        if (v < 0) throw c.failAt(at, (address ? "address " : "length ") + Long.toUnsignedString(v) + " is above 2^63-1");
        return v;
    }

    public MalformedFileException malformed(String structure, long address, String what) {
        return new MalformedFileException(FORMAT, path, structure, address < 0 ? -1 : fileOffset + baseAddress + address, what);
    }

    public UnsupportedFeatureException unsupported(String what) {
        return new UnsupportedFeatureException(FORMAT, path, what);
    }

    /** Bytes needed to encode {@code value} (libhdf5's {@code H5VM_limit_enc_size}). */
    static int encodedSize(long value) {
        return (63 - Long.numberOfLeadingZeros(Math.max(1, value))) / 8 + 1;
    }

    public static int log2(long v) { return 63 - Long.numberOfLeadingZeros(v); }

    /** Checks the 4-byte signature at the cursor. */
    static void signature(ByteCursor c, String sig) {
        long at = c.position();
        for (int i = 0; i < 4; i++) {
            if (c.u8() != sig.charAt(i)) throw c.failAt(at, "signature is not \"" + sig + "\"");
        }
    }

    /**
     * Verifies the lookup3 checksum of the {@code length} bytes at {@code address}, stored in the 4 bytes after
     * them, straight from the mapping (no cursor or slice: this runs once per object header).
     */
    void checksumAt(long address, long length, String structure) {
        if (!contains(address, length) || !contains(address, length + 4)) {
            range(address, length + 4, structure); // fails with the usual message
        }
        long abs = baseAddress + address;
        if (source != null) fetch(abs, length + 4, structure);
        int stored = segment.get(LittleEndian.INT, abs + length);
        int actual = Lookup3.hash(segment, abs, length);
        if (stored != actual) {
            throw new MalformedFileException(FORMAT, path, structure, fileOffset + abs + length,
                    String.format("checksum 0x%08x does not match the computed 0x%08x", stored, actual));
        }
    }

    /** Verifies the Jenkins lookup3 checksum of {@code [start, end)} stored as 4 bytes at {@code end}. */
    static void checksum(ByteCursor c, long start, long end) {
        c.seek(end);
        long stored = u32(c);
        int actual = Lookup3.hash(c.segment(), start, end - start);
        if ((int) stored != actual) {
            throw c.failAt(end, String.format("checksum 0x%08x does not match the computed 0x%08x", stored, actual));
        }
    }
}
