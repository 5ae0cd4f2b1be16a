/**
 * The pickle virtual machine, which never executes: CPython's opcodes ({@link dev.tensorfile.pickle.vm.Opcode}),
 * a machine that runs them over an explicit stack and memo into an inert tree of
 * {@link dev.tensorfile.pickle.vm.PValue}s (globals stay names, calls stay nodes), the bounds that keep a hostile
 * pickle from exhausting memory ({@link dev.tensorfile.pickle.vm.PickleLimits}), and the pickletools-like display of
 * an opcode's argument. Every reader and the scanner run pickles through this package and nothing else; it knows
 * no container and no library that pickles are made by, except joblib's arrays, which joblib writes into the
 * stream itself.
 */
package dev.tensorfile.pickle.vm;
