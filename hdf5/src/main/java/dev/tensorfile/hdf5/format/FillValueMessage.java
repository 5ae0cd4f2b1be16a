package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.ByteCursor;

/**
 * The fill value of a dataset: the new message (spec IV.A.2.f, versions 1–3) or the old one (IV.A.2.e). What
 * unallocated storage reads as; without one defined, zeros (libhdf5's default).
 *
 * @param value the fill bytes of one element in the file's byte order, or null for zeros
 */
public record FillValueMessage(byte[] value) {
    static final FillValueMessage ZEROS = new FillValueMessage(null);

    public static FillValueMessage read(AddressSpace space, ObjectHeader header) {
        ObjectHeader.Message m = header.first(ObjectHeader.FILL_VALUE);
        if (m != null) {
            ByteCursor c = m.cursor(space, "fill value message");
            int version = c.u8();
            boolean defined;
            if (version == 1 || version == 2) {
                c.skip(2); // allocation time, write time
                defined = c.u8() != 0;
                if (version == 1 || defined) {
                    if (c.remaining() == 0) return ZEROS;
                    long size = AddressSpace.u32(c);
                    if (!defined || size == 0) return ZEROS;
                    return new FillValueMessage(c.bytes(size));
                }
                return ZEROS;
            } else if (version == 3) {
                int flags = c.u8();
                if ((flags & 0x20) == 0) return ZEROS;
                long size = AddressSpace.u32(c);
                return size == 0 ? ZEROS : new FillValueMessage(c.bytes(size));
            }
            throw c.failAt(0, "fill value message version " + version + " is not 1, 2 or 3");
        }
        m = header.first(ObjectHeader.FILL_VALUE_OLD);
        if (m != null) {
            ByteCursor c = m.cursor(space, "old fill value message");
            long size = AddressSpace.u32(c);
            return size == 0 ? ZEROS : new FillValueMessage(c.bytes(size));
        }
        return ZEROS;
    }

    /**
     * Fill value version 3 (what the writer emits): space allocated late (contiguous) or incrementally (chunked),
     * fill written if set, no value defined: zeros.
     */
    public static byte[] encode(boolean chunked) {
        return new ByteEncoder().u8(3).u8((chunked ? 3 : 2) | 2 << 2).toBytes();
    }
}
