/**
 * The safety scanner's parts: the classification of every global a pickle references against an allow-list of
 * data-only constructs and a deny-list of what reaches code ({@link dev.tensorfile.pickle.scan.Classifier}), the
 * walk that finds every pickle in a file (ZIP entries, tar members, compressed streams, object arrays, appended
 * archives, joblib 0.9's sibling files) and hands each stream to a visitor: one that judges it, one that
 * disassembles it. The public face is {@link dev.tensorfile.pickle.PickleScanner}; the model and its sources are in
 * docs/pickle-scanner.md.
 */
package dev.tensorfile.pickle.scan;
