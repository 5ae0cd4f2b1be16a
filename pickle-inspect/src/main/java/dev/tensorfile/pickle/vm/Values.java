package dev.tensorfile.pickle.vm;

import java.util.List;

/** Reading plain data out of {@link PValue} trees: strings, ints, tuples. Null when the value is not of the kind. */
public final class Values {
    private Values() {}

    public static String str(PValue v) {
        if (v instanceof PValue.PStr s) return s.value();
        if (v instanceof PValue.PLegacyStr s && s.data().byteSize() <= PickleLimits.EAGER_STRING_BYTES) return s.latin1();
        return null;
    }

    public static Long integer(PValue v) {
        if (v instanceof PValue.PInt i) return i.value();
        if (v instanceof PValue.PBool b) return b.value() ? 1L : 0L;
        return null;
    }

    public static Boolean bool(PValue v) {
        if (v instanceof PValue.PBool b) return b.value();
        if (v instanceof PValue.PInt i) return i.value() != 0;
        return null;
    }

    /** Items of a tuple or list, or null. */
    public static List<PValue> seq(PValue v) {
        return v instanceof PValue.PSeq s && (s.kind == PValue.PSeq.Kind.TUPLE || s.kind == PValue.PSeq.Kind.LIST)
                ? s.items : null;
    }

    /** A tuple or list of ints, or null. */
    public static long[] longs(PValue v) {
        List<PValue> items = seq(v);
        if (items == null) return null;
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            Long l = integer(items.get(i));
            if (l == null) return null;
            out[i] = l;
        }
        return out;
    }

    /** The value as a short human description, never recursive. */
    public static String describe(PValue v) {
        return switch (v) {
            case PValue.PStr s -> s.value() == null ? "str of " + s.utf8().byteSize() + " bytes" : "'" + shorten(s.value()) + "'";
            case PValue.PInt i -> Long.toString(i.value());
            case PValue.PNone n -> "None";
            case PValue.PBool b -> b.value() ? "True" : "False";
            case null -> "nothing";
            default -> v.toString();
        };
    }

    public static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
