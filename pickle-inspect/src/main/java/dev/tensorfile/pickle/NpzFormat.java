package dev.tensorfile.pickle;

import java.util.List;

/**
 * numpy {@code .npz} archives of {@code .npy} members, stored or deflated. Found through {@link java.util.ServiceLoader}; use {@link dev.tensorfile.core.TensorFiles#open}.
 */
public final class NpzFormat extends PickleFamilyFormat {
    /** The format, as ServiceLoader creates it. */
    public NpzFormat() { super("npz", List.of(".npz")); }
}
