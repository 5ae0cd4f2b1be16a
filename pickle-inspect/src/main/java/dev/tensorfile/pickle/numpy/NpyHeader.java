package dev.tensorfile.pickle.numpy;

import dev.tensorfile.core.spi.ByteCursor;

/**
 * The header of a {@code .npy} array (numpy {@code lib/format.py}): its dtype, order, shape and data offset.
 *
 * @param dtype the element type the header's {@code descr} names
 * @param fortran true when the data is in column-major (Fortran) order
 * @param shape the array's dimensions
 * @param dataOffset where the data starts, relative to the cursor's segment
 * @param descr the {@code descr} as written, for messages and metadata
 */
public record NpyHeader(NumpyDType dtype, boolean fortran, long[] shape, long dataOffset, String descr) {
    /** The magic string every {@code .npy} file starts with. */
    public static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** Reads a {@code .npy} header at the cursor's position. */
    public static NpyHeader read(ByteCursor c) {
        long start = c.position();
        c.structure("npy header");
        c.skip(6);
        int major = c.u8();
        c.u8();
        long length = major == 1 ? c.u16() : major == 2 || major == 3 ? c.u32() : -1;
        if (length < 0) throw c.failAt(start + 6, "unsupported npy version " + major);
        if (length > 1_000_000) throw c.failAt(start + 8, "npy header of " + length + " bytes (numpy allows 10000)");
        String text = new String(c.bytes(length), major == 3 ? java.nio.charset.StandardCharsets.UTF_8
                : java.nio.charset.StandardCharsets.ISO_8859_1);
        long dataOffset = c.position();
        PyLiteral.Dict dict;
        try {
            dict = PyLiteral.parseDict(text);
        } catch (IllegalArgumentException e) {
            throw c.failAt(start + 10, "npy header is not a Python dict literal: " + e.getMessage());
        }
        String descr = dict.string("descr");
        Boolean fortran = dict.bool("fortran_order");
        long[] shape = dict.ints("shape");
        if (descr == null || fortran == null || shape == null) {
            throw c.failAt(start + 10, "npy header lacks descr, fortran_order or shape (descr may be a structured type)");
        }
        NumpyDType dt = NumpyDType.parse(descr, null);
        if (dt == null) throw c.failAt(start + 10, "npy dtype '" + descr + "' is not understood");
        return new NpyHeader(dt, fortran, shape, dataOffset, descr);
    }
}
