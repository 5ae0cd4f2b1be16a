package dev.tensorfile.pickle.tensor;

import dev.tensorfile.core.DType;
import dev.tensorfile.pickle.numpy.NumpyDType;
import dev.tensorfile.pickle.scan.Classifier;
import dev.tensorfile.pickle.torch.TorchDTypes;
import dev.tensorfile.pickle.vm.Opcode;
import dev.tensorfile.pickle.vm.PValue;
import dev.tensorfile.pickle.vm.PValue.PCall;
import dev.tensorfile.pickle.vm.PValue.PDict;
import dev.tensorfile.pickle.vm.PValue.PSeq;
import dev.tensorfile.pickle.vm.PickleMachine;
import dev.tensorfile.pickle.vm.PythonNames;
import dev.tensorfile.pickle.vm.Values;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the tensors in a pickle's tree and names them as a state dict would: dict keys and object attributes
 * joined with {@code .}; an {@code nn.Module}'s {@code _parameters}, {@code _buffers} and {@code _modules} are
 * flattened the way {@code Module.state_dict()} does. Recognised: torch's rebuild functions (torch
 * {@code _utils.py}), numpy's {@code _reconstruct} + BUILD and {@code _frombuffer}, joblib's array wrappers (the
 * array after the wrapper, and before 0.10 in a sibling file).
 * Constructs with no dense data here (quantized, sparse, meta, nested, wrapper subclasses) are reported by name.
 * The walk is bounded in depth and follows each node once, so cycles end.
 */
final class TensorCollector {
    /** A torch tensor: a view of persistent storage {@code storage}. */
    record TorchTensor(String name, PValue.PPersistent storage, DType dtype, long offset, long[] shape, long[] stride) {}

    /** A numpy array whose bytes are in the pickle (or after it, for joblib). */
    record NumpyArray(String name, NumpyDType dtype, long[] shape, boolean fortran, Object data) {}

    /** joblib before 0.10: an array in the sibling {@code .npy} file {@code file}, as named in the pickle. */
    record SiblingArray(String name, String file) {}

    /** Something tensor-like that is not rebuilt, with why. */
    record Refused(String name, String why) {}

    final List<Object> found = new ArrayList<>();
    private final int maxDepth;
    private final Map<PValue, Boolean> visiting = new IdentityHashMap<>();
    private final Set<String> names = new HashSet<>();
    private final java.util.function.Function<String, RuntimeException> tooDeep;

    TensorCollector(int maxDepth, java.util.function.Function<String, RuntimeException> tooDeep) {
        this.maxDepth = maxDepth;
        this.tooDeep = tooDeep;
    }

    void walk(PValue root) { walk(root, "", 0); }

    private void walk(PValue v, String name, int depth) {
        if (v == null) return;
        if (depth > maxDepth) throw tooDeep.apply("containers nested more than " + maxDepth + " deep at '" + Values.shorten(name) + "'");
        if (tensor(v, name)) return;
        if (visiting.put(v, Boolean.TRUE) != null) return; // shared or cyclic: walked once
        switch (v) {
            case PDict d -> dict(d.keys(), d.values(), name, depth);
            case PSeq s when s.kind() == PSeq.Kind.LIST || s.kind() == PSeq.Kind.TUPLE -> {
                for (int i = 0; i < s.items().size(); i++) walk(s.items().get(i), join(name, Integer.toString(i)), depth + 1);
            }
            case PCall c -> object(c, name, depth);
            default -> { }
        }
    }

    private void dict(List<PValue> keys, List<PValue> values, String name, int depth) {
        for (int i = 0; i < keys.size(); i++) {
            String k = key(keys.get(i));
            if (k != null) walk(values.get(i), join(name, k), depth + 1);
        }
    }

    private static String key(PValue k) {
        String s = Values.str(k);
        if (s != null) return s;
        Long l = Values.integer(k);
        return l == null ? null : Long.toString(l);
    }

    private void object(PCall c, String name, int depth) {
        if (!c.setKeys().isEmpty()) dict(c.setKeys(), c.setValues(), name, depth);
        PValue state = c.state();
        // (state, slotstate) tuples: both carry attributes.
        if (state instanceof PSeq s && s.kind() == PSeq.Kind.TUPLE && s.items().size() == 2) {
            walk(s.items().get(0), name, depth + 1);
            walk(s.items().get(1), name, depth + 1);
            return;
        }
        if (state instanceof PDict d) {
            PValue modules = d.get("_modules");
            PValue parameters = d.get("_parameters");
            if (modules != null || parameters != null) {
                module(d, name, depth);
                return;
            }
            dict(d.keys(), d.values(), name, depth);
            return;
        }
        if (state != null) walk(state, name, depth + 1);
        else if (c.target() != null && !Classifier.ALLOWED.contains(PythonNames.canonical(
                ((PValue.PGlobal) c.callable()).module(), ((PValue.PGlobal) c.callable()).name()))) {
            for (int i = 0; i < c.argList().size(); i++) walk(c.argList().get(i), name, depth + 1);
        }
    }

    /** torch {@code Module._save_to_state_dict}: parameters, persistent buffers, then submodules. */
    private void module(PDict d, String name, int depth) {
        Set<String> nonPersistent = new HashSet<>();
        if (d.get("_non_persistent_buffers_set") instanceof PCall set) {
            for (PValue a : set.argList()) {
                List<PValue> items = Values.seq(a);
                if (items != null) for (PValue i : items) if (Values.str(i) != null) nonPersistent.add(Values.str(i));
            }
        }
        for (String part : List.of("_parameters", "_buffers", "_modules")) {
            if (!(d.get(part) instanceof PDict sub)) continue;
            for (int i = 0; i < sub.keys().size(); i++) {
                String k = key(sub.keys().get(i));
                if (k == null || (part.equals("_buffers") && nonPersistent.contains(k))) continue;
                walk(sub.values().get(i), join(name, k), depth + 1);
            }
        }
    }

    /** Records {@code v} if it is a tensor or array; true when it was one (rebuilt or refused). */
    private boolean tensor(PValue v, String name) {
        if (!(v instanceof PCall c) || c.target() == null) return false;
        String t = PythonNames.canonical(((PValue.PGlobal) c.callable()).module(), ((PValue.PGlobal) c.callable()).name());
        List<PValue> a = c.argList();
        switch (t) {
            case "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2" -> {
                torch(name, a, null);
                return true;
            }
            case "torch._utils._rebuild_tensor_v3" -> {
                DType dt = a.size() > 6 && a.get(6) instanceof PValue.PGlobal g && g.module().equals("torch")
                        ? TorchDTypes.ofDType(g.name()) : null;
                if (dt == null) refuse(name, "_rebuild_tensor_v3 with dtype " + (a.size() > 6 ? Values.describe(a.get(6)) : "missing")
                        + ", which has no element type here");
                else torch(name, a, dt);
                return true;
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
                 "torch._utils._rebuild_device_tensor_from_cpu_tensor" -> {
                if (a.isEmpty() || !tensor(a.getFirst(), name)) refuse(name, t + " of something that is not a tensor");
                return true;
            }
            case "torch._tensor._rebuild_from_type_v2" -> {
                if (a.size() >= 3 && a.get(0) instanceof PValue.PGlobal f && Values.seq(a.get(2)) != null) {
                    PCall inner = new PCall(f, a.get(2), Opcode.REDUCE, c.offset());
                    if (tensor(inner, name)) return true;
                }
                refuse(name, "tensor subclass rebuilt by _rebuild_from_type_v2 from something that is not a tensor");
                return true;
            }
            case "torch._utils._rebuild_qtensor" -> { refuse(name, "quantized tensor (_rebuild_qtensor) is not supported"); return true; }
            case "torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_sparse_csr_tensor" -> {
                refuse(name, "sparse tensor (" + t.substring(t.lastIndexOf('.') + 1) + ") is not supported");
                return true;
            }
            case "torch._utils._rebuild_nested_tensor" -> { refuse(name, "nested tensor is not supported"); return true; }
            case "torch._utils._rebuild_meta_tensor_no_storage", "torch._utils._rebuild_wrapper_subclass" -> {
                refuse(name, "tensor without data (" + t.substring(t.lastIndexOf('.') + 1) + ")");
                return true;
            }
            case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct" -> {
                reconstruct(name, c);
                return true;
            }
            case "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer" -> {
                frombuffer(name, a);
                return true;
            }
            case PickleMachine.JOBLIB_WRAPPER -> {
                joblib(name, c);
                return true;
            }
            case "joblib.numpy_pickle.ZNDArrayWrapper" -> {
                String file = c.state() instanceof PDict st ? Values.str(st.get("filename")) : null;
                refuse(name, "joblib < 0.10 compressed array in the sibling file '" + file + "' is not read");
                return true;
            }
            case PickleMachine.JOBLIB_SIBLING_WRAPPER -> {
                String file = c.state() instanceof PDict st ? Values.str(st.get("filename")) : null;
                if (file == null) refuse(name, "joblib NDArrayWrapper without a file name");
                else add(new SiblingArray(name, file), name);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private void torch(String name, List<PValue> a, DType v3) {
        if (a.size() < 4 || !(a.get(0) instanceof PValue.PPersistent p)) {
            refuse(name, "torch tensor without a persistent storage (not rebuilt from a checkpoint's records)");
            return;
        }
        Long offset = Values.integer(a.get(1));
        long[] shape = sizes(a.get(2));
        long[] stride = sizes(a.get(3));
        if (offset == null || shape == null || stride == null) {
            refuse(name, "torch tensor whose offset, size or stride is not a list of integers");
            return;
        }
        DType dt = v3;
        if (dt == null) {
            List<PValue> id = Values.seq(p.id());
            if (id != null && id.size() >= 2 && id.get(1) instanceof PValue.PGlobal g) {
                dt = TorchDTypes.ofStorage(g.name());
                if (dt == null) {
                    refuse(name, "storage " + g.qualified() + (g.name().startsWith("Q") ? " (quantized)" : "") + " is not supported");
                    return;
                }
            } else {
                refuse(name, "torch storage whose persistent id does not name a storage class");
                return;
            }
        }
        add(new TorchTensor(name, p, dt, offset, shape, stride), name);
    }

    /** torch.Size is a tuple subclass; in pickles it is a tuple (or a torch.Size call on one). */
    private static long[] sizes(PValue v) {
        if (v instanceof PCall c && "torch.Size".equals(c.target()) && !c.argList().isEmpty()) return Values.longs(c.argList().getFirst());
        return Values.longs(v);
    }

    private void reconstruct(String name, PCall c) {
        // numpy methods.c array_setstate: (version, shape, dtype, is_fortran, rawdata) or without the version.
        List<PValue> st = Values.seq(c.state());
        if (st == null) {
            refuse(name, "numpy array without state");
            return;
        }
        if (st.size() == 5) st = st.subList(1, 5);
        if (st.size() != 4) {
            refuse(name, "numpy array state of " + st.size() + " items");
            return;
        }
        long[] shape = Values.longs(st.get(0));
        NumpyDType dt = NumpyDType.fromPickle(st.get(1));
        Boolean fortran = Values.bool(st.get(2));
        if (shape == null || dt == null || fortran == null) {
            refuse(name, "numpy array whose shape, dtype or order is not plain data");
            return;
        }
        array(name, dt, shape, fortran, st.get(3));
    }

    private void frombuffer(String name, List<PValue> a) {
        if (a.size() < 4) {
            refuse(name, "numpy _frombuffer with " + a.size() + " arguments");
            return;
        }
        NumpyDType dt = NumpyDType.fromPickle(a.get(1));
        long[] shape = Values.longs(a.get(2));
        String order = Values.str(a.get(3));
        if (dt == null || shape == null || order == null) {
            refuse(name, "numpy _frombuffer whose dtype, shape or order is not plain data");
            return;
        }
        if (a.get(0) instanceof PValue.PBuffer) {
            refuse(name, "numpy array in an out-of-band buffer (protocol 5 NEXT_BUFFER): its data is not in the file");
            return;
        }
        array(name, dt, shape, order.equals("F"), a.get(0));
    }

    private void joblib(String name, PCall c) {
        if (!(c.state() instanceof PDict st)) {
            refuse(name, "joblib array wrapper without state");
            return;
        }
        NumpyDType dt = NumpyDType.fromPickle(st.get("dtype"));
        long[] shape = Values.longs(st.get("shape"));
        String order = Values.str(st.get("order"));
        if (dt == null || shape == null) {
            refuse(name, "joblib array wrapper without dtype or shape");
            return;
        }
        if (dt.object()) {
            refuse(name, "numpy object array: Python objects, not numbers (scanned, never loaded)");
            return;
        }
        array(name, dt, shape, "F".equals(order), c.joblibData());
    }

    private void array(String name, NumpyDType dt, long[] shape, boolean fortran, Object data) {
        if (dt.object()) {
            refuse(name, "numpy object array: Python objects, not numbers (scanned, never loaded)");
            return;
        }
        if (dt.type() == null) {
            refuse(name, "numpy dtype " + dt.descr() + " has no element type here");
            return;
        }
        add(new NumpyArray(name, dt, shape, fortran, data), name);
    }

    private void refuse(String name, String why) { add(new Refused(name.isEmpty() ? "(root)" : name, why), name); }

    private void add(Object o, String name) {
        if (!names.add(name)) return; // the same name twice (an object reachable two ways): keep the first
        found.add(o);
    }

    private static String join(String prefix, String key) { return prefix.isEmpty() ? key : prefix + "." + key; }
}
