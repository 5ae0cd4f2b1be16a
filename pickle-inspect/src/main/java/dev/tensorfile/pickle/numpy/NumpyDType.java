package dev.tensorfile.pickle.numpy;

import dev.tensorfile.pickle.vm.PValue;
import dev.tensorfile.pickle.vm.Values;
import dev.tensorfile.core.DType;

import java.util.List;

/**
 * A numpy dtype as {@code .npy} headers ({@code '<f4'}) and pickles ({@code numpy.dtype('f4', False, True)} then
 * BUILD with {@code (3, '<', ...)}) describe it (numpy {@code descriptor.c arraydescr_reduce}).
 *
 * @param type our element type, or null when numpy's has none here (object, structured, strings, datetimes)
 * @param itemSize bytes per element (0 for object arrays)
 * @param bigEndian true when the data is stored big-endian
 * @param object true for object arrays, whose data is a pickle of Python objects
 * @param descr the descriptor as written, for messages
 */
public record NumpyDType(DType type, int itemSize, boolean bigEndian, boolean object, String descr) {

    /** Parses a type string such as {@code <f4}, {@code |b1}, {@code f8}, {@code O}; null if it is not one. */
    public static NumpyDType parse(String descr, Character orderOverride) {
        if (descr == null || descr.isEmpty() || descr.length() > 16) return null;
        char order = '=';
        String s = descr;
        if ("<>|=!".indexOf(s.charAt(0)) >= 0) {
            order = s.charAt(0);
            s = s.substring(1);
        }
        if (orderOverride != null) order = orderOverride;
        boolean big = order == '>' || order == '!';
        if (s.equals("O") || s.equals("O8") || s.equals("O4")) return new NumpyDType(null, 0, false, true, descr);
        if (s.isEmpty()) return null;
        char kind = s.charAt(0);
        int size;
        try {
            size = s.length() == 1 ? defaultSize(kind) : Integer.parseInt(s.substring(1));
        } catch (NumberFormatException e) {
            return null;
        }
        if (size <= 0) return new NumpyDType(null, 0, big, false, descr);
        DType t = switch (kind) {
            case 'f' -> size == 2 ? DType.F16 : size == 4 ? DType.F32 : size == 8 ? DType.F64 : null;
            case 'i' -> size == 1 ? DType.I8 : size == 2 ? DType.I16 : size == 4 ? DType.I32 : size == 8 ? DType.I64 : null;
            case 'u' -> size == 1 ? DType.U8 : size == 2 ? DType.U16 : size == 4 ? DType.U32 : size == 8 ? DType.U64 : null;
            case 'b' -> size == 1 ? DType.BOOL : null;
            case 'c' -> size == 8 ? DType.C64 : size == 16 ? DType.C128 : null;
            case '?' -> DType.BOOL;
            default -> null;
        };
        return new NumpyDType(t, size, big && size > 1, false, descr);
    }

    private static int defaultSize(char kind) {
        return switch (kind) {
            case '?', 'b', 'B' -> 1;
            case 'e' -> 2;
            default -> -1;
        };
    }

    /**
     * The dtype a pickled {@code numpy.dtype(...)} call (with its BUILD state) stands for, or null when the value is
     * not one.
     */
    public static NumpyDType fromPickle(PValue v) {
        if (!(v instanceof PValue.PCall c) || c.target() == null || !isDTypeConstructor(c.target())) return null;
        List<PValue> args = c.argList();
        String code = args.isEmpty() ? null : Values.str(args.get(0));
        Character order = null;
        if (c.state() instanceof PValue.PSeq st && st.items().size() >= 2) {
            String o = Values.str(st.items().get(1));
            if (o != null && o.length() == 1) order = o.charAt(0);
            // Structured dtypes carry names/fields (items 3 and 4); we do not rebuild them, but the state's elsize
            // (item 5 of (version, byteorder, subarray, names, fields, elsize, alignment, flags)) says how many bytes
            // an element takes, which a reader of the bytes after it (joblib) needs: sklearn's tree nodes are one.
            if (st.items().size() >= 5 && !(st.items().get(3) instanceof PValue.PNone)) {
                Long elsize = st.items().size() >= 8 ? Values.integer(st.items().get(5)) : null;
                int size = elsize != null && elsize > 0 && elsize <= Integer.MAX_VALUE ? (int) (long) elsize : 0;
                return new NumpyDType(null, size, false, false, "structured");
            }
        }
        if (code == null) return null;
        if (order != null && order == '|') order = null;
        return parse(code, order);
    }

    static boolean isDTypeConstructor(String target) {
        return target.equals("numpy.dtype") || target.startsWith("numpy.dtypes.");
    }
}
