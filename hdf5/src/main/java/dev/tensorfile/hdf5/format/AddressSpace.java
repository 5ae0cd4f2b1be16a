package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.spi.ByteCursor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * The bytes of one HDF5 file and the sizes its superblock declares: where every structure is read from. The
 * segment may be a slice of a larger mapping (a {@code model.weights.h5} stored inside a {@code .keras} zip), so
 * error offsets add {@link #fileOffset}. Addresses in the file are relative to the superblock's base address
 * (spec III.A: "all other addresses are relative to this base address").
 */
public final class AddressSpace {
    public static final String FORMAT = "hdf5";
    /** The undefined address: all bits set (spec II, "Address ... undefined address"). */
    public static final long UNDEFINED = -1L;

    final MemorySegment segment;
    public final long fileOffset;
    public final Path path;
    public final ReadLimits limits;
    int offsetSize = 8;
    int lengthSize = 8;
    public long baseAddress;

    public AddressSpace(MemorySegment segment, long fileOffset, Path path, ReadLimits limits) {
        this.segment = segment;
        this.fileOffset = fileOffset;
        this.path = path;
        this.limits = limits;
    }

    public long size() { return segment.byteSize(); }

    /** A cursor at {@code address} (relative to the base address), naming {@code structure} in its errors. */
    ByteCursor at(long address, String structure) {
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

    /** A cursor over exactly {@code length} bytes at {@code address}. */
    ByteCursor range(long address, long length, String structure) {
        if (contains(address, length) && baseAddress + address < segment.byteSize()) {
            // the common case in one slice and one cursor (at + split make two cursors)
            long abs = baseAddress + address;
            return new ByteCursor(segment.asSlice(abs, length), fileOffset + abs, FORMAT, path).structure(structure);
        }
        ByteCursor c = at(address, structure);
        if (length < 0 || length > c.remaining()) {
            throw c.fail(structure + " of " + Long.toUnsignedString(length) + " bytes runs past the end of the file ("
                    + segment.byteSize() + " bytes)");
        }
        return c.split(length);
    }

    /** The {@code length} bytes at {@code address}, as a slice of the mapping. */
    public MemorySegment slice(long address, long length, String structure) {
        return range(address, length, structure).segment();
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
