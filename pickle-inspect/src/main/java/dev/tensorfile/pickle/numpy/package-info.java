/**
 * numpy's vocabulary: dtypes as {@code .npy} headers and pickles describe them, the {@code .npy} header and the
 * Python literal it is written in, and joblib's rule for the sibling array files of its files before 0.10. The
 * readers of {@code .npy}, {@code .npz} and joblib files sit in the parent package.
 */
package dev.tensorfile.pickle.numpy;
