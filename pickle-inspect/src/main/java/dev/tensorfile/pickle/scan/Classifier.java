package dev.tensorfile.pickle.scan;

import dev.tensorfile.core.Verdict;
import dev.tensorfile.pickle.torch.TorchDTypes;
import dev.tensorfile.pickle.vm.PythonNames;

import java.util.List;
import java.util.Set;

/**
 * Classifies a global a pickle references: {@link Verdict#SAFE} when it is on the allow-list of data-only
 * constructs, {@link Verdict#DANGEROUS} when it reaches code execution, the import machinery, processes, files, the
 * network or interpreter internals, {@link Verdict#UNKNOWN} otherwise. The allow-list decides what is safe; the
 * deny-list only decides which of the rest is named dangerous, so a name missing from it is at worst "unknown" —
 * never safe. The model and its sources: docs/pickle-scanner.md.
 */
public final class Classifier {
    /** How a global is judged, and why. */
    public record Classification(Verdict verdict, String reason) {}

    private static final List<String> TORCH_STORAGES = List.of("Double", "Float", "Half", "BFloat16", "Long", "Int",
            "Short", "Char", "Byte", "Bool", "ComplexDouble", "ComplexFloat", "QUInt8", "QInt8", "QInt32", "QUInt4x2",
            "QUInt2x4");

    /** Data-only constructs: what torch's weights_only unpickler, numpy and joblib need to rebuild arrays. */
    public static final Set<String> ALLOWED = buildAllowed();

    private static Set<String> buildAllowed() {
        java.util.HashSet<String> s = new java.util.HashSet<>(List.of(
                "collections.OrderedDict", "collections.defaultdict", "collections.Counter", "collections.deque",
                "builtins.set", "builtins.frozenset", "builtins.bytearray", "builtins.bytes", "builtins.complex",
                "builtins.slice", "builtins.range", "builtins.int", "builtins.float", "builtins.bool",
                "builtins.str", "builtins.list", "builtins.dict", "builtins.tuple", "builtins.object",
                "copyreg._reconstructor", "_codecs.encode", "argparse.Namespace",
                "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
                "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
                "torch._utils._rebuild_qtensor", "torch._utils._rebuild_sparse_tensor",
                "torch._utils._rebuild_sparse_csr_tensor", "torch._utils._rebuild_nested_tensor",
                "torch._utils._rebuild_meta_tensor_no_storage", "torch._utils._rebuild_wrapper_subclass",
                "torch._utils._rebuild_device_tensor_from_cpu_tensor",
                "torch._utils._rebuild_device_tensor_from_numpy", "torch._tensor._rebuild_from_type_v2",
                "torch.Size", "torch.device", "torch.Tensor", "torch.nn.parameter.Parameter",
                "torch.serialization._get_layout", "torch.UntypedStorage", "torch.TypedStorage",
                "torch.storage.UntypedStorage", "torch.storage.TypedStorage",
                "torch.strided", "torch.sparse_coo", "torch.sparse_csr", "torch.sparse_csc", "torch.sparse_bsr",
                "torch.sparse_bsc", "torch._mkldnn", "torch.jagged",
                "torch.per_tensor_affine", "torch.per_tensor_symmetric", "torch.per_channel_affine",
                "torch.per_channel_symmetric", "torch.per_channel_affine_float_qparams",
                "torch.contiguous_format", "torch.channels_last", "torch.channels_last_3d", "torch.preserve_format",
                "torch.jit._pickle.restore_type_tag", "torch.jit._pickle.build_intlist",
                "torch.jit._pickle.build_tensorlist", "torch.jit._pickle.build_doublelist",
                "torch.jit._pickle.build_boollist", "torch.jit._pickle.build_tensor_from_id",
                "numpy.dtype", "numpy.ndarray",
                "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
                "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
                "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer",
                "joblib.numpy_pickle.NumpyArrayWrapper",
                // joblib < 0.10: the wrapper's read() np.loads a sibling file with allow_pickle=True; the scanner
                // scans that sibling as part of the file (PickleScanner), so the wrapper itself is data
                "joblib.numpy_pickle.NDArrayWrapper",
                // joblib < 0.10 compressed: read() zlib-inflates a sibling '.z' file into raw array bytes that are
                // handed to ndarray.__setstate__, never unpickled
                "joblib.numpy_pickle.ZNDArrayWrapper"));
        for (String st : TORCH_STORAGES) {
            s.add("torch." + st + "Storage");
            s.add("torch.cuda." + st + "Storage");
        }
        for (String dt : TorchDTypes.NAMES) s.add("torch." + dt);
        return Set.copyOf(s);
    }

    /**
     * Modules (and everything under them) whose globals reach code, processes, files, the network or interpreter
     * internals: the union of the deny-lists of picklescan, modelscan and fickling and every gadget of their
     * advisories (BypassCorpusTest names the advisory behind each).
     */
    static final Set<String> DENIED_MODULES = Set.of(
            "os", "posix", "nt", "subprocess", "sys", "runpy", "importlib", "imp", "pickle", "_pickle", "marshal",
            "pty", "socket", "_socket", "shutil", "webbrowser", "ctypes", "_ctypes", "code", "codeop", "pdb", "bdb",
            "trace", "profile", "cProfile", "_lsprof", "timeit", "pydoc", "pip", "ensurepip", "venv", "distutils",
            "setuptools", "pkg_resources", "pkgutil", "asyncio", "multiprocessing", "_multiprocessing", "threading",
            "_thread", "concurrent", "signal", "_signal", "site", "atexit", "_posixsubprocess", "_interpreters",
            "_xxsubinterpreters", "interpreters", "http", "urllib", "urllib3", "requests", "aiohttp", "httpx", "ssl",
            "_ssl", "ftplib", "smtplib", "imaplib", "poplib", "telnetlib", "nntplib", "xmlrpc", "socketserver", "uuid",
            "_osx_support", "_aix_support", "_pyrepl", "idlelib", "lib2to3", "doctest", "test", "unittest",
            "tempfile", "glob", "fileinput", "io", "_io", "codecs", "pathlib", "zipfile", "tarfile", "shelve", "dbm",
            "sqlite3", "zipimport", "gc", "inspect", "platform", "_winapi", "winreg", "msvcrt", "mmap", "fcntl",
            "termios", "resource", "select", "selectors", "mailcap", "logging", "types", "functools", "operator",
            "_operator", "itertools", "cloudpickle", "dill", "fickling", "picklescan", "modelscan",
            "modelaudit", "numpy.f2py", "numpy.testing", "numpy.distutils", "numpy.ctypeslib", "numpy.load",
            "numpy.lib.npyio", "numpy.lib._npyio_impl", "numpy.lib.format", "numpy.lib.utils", "numpy.fromfile",
            "numpy.save", "numpy.savez", "numpy.savetxt", "numpy.loadtxt", "numpy.genfromtxt", "numpy.memmap",
            "torch.load", "torch.save", "torch.jit", "torch.hub", "torch.serialization", "torch.storage._load_from_bytes",
            "torch._dynamo", "torch._inductor", "torch.fx", "torch.utils.collect_env", "torch.utils.bottleneck",
            "torch.utils._config_module", "torch.utils.data", "torch.utils.cpp_extension", "torch.package",
            "torch.ops", "torch.classes", "torch._C", "torch.cuda", "torch.distributed", "torch.multiprocessing",
            "torch.compile", "torch._export", "torch.export", "torch.library", "torch.testing", "torch._ops",
            "joblib", "pandas.io", "pandas.read_pickle", "pandas.read_csv", "pandas.read_table", "pandas.read_json",
            "pandas.read_html", "pandas.read_sql", "pandas.eval", "mlflow", "huggingface_hub",
            "transformers.dynamic_module_utils", "transformers.models.auto", "keras.models", "tensorflow.io",
            "shlex", "commands", "popen2", "cgi", "wsgiref", "ctypes.util", "tkinter", "turtle", "readline",
            "rlcompleter", "sysconfig", "zipapp", "compileall", "py_compile", "ast", "dis", "linecache",
            "tracemalloc", "faulthandler", "_tracemalloc", "weakref", "pydoc_data", "smtpd", "asynchat",
            "asyncore", "_winreg", "netrc", "getpass", "pwd", "grp", "spwd", "crypt");

    /** Names in builtins that evaluate, import, open, introspect or reach the interpreter. */
    static final Set<String> DENIED_BUILTINS = Set.of("eval", "exec", "compile", "getattr", "setattr", "delattr",
            "__import__", "open", "breakpoint", "apply", "input", "execfile", "reload", "globals", "locals", "vars",
            "help", "exit", "quit", "memoryview", "type", "super", "classmethod", "staticmethod", "property",
            "copyright", "credits", "license", "print", "dir", "id", "hasattr", "iter", "next", "map", "filter",
            "zip", "sorted", "min", "max", "sum", "any", "all", "callable", "issubclass", "isinstance", "__build_class__",
            "__loader__", "__spec__", "__builtins__");

    /** What cannot be allowed even by a caller's extension (torch's own _blocklisted_modules and then some). */
    private static final Set<String> HARD_DENIED = Set.of("os", "posix", "nt", "sys", "subprocess", "runpy",
            "importlib", "pickle", "_pickle", "marshal", "pty", "ctypes", "_posixsubprocess");

    private static final Set<String> SPECIAL_MODULES = Set.of("__main__", "__torch__", "__builtin__", "__future__");

    private final Set<String> extraAllowed;

    public Classifier(Set<String> extraAllowed) { this.extraAllowed = Set.copyOf(extraAllowed); }

    public Classification classify(String module, String name) {
        String q = PythonNames.canonical(module, name);
        String m = q.substring(0, q.length() - name.length() - 1);
        if (ALLOWED.contains(q)) return new Classification(Verdict.SAFE, "allow-listed data constructor");
        if (module.isEmpty() || name.isEmpty() || module.equals("?") || name.equals("?")) {
            return new Classification(Verdict.DANGEROUS, "a global whose name is not known statically");
        }
        for (String part : module.split("\\.", -1)) {
            if (isDunder(part) && !SPECIAL_MODULES.contains(part)) {
                return new Classification(Verdict.DANGEROUS, "module path through interpreter internals (" + part + ")");
            }
        }
        String[] parts = name.split("\\.", -1);
        for (String part : parts) {
            if (part.isEmpty()) return new Classification(Verdict.DANGEROUS, "malformed dotted name");
            if (isDunder(part)) {
                return new Classification(Verdict.DANGEROUS, "attribute walk through interpreter internals (" + part + ")");
            }
        }
        String hard = deniedRoot(m, name, HARD_DENIED);
        if (hard != null) return new Classification(Verdict.DANGEROUS, reason(hard));
        if (extraAllowed.contains(q)) return new Classification(Verdict.SAFE, "allowed by the caller");
        String denied = deniedRoot(m, name, DENIED_MODULES);
        if (denied != null) return new Classification(Verdict.DANGEROUS, reason(denied));
        if (m.equals("builtins") && DENIED_BUILTINS.contains(parts[0])) {
            return new Classification(Verdict.DANGEROUS, "builtins." + parts[0]
                    + " evaluates, imports, opens or introspects");
        }
        // Attribute walks (protocol 4 dotted names): a later component that names a module is reached through the
        // first one's attributes (pathlib + "os.system" reaches os.system; GHSA-5j3x-jp52-966f).
        for (int j = 1; j < parts.length; j++) {
            String suffix = String.join(".", java.util.Arrays.asList(parts).subList(j, parts.length));
            String via = matchRoot(suffix, DENIED_MODULES);
            if (via != null || DENIED_BUILTINS.contains(parts[j])) {
                return new Classification(Verdict.DANGEROUS, "attribute walk " + q + " reaches " + suffix);
            }
        }
        if (name.contains("getattribute_from_module") || name.contains("get_class_from_dynamic_module")) {
            return new Classification(Verdict.DANGEROUS, "loads code or models by name at run time");
        }
        if (parts.length > 1 && m.equals("builtins")) {
            // methods of builtin types are gadgets: dict.get fetches from any dict (numpy.__builtins__ -> exec,
            // modelscan #89), str.join builds module names at run time (modelscan #331)
            return new Classification(Verdict.DANGEROUS, "attribute walk " + q + " uses a builtin type's method as a gadget");
        }
        if (parts.length > 1) {
            return new Classification(Verdict.UNKNOWN, "attribute walk " + q + " is not on the allow-list");
        }
        if (m.equals("__torch__") || m.startsWith("__torch__.")) {
            return new Classification(Verdict.UNKNOWN, "TorchScript class: torch.jit.load compiles the archive's code/");
        }
        return new Classification(Verdict.UNKNOWN, "not on the allow-list: loading it imports and runs " + m);
    }

    private static String reason(String root) {
        return "reaches " + root + " (code execution, imports, processes, files, network or interpreter internals)";
    }

    /** The denied module (or module.name) that {@code module.name} falls under, or null. */
    private static String deniedRoot(String module, String name, Set<String> denied) {
        String full = module + "." + name;
        String hit = matchRoot(full, denied);
        return hit;
    }

    private static String matchRoot(String dotted, Set<String> denied) {
        int i = -1;
        do {
            i = dotted.indexOf('.', i + 1);
            String prefix = i < 0 ? dotted : dotted.substring(0, i);
            if (denied.contains(prefix)) return prefix;
        } while (i >= 0);
        return null;
    }

    private static boolean isDunder(String s) {
        return s.length() > 4 && s.startsWith("__") && s.endsWith("__");
    }
}
