package dev.tensorfile.pickle.vm;

import java.util.Map;

/**
 * Names as CPython's unpickler resolves them: a Python 2 pickle's {@code __builtin__.set} is {@code builtins.set}
 * ({@code Lib/_compat_pickle.py}, applied by {@code Unpickler.find_class}). Whoever judges or interprets a global
 * judges the name Python would import.
 */
public final class PythonNames {
    private PythonNames() {}

    /**
     * Python 2 names that CPython's unpickler maps for protocols below 3 ({@code Lib/_compat_pickle.py}
     * IMPORT_MAPPING, the entries that matter for judging). Applied to every protocol here: judging the name a
     * Python 2 pickle means is never less strict.
     */
    private static final Map<String, String> MODULE_MAPPING = Map.ofEntries(
            Map.entry("__builtin__", "builtins"), Map.entry("exceptions", "builtins"),
            Map.entry("copy_reg", "copyreg"), Map.entry("cPickle", "pickle"), Map.entry("commands", "subprocess"),
            Map.entry("httplib", "http.client"), Map.entry("urllib2", "urllib.request"),
            Map.entry("urlparse", "urllib.parse"), Map.entry("SocketServer", "socketserver"),
            Map.entry("BaseHTTPServer", "http.server"), Map.entry("SimpleHTTPServer", "http.server"),
            Map.entry("CGIHTTPServer", "http.server"), Map.entry("xmlrpclib", "xmlrpc.client"),
            Map.entry("thread", "_thread"), Map.entry("Queue", "queue"), Map.entry("cStringIO", "io"),
            Map.entry("StringIO", "io"), Map.entry("UserDict", "collections"), Map.entry("UserList", "collections"),
            Map.entry("anydbm", "dbm"), Map.entry("whichdb", "dbm"), Map.entry("dumbdbm", "dbm.dumb"),
            Map.entry("gdbm", "dbm.gnu"), Map.entry("dbhash", "dbm.bsd"), Map.entry("popen2", "subprocess"),
            Map.entry("torch.tensor", "torch._tensor"));

    /** {@code _compat_pickle.NAME_MAPPING} entries that move a name to another module. */
    private static final Map<String, String> NAME_MAPPING = Map.of(
            "__builtin__.reduce", "functools.reduce", "__builtin__.intern", "sys.intern",
            "__builtin__.xrange", "builtins.range", "__builtin__.unicode", "builtins.str",
            "__builtin__.long", "builtins.int", "__builtin__.basestring", "builtins.str",
            "__builtin__.unichr", "builtins.chr", "itertools.imap", "builtins.map", "itertools.izip", "builtins.zip",
            "itertools.ifilter", "builtins.filter");

    /** The name as CPython resolves it: compat mappings applied ({@code __builtin__.set} is {@code builtins.set}). */
    public static String canonical(String module, String name) {
        String mapped = NAME_MAPPING.get(module + "." + name);
        if (mapped != null) return mapped;
        String m = MODULE_MAPPING.getOrDefault(module, module);
        return m + "." + name;
    }
}
