package dev.tensorfile.hdf5;

import dev.tensorfile.core.DType;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the header messages and datatypes the writer emits (8-byte offsets and lengths, little-endian), each in
 * the version libhdf5 1.8 and later read: dataspace v2, datatype v1, fill value v3, layout v3, filter pipeline v2,
 * link info v0, group info v0, link v1, attribute info v0, attribute v3.
 */
final class MessageEncoder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    MessageEncoder u8(int v) { out.write(v); return this; }

    MessageEncoder u16(int v) { out.write(v); out.write(v >>> 8); return this; }

    MessageEncoder u32(long v) { for (int i = 0; i < 4; i++) out.write((int) (v >>> (8 * i))); return this; }

    MessageEncoder u64(long v) { for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i))); return this; }

    MessageEncoder bytes(byte[] b) { out.write(b, 0, b.length); return this; }

    MessageEncoder zeros(int n) { for (int i = 0; i < n; i++) out.write(0); return this; }

    int size() { return out.size(); }

    byte[] toBytes() { return out.toByteArray(); }

    // ---- datatypes (spec IV.A.2.d), version 1 ----

    static byte[] datatype(DType t) {
        MessageEncoder e = new MessageEncoder();
        switch (t) {
            case F16 -> e.floating(2, 15, 10, 5, 0, 10, 15);
            case F32 -> e.floating(4, 31, 23, 8, 0, 23, 127);
            case F64 -> e.floating(8, 63, 52, 11, 0, 52, 1023);
            case I8, I16, I32, I64 -> e.integer(t.blockBytes(), true);
            case U8, U16, U32, U64 -> e.integer(t.blockBytes(), false);
            case BOOL -> e.h5pyBool();
            // Keras 3 stores bfloat16 (and float8) variables as opaque elements of their size, with a "dtype"
            // attribute naming the type (keras saving_lib H5IOStore): h5py maps the ml_dtypes type, a numpy void
            // of that size, to an opaque type with no tag (h5t.pyx _c_opaque)
            case BF16, F8_E4M3, F8_E5M2, F8_E4M3FNUZ, F8_E5M2FNUZ -> e.opaque(t.blockBytes(), "");
            default -> throw new IllegalArgumentException(t + " has no HDF5 type here");
        }
        return e.toBytes();
    }

    private void floating(int size, int signLoc, int expLoc, int expSize, int mantLoc, int mantSize, int bias) {
        u8(0x10 | DatatypeMessage.FLOAT);
        u8(2 << 4); // little-endian, no padding, implied most significant mantissa bit
        u8(signLoc);
        u8(0);
        u32(size);
        u16(0).u16(size * 8).u8(expLoc).u8(expSize).u8(mantLoc).u8(mantSize).u32(bias);
    }

    void integer(int size, boolean signed) {
        u8(0x10 | DatatypeMessage.FIXED);
        u8(signed ? 0x08 : 0);
        u8(0).u8(0);
        u32(size);
        u16(0).u16(size * 8);
    }

    /** h5py's bool: an enum of int8 with FALSE = 0 and TRUE = 1. */
    private void h5pyBool() {
        u8(0x10 | DatatypeMessage.ENUM);
        u8(2).u8(0).u8(0);
        u32(1);
        integer(1, true);
        name8("FALSE");
        name8("TRUE");
        u8(0).u8(1);
    }

    private void opaque(int size, String tag) {
        byte[] t = tag.getBytes(StandardCharsets.US_ASCII);
        int padded = (t.length + 7) & ~7; // as libhdf5 encodes it (H5O_dtype_encode_helper): an empty tag takes no bytes
        u8(0x10 | DatatypeMessage.OPAQUE);
        u8(padded).u8(0).u8(0);
        u32(size);
        bytes(t).zeros(padded - t.length);
    }

    /** Variable-length UTF-8 string, null-terminated, over unsigned bytes (what h5py writes for {@code str}). */
    static byte[] vlenUtf8() {
        MessageEncoder e = new MessageEncoder();
        e.u8(0x10 | DatatypeMessage.VLEN);
        e.u8(1).u8(1).u8(0); // string; null-terminated; UTF-8
        e.u32(16);
        e.integer(1, false);
        return e.toBytes();
    }

    private void name8(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        bytes(b).zeros((b.length + 1 + 7) / 8 * 8 - b.length);
    }

    // ---- other messages ----

    /** Dataspace v2: scalar for rank 0, else simple with the dimensions. */
    static byte[] dataspace(long[] dims) {
        MessageEncoder e = new MessageEncoder();
        e.u8(2).u8(dims.length).u8(0).u8(dims.length == 0 ? 0 : 1);
        for (long d : dims) e.u64(d);
        return e.toBytes();
    }

    /** Fill value v3: allocation late (contiguous) or incremental (chunked), written if set, not defined: zeros. */
    static byte[] fillValue(boolean chunked) {
        return new MessageEncoder().u8(3).u8((chunked ? 3 : 2) | 2 << 2).toBytes();
    }

    static byte[] contiguous(long address, long size) {
        return new MessageEncoder().u8(3).u8(1).u64(address).u64(size).toBytes();
    }

    static byte[] chunked(long btree, long[] chunk, int elementSize) {
        MessageEncoder e = new MessageEncoder().u8(3).u8(2).u8(chunk.length + 1).u64(btree);
        for (long c : chunk) e.u32(c);
        return e.u32(elementSize).toBytes();
    }

    /** Shuffle (with the element size) then deflate, both optional, as h5py's {@code compression='gzip', shuffle=True}. */
    static byte[] shuffleDeflate(int elementSize, int level) {
        return new MessageEncoder().u8(2).u8(2)
                .u16(Filters.SHUFFLE).u16(1).u16(1).u32(elementSize)
                .u16(Filters.DEFLATE).u16(1).u16(1).u32(level).toBytes();
    }

    static byte[] linkInfo() {
        return new MessageEncoder().u8(0).u8(0).u64(-1L).u64(-1L).toBytes();
    }

    /** Attribute info v0 (spec IV.A.2.v): no creation order, no dense storage; every attribute is compact. */
    static byte[] attributeInfo() {
        return new MessageEncoder().u8(0).u8(0).u64(-1L).u64(-1L).toBytes();
    }

    static byte[] groupInfo() { return new MessageEncoder().u8(0).u8(0).toBytes(); }

    /** A hard link with a UTF-8 name. */
    static byte[] hardLink(String name, long address) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        MessageEncoder e = new MessageEncoder().u8(1);
        int width = n.length < 256 ? 0 : n.length < 65536 ? 1 : 2;
        e.u8(width | 0x10).u8(1);
        if (width == 0) e.u8(n.length);
        else if (width == 1) e.u16(n.length);
        else e.u32(n.length);
        return e.bytes(n).u64(address).toBytes();
    }

    /** Attribute v3 with a UTF-8 name. */
    static byte[] attribute(String name, byte[] type, byte[] space, byte[] data) {
        byte[] n = (name + "\0").getBytes(StandardCharsets.UTF_8);
        return new MessageEncoder().u8(3).u8(0).u16(n.length).u16(type.length).u16(space.length).u8(1)
                .bytes(n).bytes(type).bytes(space).bytes(data).toBytes();
    }
}
