package dev.tensorfile.pickle;

import java.util.List;

/**
 * PyTorch checkpoints: {@code torch.save} zip archives (any archive prefix) and the legacy pre-1.6 stream, and transformers' sharded {@code pytorch_model-0000i-of-0000N.bin} sets opened from their index JSON. Found through {@link java.util.ServiceLoader}; use {@link dev.tensorfile.core.TensorFiles#open}.
 */
public final class PyTorchFormat extends PickleFamilyFormat {
    /** The format, as ServiceLoader creates it. */
    public PyTorchFormat() { super("pytorch", List.of(".pt", ".pth", ".bin", ".ckpt")); }
}
