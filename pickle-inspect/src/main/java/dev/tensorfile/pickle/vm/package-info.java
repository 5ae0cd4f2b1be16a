/**
 * The pickle virtual machine, which never executes: CPython's opcodes ({@link dev.tensorfile.pickle.vm.Opcode}),
 * a machine that runs them over an explicit stack and memo into an inert tree of
 * {@link dev.tensorfile.pickle.vm.PValue}s (globals stay names, calls stay nodes), the text arguments of protocol 0
 * as pickle.py decodes them, the names CPython's unpickler resolves a global to
 * ({@link dev.tensorfile.pickle.vm.PythonNames}), how a pickle stream begins, the bounds that keep a hostile pickle
 * from exhausting memory ({@link dev.tensorfile.pickle.vm.PickleLimits}), and the pickletools-like display of an
 * opcode's argument. Every reader and the scanner run pickles through this package and nothing else. It knows no
 * container and no library that makes pickles, except joblib, whose arrays are written into the stream itself
 * (their dtype is read with {@code numpy.NumpyDType}); only the machine sets a node's fields, others read them.
 */
package dev.tensorfile.pickle.vm;
