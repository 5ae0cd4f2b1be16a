package dev.tensorfile.pickle.vm;

import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.pickle.numpy.NumpyDType;
import dev.tensorfile.pickle.vm.PValue.PBool;
import dev.tensorfile.pickle.vm.PValue.PBytes;
import dev.tensorfile.pickle.vm.PValue.PCall;
import dev.tensorfile.pickle.vm.PValue.PDict;
import dev.tensorfile.pickle.vm.PValue.PFloat;
import dev.tensorfile.pickle.vm.PValue.PGlobal;
import dev.tensorfile.pickle.vm.PValue.PInt;
import dev.tensorfile.pickle.vm.PValue.PLegacyStr;
import dev.tensorfile.pickle.vm.PValue.PNone;
import dev.tensorfile.pickle.vm.PValue.PSeq;
import dev.tensorfile.pickle.vm.PValue.PStr;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pickle machine that never executes: it runs the opcodes of one pickle (protocols 0 to 5, every opcode of
 * CPython's pickletools table) over an explicit stack, memo and mark stack, exactly as CPython's C unpickler
 * ({@code Modules/_pickle.c}) moves values, and builds an inert {@link PValue} tree. Globals stay names; calls stay
 * nodes. Every resource is bounded by {@link PickleLimits}; there is no recursion, so nesting cannot overflow the
 * Java stack.
 *
 * <p>Stack discipline follows the C unpickler: MARK sets a fence, pops below the fence are underflows, POP with an
 * empty frame pops the mark. FRAME is honoured only as a length check: the C unpickler reads opcodes past a short
 * frame (cpython#154848), so a linear read sees what it runs.
 */
public final class PickleMachine {
    /** What the machine reports while it runs: what a scanner needs. */
    public interface Listener {
        /** A global was referenced (GLOBAL, STACK_GLOBAL, INST). */
        default void global(PGlobal global, Opcode opcode) {}

        /** A construct whose target cannot be known without running the pickle. */
        default void unresolvable(String what, long offset) {}

        /** A nested pickle starts (joblib object arrays) at this absolute offset. */
        default void nested(long offset) {}

        /** BUILD gave {@code call} its state (joblib 0.9's NDArrayWrapper names a sibling file there). */
        default void built(PCall call) {}

        /** A persistent id was pushed (PERSID, BINPERSID). */
        default void persistent(PValue.PPersistent id) {}

        /** True to be told of every opcode (the disassembler). */
        default boolean tracing() { return false; }

        /** An opcode ran; {@code arg} holds its argument bytes as they are in the stream. */
        default void opcode(long offset, Opcode op, MemorySegment arg) {}
    }

    /**
     * One pickle's outcome.
     *
     * @param root what STOP returned
     * @param protocol the last PROTO's argument (0 when there was none)
     * @param start absolute offset of the first opcode
     * @param end absolute offset just after STOP
     */
    public record Result(PValue root, int protocol, long start, long end) {}

    public static final String JOBLIB_WRAPPER = "joblib.numpy_pickle.NumpyArrayWrapper";
    /** joblib before 0.10: the array is in a sibling {@code .npy} file named by the wrapper's {@code filename}. */
    public static final String JOBLIB_SIBLING_WRAPPER = "joblib.numpy_pickle.NDArrayWrapper";

    private final PickleLimits limits;
    private final Listener listener;
    private final int nestedDepth;

    private final ArrayList<PValue> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markCount;
    private int fence;
    private final Map<Long, PValue> memo = new HashMap<>();
    private long objects;
    private long copied;
    private int protocol;

    public PickleMachine(PickleLimits limits, Listener listener) {
        this(limits, listener, 0);
    }

    private boolean torchModules;

    /**
     * Resolves the persistent id {@code ('module', <class>, source_file, source)} to the class, as the legacy
     * (pre-1.6) {@code torch.load} does ({@code serialization.py _legacy_load persistent_load}: for 'module' it only
     * compares the saved source with the installed one and returns {@code data[0]}). The class is an ordinary GLOBAL,
     * judged as one; the source text is data, never run. Only that format means this by such an id.
     */
    public PickleMachine resolvingTorchModules() {
        this.torchModules = true;
        return this;
    }

    /** The value a persistent id stands for: the class of a legacy torch module id, else the id itself. */
    private PValue persistent(PValue.PPersistent p) {
        if (torchModules) {
            List<PValue> id = Values.seq(p.id());
            if (id != null && id.size() == 4 && "module".equals(Values.str(id.get(0))) && id.get(1) instanceof PGlobal g) {
                return g;
            }
        }
        return p;
    }

    private PickleMachine(PickleLimits limits, Listener listener, int nestedDepth) {
        this.limits = limits;
        this.listener = listener;
        this.nestedDepth = nestedDepth;
    }

    /** Runs one pickle from the cursor's position to its STOP; the cursor is left just after STOP. */
    public Result run(ByteCursor c) {
        long start = c.absolutePosition();
        while (true) {
            long at = c.position();
            int b = c.u8();
            Opcode op = Opcode.of(b);
            if (op == null) throw c.failAt(at, String.format("unknown opcode 0x%02x", b));
            if (op == Opcode.STOP) {
                if (listener.tracing()) listener.opcode(c.absolutePosition() - 1, op, MemorySegment.NULL);
                PValue root = pop(c, at);
                return new Result(root, protocol, start, c.absolutePosition());
            }
            step(op, c, at);
            if (listener.tracing()) {
                long argEnd = op.arg == Opcode.Arg.NONE ? at + 1 : c.position();
                listener.opcode(c.absolutePosition() - (c.position() - at), op, c.segment().asSlice(at + 1, argEnd - at - 1));
            }
        }
    }

    private void step(Opcode op, ByteCursor c, long at) {
        long abs = c.absolutePosition() - (c.position() - at);
        switch (op) {
            case PROTO -> {
                int p = c.u8();
                if (p > 5) throw c.failAt(at, "unsupported pickle protocol " + p + " (the highest is 5)");
                protocol = p;
            }
            case FRAME -> {
                long n = c.i64();
                if (n < 0 || n > c.remaining()) {
                    throw c.failAt(at, "FRAME of " + Long.toUnsignedString(n) + " bytes but only " + c.remaining() + " remain");
                }
            }
            case INT -> {
                String line = line(c, at, 4400);
                if (line.equals("00")) push(new PBool(false), c, at);
                else if (line.equals("01")) push(new PBool(true), c, at);
                else push(TextArguments.parseInt(line, c, at), c, at);
            }
            case LONG -> {
                String line = line(c, at, 4400);
                if (line.endsWith("L")) line = line.substring(0, line.length() - 1);
                push(TextArguments.parseInt(line, c, at), c, at);
            }
            case BININT -> push(PInt.of(c.i32()), c, at);
            case BININT1 -> push(PInt.of(c.u8()), c, at);
            case BININT2 -> push(PInt.of(c.u16()), c, at);
            case LONG1 -> push(twosComplement(c.u8(), c, at), c, at);
            case LONG4 -> {
                int n = c.i32();
                if (n < 0) throw c.failAt(at, "LONG4 with negative byte count " + n);
                push(twosComplement(n, c, at), c, at);
            }
            case FLOAT -> {
                String line = line(c, at, 400);
                try {
                    push(new PFloat(TextArguments.parseFloat(line)), c, at);
                } catch (NumberFormatException e) {
                    throw c.failAt(at, "FLOAT argument '" + Values.shorten(line) + "' is not a number");
                }
            }
            case BINFLOAT -> {
                ByteOrder o = c.order();
                c.order(ByteOrder.BIG_ENDIAN);
                double d = c.f64();
                c.order(o);
                push(new PFloat(d), c, at);
            }
            case STRING -> push(new PLegacyStr(MemorySegment.ofArray(TextArguments.unquote(line(c, at, limits.maxStringBytes()), c, at))), c, at);
            case BINSTRING -> {
                int n = c.i32();
                if (n < 0) throw c.failAt(at, "BINSTRING with negative length " + n);
                push(new PLegacyStr(counted(c, n, at)), c, at);
            }
            case SHORT_BINSTRING -> push(new PLegacyStr(counted(c, c.u8(), at)), c, at);
            case BINBYTES -> push(new PBytes(counted(c, c.u32(), at), false), c, at);
            case SHORT_BINBYTES -> push(new PBytes(counted(c, c.u8(), at), false), c, at);
            case BINBYTES8 -> push(new PBytes(counted(c, c.u64Size("BINBYTES8 length"), at), false), c, at);
            case BYTEARRAY8 -> push(new PBytes(counted(c, c.u64Size("BYTEARRAY8 length"), at), true), c, at);
            case NEXT_BUFFER -> push(new PValue.PBuffer(abs), c, at);
            case READONLY_BUFFER -> peek(c, at);
            case NONE -> push(PNone.NONE, c, at);
            case NEWTRUE -> push(new PBool(true), c, at);
            case NEWFALSE -> push(new PBool(false), c, at);
            case UNICODE -> push(PStr.of(TextArguments.rawUnicodeEscape(line(c, at, limits.maxStringBytes()), c, at)), c, at);
            case SHORT_BINUNICODE -> push(utf8(c, c.u8(), at), c, at);
            case BINUNICODE -> push(utf8(c, c.u32(), at), c, at);
            case BINUNICODE8 -> push(utf8(c, c.u64Size("BINUNICODE8 length"), at), c, at);
            case EMPTY_LIST -> push(new PSeq(PSeq.Kind.LIST, new ArrayList<>()), c, at);
            case EMPTY_TUPLE -> push(new PSeq(PSeq.Kind.TUPLE, List.of()), c, at);
            case EMPTY_DICT -> push(new PDict("dict"), c, at);
            case EMPTY_SET -> push(new PSeq(PSeq.Kind.SET, new ArrayList<>()), c, at);
            case LIST -> push(new PSeq(PSeq.Kind.LIST, popMark(c, at)), c, at);
            case TUPLE -> push(new PSeq(PSeq.Kind.TUPLE, popMark(c, at)), c, at);
            case FROZENSET -> push(new PSeq(PSeq.Kind.FROZENSET, popMark(c, at)), c, at);
            case TUPLE1 -> {
                PValue a = pop(c, at);
                push(new PSeq(PSeq.Kind.TUPLE, List.of(a)), c, at);
            }
            case TUPLE2 -> {
                PValue b2 = pop(c, at);
                PValue a = pop(c, at);
                push(new PSeq(PSeq.Kind.TUPLE, List.of(a, b2)), c, at);
            }
            case TUPLE3 -> {
                PValue c3 = pop(c, at);
                PValue b2 = pop(c, at);
                PValue a = pop(c, at);
                push(new PSeq(PSeq.Kind.TUPLE, List.of(a, b2, c3)), c, at);
            }
            case DICT -> {
                List<PValue> items = popMark(c, at);
                if (items.size() % 2 != 0) throw c.failAt(at, "odd number of items (" + items.size() + ") for DICT");
                PDict d = new PDict("dict");
                for (int i = 0; i < items.size(); i += 2) {
                    d.keys.add(items.get(i));
                    d.values.add(items.get(i + 1));
                }
                push(d, c, at);
            }
            case APPEND -> {
                PValue v = pop(c, at);
                append(peek(c, at), List.of(v), c, at, abs);
            }
            case APPENDS -> {
                List<PValue> items = popMark(c, at);
                append(peek(c, at), items, c, at, abs);
            }
            case SETITEM -> {
                PValue v = pop(c, at);
                PValue k = pop(c, at);
                setItems(peek(c, at), List.of(k, v), c, at, abs);
            }
            case SETITEMS -> {
                List<PValue> items = popMark(c, at);
                if (items.size() % 2 != 0) throw c.failAt(at, "odd number of items (" + items.size() + ") for SETITEMS");
                setItems(peek(c, at), items, c, at, abs);
            }
            case ADDITEMS -> {
                List<PValue> items = popMark(c, at);
                append(peek(c, at), items, c, at, abs);
            }
            case POP -> {
                if (stack.size() > fence) stack.removeLast();
                else if (markCount > 0) popMarkOnly();
                else throw c.failAt(at, "stack underflow: POP on an empty stack");
            }
            case DUP -> push(peek(c, at), c, at);
            case MARK -> {
                if (markCount == limits.maxMarks()) {
                    throw c.failAt(at, "more than " + limits.maxMarks() + " nested MARKs (limit)");
                }
                if (markCount == marks.length) marks = Arrays.copyOf(marks, marks.length * 2);
                marks[markCount++] = stack.size();
                fence = stack.size();
            }
            case POP_MARK -> popMark(c, at);
            case GET -> get(TextArguments.parseIndex(line(c, at, 40), c, at), c, at);
            case BINGET -> get(c.u8(), c, at);
            case LONG_BINGET -> get(c.u32(), c, at);
            case PUT -> put(TextArguments.parseIndex(line(c, at, 40), c, at), c, at);
            case BINPUT -> put(c.u8(), c, at);
            case LONG_BINPUT -> put(c.u32(), c, at);
            case MEMOIZE -> put(memo.size(), c, at);
            case EXT1, EXT2, EXT4 -> {
                long code = op == Opcode.EXT1 ? c.u8() : op == Opcode.EXT2 ? c.u16() : c.i32();
                listener.unresolvable("copyreg extension code " + code + " (" + op + ")", abs);
                push(new PValue.PExt(code, abs), c, at);
            }
            case GLOBAL -> {
                String module = line(c, at, 10_000);
                String name = line(c, at, 10_000);
                PGlobal g = new PGlobal(module, name, abs);
                listener.global(g, op);
                push(g, c, at);
            }
            case STACK_GLOBAL -> {
                PValue name = pop(c, at);
                PValue module = pop(c, at);
                String m = Values.str(module);
                String n = Values.str(name);
                if (m == null || n == null) {
                    listener.unresolvable("STACK_GLOBAL on " + Values.describe(module) + ", " + Values.describe(name)
                            + " (not two strings known without running the pickle)", abs);
                    push(new PGlobal(m == null ? "?" : m, n == null ? "?" : n, abs), c, at);
                } else {
                    PGlobal g = new PGlobal(m, n, abs);
                    listener.global(g, op);
                    push(g, c, at);
                }
            }
            case INST -> {
                String module = line(c, at, 10_000);
                String name = line(c, at, 10_000);
                PGlobal g = new PGlobal(module, name, abs);
                listener.global(g, op);
                List<PValue> args = popMark(c, at);
                push(new PCall(g, new PSeq(PSeq.Kind.TUPLE, args), op, abs), c, at);
            }
            case OBJ -> {
                List<PValue> items = popMark(c, at);
                if (items.isEmpty()) throw c.failAt(at, "OBJ without a class after its MARK");
                PValue cls = items.getFirst();
                checkCallable(cls, op, abs);
                push(new PCall(cls, new PSeq(PSeq.Kind.TUPLE, items.subList(1, items.size())), op, abs), c, at);
            }
            case REDUCE -> {
                PValue args = pop(c, at);
                PValue callable = pop(c, at);
                checkCallable(callable, op, abs);
                push(reduce(callable, args, abs), c, at);
            }
            case NEWOBJ -> {
                PValue args = pop(c, at);
                PValue cls = pop(c, at);
                checkCallable(cls, op, abs);
                push(new PCall(cls, args, op, abs), c, at);
            }
            case NEWOBJ_EX -> {
                pop(c, at); // kwargs
                PValue args = pop(c, at);
                PValue cls = pop(c, at);
                checkCallable(cls, op, abs);
                push(new PCall(cls, args, op, abs), c, at);
            }
            case BUILD -> {
                PValue state = pop(c, at);
                PValue target = peek(c, at);
                build(target, state, c, at, abs);
            }
            case PERSID -> {
                PValue.PPersistent p = new PValue.PPersistent(PStr.of(line(c, at, 10_000)), abs);
                listener.persistent(p);
                push(persistent(p), c, at);
            }
            case BINPERSID -> {
                PValue.PPersistent p = new PValue.PPersistent(pop(c, at), abs);
                listener.persistent(p);
                push(persistent(p), c, at);
            }
            case STOP -> throw new IllegalStateException("STOP is handled by run");
        }
    }

    private PValue reduce(PValue callable, PValue args, long abs) {
        if (callable instanceof PGlobal g && Values.seq(args) != null && Values.seq(args).isEmpty()) {
            String q = PythonNames.canonical(g.module, g.name);
            if (q.equals("collections.OrderedDict") || q.equals("builtins.dict") || q.equals("collections.defaultdict")
                    || q.equals("collections.Counter")) {
                return new PDict(q);
            }
        }
        return new PCall(callable, args, Opcode.REDUCE, abs);
    }

    private void checkCallable(PValue callable, Opcode op, long abs) {
        if (!(callable instanceof PGlobal)) {
            listener.unresolvable(op + " calls " + Values.describe(callable)
                    + ", a computed value rather than a named global", abs);
        }
    }

    private void append(PValue target, List<PValue> items, ByteCursor c, long at, long abs) {
        count(items.size(), c, at);
        switch (target) {
            case PSeq s when s.kind != PSeq.Kind.TUPLE -> s.items.addAll(items);
            case PCall call -> call.appended.addAll(items);
            case PGlobal g -> listener.unresolvable("APPEND/ADDITEMS mutates the global " + g.qualified(), abs);
            default -> { } // Python calls .append/.extend/.add, which a plain value does not have: it fails
        }
    }

    private void setItems(PValue target, List<PValue> kv, ByteCursor c, long at, long abs) {
        count(kv.size() / 2, c, at);
        switch (target) {
            case PDict d -> {
                for (int i = 0; i < kv.size(); i += 2) {
                    d.keys.add(kv.get(i));
                    d.values.add(kv.get(i + 1));
                }
            }
            case PCall call -> {
                for (int i = 0; i < kv.size(); i += 2) {
                    call.setKeys.add(kv.get(i));
                    call.setValues.add(kv.get(i + 1));
                }
            }
            case PGlobal g -> listener.unresolvable("SETITEM mutates the global " + g.qualified(), abs);
            default -> { }
        }
    }

    private void build(PValue target, PValue state, ByteCursor c, long at, long abs) {
        switch (target) {
            case PCall call -> {
                call.state = state;
                if (JOBLIB_WRAPPER.equals(call.target())) joblibArray(call, c, at);
                listener.built(call);
            }
            case PGlobal g -> listener.unresolvable("BUILD sets state on the global " + g.qualified()
                    + " itself, changing module state", abs);
            default -> { }
        }
    }

    /**
     * joblib's {@code NumpyUnpickler} reads each array right after its wrapper's BUILD (joblib
     * {@code numpy_pickle.py NumpyArrayWrapper.read_array}): one byte of padding length and that many padding bytes
     * (when the state has {@code numpy_array_alignment_bytes}), then the raw bytes, or a nested pickle of the
     * objects for object arrays.
     */
    private void joblibArray(PCall wrapper, ByteCursor c, long at) {
        if (!(wrapper.state instanceof PDict st)) throw c.failAt(at, "joblib NumpyArrayWrapper state is not a dict");
        NumpyDType dtype = NumpyDType.fromPickle(st.get("dtype"));
        long[] shape = Values.longs(st.get("shape"));
        if (dtype == null || shape == null) {
            throw c.failAt(at, "joblib NumpyArrayWrapper without a readable dtype and shape");
        }
        if (st.get("numpy_array_alignment_bytes") != null && !dtype.object()) {
            int pad = c.u8();
            if (pad > 64) throw c.failAt(c.position() - 1, "joblib array padding of " + pad + " bytes (at most 64)");
            c.skip(pad);
        }
        if (dtype.object()) {
            if (nestedDepth >= 2) throw c.failAt(at, "joblib object arrays nested more than twice");
            listener.nested(c.absolutePosition());
            PickleMachine inner = new PickleMachine(limits, listener, nestedDepth + 1);
            wrapper.joblibObjects = inner.run(c).root();
            return;
        }
        if (dtype.itemSize() <= 0) throw c.failAt(at, "joblib array of dtype " + dtype.descr() + " has no fixed size");
        long n = dtype.itemSize();
        for (long d : shape) {
            if (d < 0) throw c.failAt(at, "joblib array with negative dimension " + d);
            n = d == 0 ? 0 : (n > Long.MAX_VALUE / d ? -1 : n * d);
            if (n < 0) throw c.failAt(at, "joblib array size overflows");
        }
        if (n > c.remaining()) {
            throw c.failAt(at, "joblib array of " + n + " bytes but only " + c.remaining() + " remain");
        }
        wrapper.joblibData = c.slice(n);
    }

    private void get(long index, ByteCursor c, long at) {
        PValue v = memo.get(index);
        if (v == null) throw c.failAt(at, "memo has no entry " + index + " (a GET of nothing)");
        push(v, c, at);
    }

    private void put(long index, ByteCursor c, long at) {
        if (index < 0) throw c.failAt(at, "negative memo index " + index);
        PValue v = peek(c, at);
        if (memo.size() >= limits.maxMemo() && !memo.containsKey(index)) {
            throw c.failAt(at, "memo holds more than " + limits.maxMemo() + " entries (limit)");
        }
        if (memo.put(index, v) == null) count(1, c, at);
    }

    private void push(PValue v, ByteCursor c, long at) {
        if (stack.size() >= limits.maxStack()) {
            throw c.failAt(at, "stack holds more than " + limits.maxStack() + " values (limit)");
        }
        count(1, c, at);
        stack.add(v);
    }

    private void count(long n, ByteCursor c, long at) {
        objects += n;
        if (objects > limits.maxObjects()) {
            throw c.failAt(at, "pickle builds more than " + limits.maxObjects() + " values (limit)");
        }
    }

    private PValue pop(ByteCursor c, long at) {
        if (stack.size() <= fence) {
            throw c.failAt(at, "stack underflow" + (markCount > 0 ? " (below the MARK)" : ""));
        }
        return stack.removeLast();
    }

    private PValue peek(ByteCursor c, long at) {
        if (stack.size() <= fence) {
            throw c.failAt(at, "stack underflow" + (markCount > 0 ? " (below the MARK)" : ""));
        }
        return stack.getLast();
    }

    private List<PValue> popMark(ByteCursor c, long at) {
        if (markCount == 0) throw c.failAt(at, "no MARK on the stack");
        int from = marks[markCount - 1];
        List<PValue> items = new ArrayList<>(stack.subList(from, stack.size()));
        stack.subList(from, stack.size()).clear();
        popMarkOnly();
        return items;
    }

    private void popMarkOnly() {
        markCount--;
        fence = markCount == 0 ? 0 : marks[markCount - 1];
    }

    private MemorySegment counted(ByteCursor c, long n, long at) {
        if (n > limits.maxStringBytes()) {
            throw c.failAt(at, "a string of " + n + " bytes is longer than the limit of " + limits.maxStringBytes());
        }
        if (n > c.remaining()) throw c.failAt(at, "needs " + n + " bytes but only " + c.remaining() + " remain");
        return c.slice(n);
    }

    private PStr utf8(ByteCursor c, long n, long at) {
        MemorySegment raw = counted(c, n, at);
        if (n > PickleLimits.EAGER_STRING_BYTES || copied + 2 * n > limits.maxCopiedBytes()) return new PStr(null, raw);
        copied += 2 * n;
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(raw.asByteBuffer()).toString();
            return new PStr(s, raw);
        } catch (CharacterCodingException e) {
            // CPython decodes with surrogatepass; lone surrogates are legal there. Keep the bytes, decode leniently.
            return new PStr(new String(raw.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8), raw);
        }
    }

    /** A text argument up to {@code \n}, decoded as UTF-8 (as pickle.py does for GLOBAL and INST). */
    private String line(ByteCursor c, long at, long max) {
        MemorySegment s = c.segment();
        long from = c.position();
        long limit = Math.min(s.byteSize(), from + max + 1);
        for (long i = from; i < limit; i++) {
            if (s.get(ValueLayout.JAVA_BYTE, i) == '\n') {
                copy(3 * (i - from), c, at);
                byte[] b = s.asSlice(from, i - from).toArray(ValueLayout.JAVA_BYTE);
                c.seek(i + 1);
                int len = b.length;
                if (len > 0 && b[len - 1] == '\r') len--;
                return new String(b, 0, len, StandardCharsets.UTF_8);
            }
        }
        if (limit == s.byteSize()) throw c.failAt(at, "pickle data was truncated: no end of line");
        throw c.failAt(at, "text argument longer than " + max + " bytes");
    }

    /** Charges a copy onto the heap against the pickle's budget. */
    private void copy(long n, ByteCursor c, long at) {
        copied += n;
        if (copied > limits.maxCopiedBytes()) {
            throw c.failAt(at, "pickle copies more than " + limits.maxCopiedBytes() + " bytes of text onto the heap (limit)");
        }
    }

    private PValue twosComplement(long n, ByteCursor c, long at) {
        MemorySegment raw = counted(c, n, at);
        if (n == 0) return PInt.of(0);
        if (n > 1024) return new PValue.PBigInt(null, n);
        byte[] le = raw.toArray(ValueLayout.JAVA_BYTE);
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? PInt.of(v.longValue()) : new PValue.PBigInt(v, n);
    }
}
