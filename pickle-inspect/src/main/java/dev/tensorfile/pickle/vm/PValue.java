package dev.tensorfile.pickle.vm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A value on the pickle machine's stack: an inert tree. Globals are names, calls are nodes, nothing is run.
 *
 * <p>Containers are classes with identity, not records: a pickle can make a list contain itself, and a record's
 * recursive {@code equals}/{@code hashCode}/{@code toString} would never return. Nothing here is ever put in a hash
 * structure by value.
 */
public sealed interface PValue {
    /** Python's None. */
    enum PNone implements PValue { NONE }

    record PBool(boolean value) implements PValue {}

    /** An int that fits a long. */
    record PInt(long value) implements PValue {
        private static final PInt[] SMALL = new PInt[257];
        static {
            for (int i = 0; i < SMALL.length; i++) SMALL[i] = new PInt(i - 1);
        }
        static PInt of(long v) { return v >= -1 && v < 256 ? SMALL[(int) v + 1] : new PInt(v); }
    }

    /** An int beyond a long; {@code value} is null when it was too long to decode (its bytes are only counted). */
    record PBigInt(BigInteger value, long byteLength) implements PValue {}

    record PFloat(double value) implements PValue {}

    /**
     * A str. {@code value} is null when the string is longer than the machine decodes eagerly; {@code utf8} then
     * holds its UTF-8 bytes (a slice of the stream).
     */
    record PStr(String value, MemorySegment utf8) implements PValue {
        public static PStr of(String s) { return new PStr(s, null); }
    }

    /** A bytes or bytearray value: a slice of the stream, or of memory the machine owns. */
    record PBytes(MemorySegment data, boolean mutable) implements PValue {
        byte[] toArray() { return data.toArray(ValueLayout.JAVA_BYTE); }
    }

    /** A Python 2 str (STRING, BINSTRING, SHORT_BINSTRING): bytes whose meaning depends on the unpickler. */
    record PLegacyStr(MemorySegment data) implements PValue {
        String latin1() { return new String(data.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1); }
    }

    /** An out-of-band buffer (NEXT_BUFFER): its data is not in the file. */
    record PBuffer(long offset) implements PValue {}

    /** A list, tuple, set or frozenset. */
    final class PSeq implements PValue {
        public enum Kind { LIST, TUPLE, SET, FROZENSET }
        final Kind kind;
        final List<PValue> items;

        PSeq(Kind kind, List<PValue> items) {
            this.kind = kind;
            this.items = items;
        }

        /** Which of the four it is. */
        public Kind kind() { return kind; }

        /** Its items, in order (a list's APPENDs land here). */
        public List<PValue> items() { return items; }

        @Override public String toString() { return kind.name().toLowerCase() + "[" + items.size() + "]"; }
    }

    /** A dict, or the dict-like result of {@code collections.OrderedDict()} and its kin. */
    final class PDict implements PValue {
        final String type;
        final List<PValue> keys = new ArrayList<>();
        final List<PValue> values = new ArrayList<>();

        public PDict(String type) { this.type = type; }

        /** The value under the str key {@code key}, or null. */
        public PValue get(String key) {
            for (int i = 0; i < keys.size(); i++) {
                if (keys.get(i) instanceof PStr s && key.equals(s.value())) return values.get(i);
            }
            return null;
        }

        /** Its keys, in insertion order (duplicates kept, as the pickle set them). */
        public List<PValue> keys() { return keys; }

        /** Its values, parallel to {@link #keys()}. */
        public List<PValue> values() { return values; }

        @Override public String toString() { return type + "{" + keys.size() + "}"; }
    }

    /** A global reference ({@code GLOBAL}, {@code STACK_GLOBAL}, {@code INST}): a name, never resolved. */
    final class PGlobal implements PValue {
        final String module;
        final String name;
        final long offset;

        PGlobal(String module, String name, long offset) {
            this.module = module;
            this.name = name;
            this.offset = offset;
        }

        /** The module, as the pickle names it. */
        public String module() { return module; }

        /** The name in the module (dotted for an attribute walk), as the pickle names it. */
        public String name() { return name; }

        /** The absolute offset of the opcode that referenced it. */
        public long offset() { return offset; }

        /** {@code module.name}. */
        public String qualified() { return module + "." + name; }

        @Override public String toString() { return qualified(); }
    }

    /**
     * A call a real unpickler would make ({@code REDUCE}, {@code NEWOBJ}, {@code NEWOBJ_EX}, {@code INST},
     * {@code OBJ}), with the state {@code BUILD} would pass and the items {@code APPEND}/{@code SETITEM} would add.
     * Nothing is called.
     */
    final class PCall implements PValue {
        final PValue callable;
        final PValue args;
        final Opcode opcode;
        final long offset;
        PValue state;
        final List<PValue> appended = new ArrayList<>();
        final List<PValue> setKeys = new ArrayList<>();
        final List<PValue> setValues = new ArrayList<>();
        /** joblib: where the raw array bytes that follow this wrapper's BUILD lie in the stream. */
        MemorySegment joblibData;
        /** joblib object arrays: the root of the nested pickle that follows this wrapper's BUILD. */
        PValue joblibObjects;

        public PCall(PValue callable, PValue args, Opcode opcode, long offset) {
            this.callable = callable;
            this.args = args;
            this.opcode = opcode;
            this.offset = offset;
        }

        /** What is called: a global, or a computed value. */
        public PValue callable() { return callable; }

        /** The absolute offset of the opcode that made the call. */
        public long offset() { return offset; }

        /** The state BUILD gave it, or null. */
        public PValue state() { return state; }

        /** Keys SETITEM(S) set on the result, parallel to {@link #setValues()}. */
        public List<PValue> setKeys() { return setKeys; }

        /** Values SETITEM(S) set on the result. */
        public List<PValue> setValues() { return setValues; }

        /** joblib: the raw array bytes after this wrapper's BUILD, or null. */
        public MemorySegment joblibData() { return joblibData; }

        /** The called global's qualified name, or null when the callable is not a global. */
        public String target() { return callable instanceof PGlobal g ? g.qualified() : null; }

        /** The positional arguments when they are a tuple, else an empty list. */
        public List<PValue> argList() { return args instanceof PSeq s ? s.items : List.of(); }

        @Override public String toString() { return "call " + (target() == null ? "?" : target()); }
    }

    /** A persistent id ({@code PERSID}, {@code BINPERSID}): the application's hook decides what it means. */
    record PPersistent(PValue id, long offset) implements PValue {}

    /** An extension-registry reference ({@code EXT1/2/4}): resolved through copyreg at load time, never here. */
    record PExt(long code, long offset) implements PValue {}
}
