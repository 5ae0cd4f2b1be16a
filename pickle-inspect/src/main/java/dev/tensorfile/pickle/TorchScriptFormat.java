package dev.tensorfile.pickle;

import java.util.List;

/**
 * TorchScript archives ({@code torch.jit.save}): tensors from {@code data.pkl} and {@code constants.pkl}; the {@code code/} files are listed, never run. Found through {@link java.util.ServiceLoader}; use {@link dev.tensorfile.core.TensorFiles#open}.
 */
public final class TorchScriptFormat extends PickleFamilyFormat {
    /** The format, as ServiceLoader creates it. */
    public TorchScriptFormat() { super("torchscript", List.of(".pt", ".pth")); }
}
