package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.ByteCursor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The superblock (spec III.A): versions 0 and 1 (with the root group's symbol table entry) and 2 and 3 (with the
 * root object header address and a checksum). It is searched for at 0, 512, 1024, 2048, ... so files with a user
 * block open; addresses are then relative to the base address it gives.
 *
 * @param version 0–3
 * @param location absolute offset of the signature (the user block's size)
 * @param rootObjectHeader address of the root group's object header
 * @param extension address of the superblock extension, or {@link AddressSpace#UNDEFINED}
 */
public record Superblock(int version, long location, int offsetSize, int lengthSize, long rootObjectHeader,
        long extension, long endOfFile) {

    static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    /** Where the signature is, or -1. */
    public static long find(MemorySegment s) {
        for (long at = 0; at + 8 <= s.byteSize(); at = at == 0 ? 512 : at * 2) {
            if (matches(s, at)) return at;
        }
        return -1;
    }

    static boolean matches(MemorySegment s, long at) {
        if (at + 8 > s.byteSize()) return false;
        for (int i = 0; i < 8; i++) if (s.get(ValueLayout.JAVA_BYTE, at + i) != SIGNATURE[i]) return false;
        return true;
    }

    /** Reads the superblock and sets the sizes and base address of {@code space}. */
    public static Superblock read(AddressSpace space) {
        long at = space.findSuperblock();
        if (at < 0) {
            throw new ByteCursor(space.segment, space.fileOffset, AddressSpace.FORMAT, space.path).structure("superblock")
                    .fail("no HDF5 signature at offset 0, 512, 1024, ... of the file");
        }
        ByteCursor c = space.at(at, "superblock"); // the base address is 0 until the superblock sets it
        c.seek(at + 8);
        int version = c.u8();
        int offsetSize;
        int lengthSize;
        long root;
        long ext = AddressSpace.UNDEFINED;
        long eof;
        if (version == 0 || version == 1) {
            c.skip(3); // free-space, root group symbol table entry and shared header message versions
            c.skip(1);
            offsetSize = c.u8();
            lengthSize = c.u8();
            checkSizes(c, offsetSize, lengthSize);
            c.skip(1 + 2 + 2 + 4);
            if (version == 1) c.skip(4);
            space.offsetSize = offsetSize;
            space.lengthSize = lengthSize;
            long base = AddressSpace.unsigned(c, offsetSize);
            space.offset(c); // free-space info address
            eof = space.length(c);
            space.offset(c); // driver information block
            // root group symbol table entry (spec III.C): link name offset, object header address, cache ...
            space.offset(c);
            root = space.offset(c);
            // libhdf5 (H5F__super_read) takes the superblock's own location as the base when they differ
            space.baseAddress = at;
        } else if (version == 2 || version == 3) {
            offsetSize = c.u8();
            lengthSize = c.u8();
            checkSizes(c, offsetSize, lengthSize);
            c.skip(1); // file consistency flags
            space.offsetSize = offsetSize;
            space.lengthSize = lengthSize;
            // verify before interpreting: a flipped bit then reads as a checksum failure, not a strange address
            long fields = c.position();
            AddressSpace.checksum(c, at, fields + 4L * offsetSize);
            c.seek(fields);
            long base = AddressSpace.unsigned(c, offsetSize);
            ext = space.offset(c);
            eof = space.length(c);
            root = space.offset(c);
            // libhdf5 (H5F__super_read) takes the superblock's own location as the base when they differ
            space.baseAddress = at;
        } else {
            throw c.failAt(at + 8, "superblock version " + version + " is not 0, 1, 2 or 3");
        }
        return new Superblock(version, at, offsetSize, lengthSize, root, ext, eof);
    }

    private static void checkSizes(ByteCursor c, int offsetSize, int lengthSize) {
        if (!validSize(offsetSize) || !validSize(lengthSize)) {
            throw c.fail("size of offsets " + offsetSize + " / lengths " + lengthSize + " is not 2, 4 or 8");
        }
    }

    private static boolean validSize(int n) { return n == 2 || n == 4 || n == 8; }

    /** Bytes of a version 2 superblock with 8-byte offsets and lengths, checksum included. */
    static final int V2_SIZE = 48;

    /**
     * A version 2 superblock (spec III.A, what the writer emits): signature, version, sizes of offsets and lengths
     * (8), no flags, base address 0, no superblock extension, the end-of-file address, the root group's object
     * header, and the lookup3 checksum of the 44 bytes before it.
     */
    public static byte[] encodeV2(long endOfFile, long rootObjectHeader) {
        byte[] b = new ByteEncoder().bytes(SIGNATURE).u8(2).u8(8).u8(8).u8(0)
                .u64(0).u64(AddressSpace.UNDEFINED).u64(endOfFile).u64(rootObjectHeader).toBytes();
        int sum = Lookup3.hash(b, 0, b.length);
        return new ByteEncoder().bytes(b).u32(sum & 0xFFFFFFFFL).toBytes();
    }
}
