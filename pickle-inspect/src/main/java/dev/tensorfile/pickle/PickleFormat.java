package dev.tensorfile.pickle;

import java.util.List;

/**
 * Plain pickles holding numpy arrays (and whatever else, inert): protocols 0 to 5. Found through {@link java.util.ServiceLoader}; use {@link dev.tensorfile.core.TensorFiles#open}.
 */
public final class PickleFormat extends PickleFamilyFormat {
    /** The format, as ServiceLoader creates it. */
    public PickleFormat() { super("pickle", List.of(".pkl", ".pickle")); }
}
