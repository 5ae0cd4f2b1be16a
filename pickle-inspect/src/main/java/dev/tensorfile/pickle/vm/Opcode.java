package dev.tensorfile.pickle.vm;

/**
 * Every opcode of CPython's {@code Lib/pickletools.py} table (protocols 0 to 5), with the form of its argument.
 * Names, bytes and first protocols are those of pickletools.
 */
public enum Opcode {
    INT('I', Arg.DECIMAL_LINE, 0), BININT('J', Arg.INT4, 1), BININT1('K', Arg.UINT1, 1), BININT2('M', Arg.UINT2, 1),
    LONG('L', Arg.DECIMAL_LINE, 0), LONG1(0x8a, Arg.LONG1, 2), LONG4(0x8b, Arg.LONG4, 2),
    STRING('S', Arg.QUOTED_LINE, 0), BINSTRING('T', Arg.BYTES_INT4, 1), SHORT_BINSTRING('U', Arg.BYTES_UINT1, 1),
    BINBYTES('B', Arg.BYTES_UINT4, 3), SHORT_BINBYTES('C', Arg.BYTES_UINT1, 3), BINBYTES8(0x8e, Arg.BYTES_UINT8, 4),
    BYTEARRAY8(0x96, Arg.BYTES_UINT8, 5), NEXT_BUFFER(0x97, Arg.NONE, 5), READONLY_BUFFER(0x98, Arg.NONE, 5),
    NONE('N', Arg.NONE, 0), NEWTRUE(0x88, Arg.NONE, 2), NEWFALSE(0x89, Arg.NONE, 2),
    UNICODE('V', Arg.UNICODE_LINE, 0), SHORT_BINUNICODE(0x8c, Arg.BYTES_UINT1, 4), BINUNICODE('X', Arg.BYTES_UINT4, 1),
    BINUNICODE8(0x8d, Arg.BYTES_UINT8, 4), FLOAT('F', Arg.DECIMAL_LINE, 0), BINFLOAT('G', Arg.FLOAT8, 1),
    EMPTY_LIST(']', Arg.NONE, 1), APPEND('a', Arg.NONE, 0), APPENDS('e', Arg.NONE, 1), LIST('l', Arg.NONE, 0),
    EMPTY_TUPLE(')', Arg.NONE, 1), TUPLE('t', Arg.NONE, 0), TUPLE1(0x85, Arg.NONE, 2), TUPLE2(0x86, Arg.NONE, 2),
    TUPLE3(0x87, Arg.NONE, 2), EMPTY_DICT('}', Arg.NONE, 1), DICT('d', Arg.NONE, 0), SETITEM('s', Arg.NONE, 0),
    SETITEMS('u', Arg.NONE, 1), EMPTY_SET(0x8f, Arg.NONE, 4), ADDITEMS(0x90, Arg.NONE, 4),
    FROZENSET(0x91, Arg.NONE, 4), POP('0', Arg.NONE, 0), DUP('2', Arg.NONE, 0), MARK('(', Arg.NONE, 0),
    POP_MARK('1', Arg.NONE, 1), GET('g', Arg.DECIMAL_LINE, 0), BINGET('h', Arg.UINT1, 1),
    LONG_BINGET('j', Arg.UINT4, 1), PUT('p', Arg.DECIMAL_LINE, 0), BINPUT('q', Arg.UINT1, 1),
    LONG_BINPUT('r', Arg.UINT4, 1), MEMOIZE(0x94, Arg.NONE, 4), EXT1(0x82, Arg.UINT1, 2), EXT2(0x83, Arg.UINT2, 2),
    EXT4(0x84, Arg.INT4, 2), GLOBAL('c', Arg.TWO_LINES, 0), STACK_GLOBAL(0x93, Arg.NONE, 4),
    REDUCE('R', Arg.NONE, 0), BUILD('b', Arg.NONE, 0), INST('i', Arg.TWO_LINES, 0), OBJ('o', Arg.NONE, 1),
    NEWOBJ(0x81, Arg.NONE, 2), NEWOBJ_EX(0x92, Arg.NONE, 4), PROTO(0x80, Arg.UINT1, 2), STOP('.', Arg.NONE, 0),
    FRAME(0x95, Arg.UINT8, 4), PERSID('P', Arg.ASCII_LINE, 0), BINPERSID('Q', Arg.NONE, 1);

    /** How an opcode's argument is encoded in the stream (pickletools' ArgumentDescriptor). */
    enum Arg {
        NONE, UINT1, UINT2, INT4, UINT4, UINT8, FLOAT8, LONG1, LONG4, DECIMAL_LINE, QUOTED_LINE, UNICODE_LINE,
        ASCII_LINE, TWO_LINES, BYTES_UINT1, BYTES_UINT4, BYTES_INT4, BYTES_UINT8
    }

    private static final Opcode[] BY_CODE = new Opcode[256];

    static {
        for (Opcode op : values()) BY_CODE[op.code] = op;
    }

    final int code;
    final Arg arg;
    final int protocol;

    Opcode(int code, Arg arg, int protocol) {
        this.code = code;
        this.arg = arg;
        this.protocol = protocol;
    }

    /** The opcode with this byte, or null. */
    public static Opcode of(int b) { return BY_CODE[b & 0xFF]; }

    /** The byte as pickletools.dis shows it: the character, or {@code \x8c}. */
    public String display() {
        return code >= 0x20 && code < 0x7f ? String.valueOf((char) code) : String.format("\\x%02x", code);
    }
}
