package dev.tensorfile.pickle;

import java.util.List;

/**
 * numpy {@code .npy} arrays (object arrays are refused as data, but scanned). Found through {@link java.util.ServiceLoader}; use {@link dev.tensorfile.core.TensorFiles#open}.
 */
public final class NpyFormat extends PickleFamilyFormat {
    /** The format, as ServiceLoader creates it. */
    public NpyFormat() { super("npy", List.of(".npy")); }
}
