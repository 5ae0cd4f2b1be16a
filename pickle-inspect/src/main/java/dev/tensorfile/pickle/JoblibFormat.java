package dev.tensorfile.pickle;

import java.util.List;

/**
 * joblib files: arrays stored after the pickle, plain or compressed (zlib, gzip, bz2, xz, lzma), and before joblib
 * 0.10 in sibling {@code .npy} files. Found through {@link java.util.ServiceLoader}; use
 * {@link dev.tensorfile.core.TensorFiles#open}.
 */
public final class JoblibFormat extends PickleFamilyFormat {
    /** The format, as ServiceLoader creates it. */
    public JoblibFormat() { super("joblib", List.of(".joblib")); }
}
