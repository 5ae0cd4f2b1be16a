package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.ByteCursor;

/**
 * The dataspace message (spec IV.A.2.b), versions 1 and 2: scalar, simple (with optional maximum dimensions, where
 * all ones means unlimited) or null (no elements).
 *
 * @param dims current dimensions, row-major; empty for scalar and null
 * @param maxDims maximum dimensions, or null when not stored; {@code -1} is unlimited
 */
public record DataspaceMessage(Kind kind, long[] dims, long[] maxDims) {
    public enum Kind { SCALAR, SIMPLE, NULL }

    static DataspaceMessage read(AddressSpace space, ByteCursor c) {
        long start = c.position();
        int version = c.u8();
        int rank = c.u8();
        int flags = c.u8();
        Kind kind;
        if (version == 1) {
            c.skip(5);
            kind = rank == 0 ? Kind.SCALAR : Kind.SIMPLE;
        } else if (version == 2) {
            int type = c.u8();
            kind = switch (type) {
                case 0 -> Kind.SCALAR;
                case 1 -> Kind.SIMPLE;
                case 2 -> Kind.NULL;
                default -> throw c.failAt(start + 3, "dataspace type " + type + " is not scalar, simple or null");
            };
        } else {
            throw c.failAt(start, "dataspace version " + version + " is not 1 or 2");
        }
        if (rank > 32) throw c.failAt(start + 1, "dataspace rank " + rank + " is above HDF5's limit of 32");
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) dims[i] = space.length(c);
        long[] max = null;
        if ((flags & 1) != 0) {
            max = new long[rank];
            for (int i = 0; i < rank; i++) {
                long at = c.position();
                long m = AddressSpace.unsigned(c, space.lengthSize);
                max[i] = (space.lengthSize < 8 && m == (1L << (8 * space.lengthSize)) - 1) ? -1 : m;
                if (max[i] < -1) throw c.failAt(at, "maximum dimension is above 2^63-1");
            }
        }
        if (kind != Kind.SIMPLE) dims = new long[0];
        return new DataspaceMessage(kind, dims, max);
    }

    long elementCount() {
        if (kind == Kind.NULL) return 0;
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    public static DataspaceMessage of(AddressSpace space, ObjectHeader.Message m) {
        return read(space, m.cursor(space, "dataspace message"));
    }

    /** Dataspace version 2 (what the writer emits): scalar for rank 0, else simple with the dimensions. */
    public static byte[] encode(long[] dims) {
        ByteEncoder e = new ByteEncoder();
        e.u8(2).u8(dims.length).u8(0).u8(dims.length == 0 ? 0 : 1);
        for (long d : dims) e.u64(d);
        return e.toBytes();
    }
}
