/**
 * The pickle family's public entry points: the six formats ({@link dev.tensorfile.pickle.PyTorchFormat},
 * {@link dev.tensorfile.pickle.TorchScriptFormat}, {@link dev.tensorfile.pickle.PickleFormat},
 * {@link dev.tensorfile.pickle.JoblibFormat}, {@link dev.tensorfile.pickle.NpyFormat},
 * {@link dev.tensorfile.pickle.NpzFormat}), found through {@link java.util.ServiceLoader} and opened with
 * {@link dev.tensorfile.core.TensorFiles#open}, and {@link dev.tensorfile.pickle.PickleScanner}, which judges whether
 * a file is safe to unpickle. Nothing here executes a pickle.
 *
 * <p>Beside them, package-private, one reader per container: the container a file's bytes name (PyTorch zip and
 * TorchScript archives, the legacy torch.save stream, plain pickles, joblib, {@code .npy}, {@code .npz}) is read by
 * its own class, which fills the file's contents. The readers sit here, above the parts they combine: {@code vm}
 * (the pickle machine), {@code archive} (ZIP and compressed streams), {@code torch} and {@code numpy} (their element
 * types and structures), {@code tensor} (tensors rebuilt from a pickle's tree) and {@code scan} (the safety
 * classifier and the walk over a file's containers).
 */
package dev.tensorfile.pickle;
