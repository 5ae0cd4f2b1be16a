/**
 * tensorfile pickle-inspect: reads PyTorch checkpoints (zip, legacy, TorchScript, sharded), pickles, joblib,
 * {@code .npy} and {@code .npz} files without executing anything, and judges whether they are safe to load in
 * Python ({@link dev.tensorfile.pickle.PickleScanner}).
 */
module dev.tensorfile.pickle {
    requires transitive dev.tensorfile.core;
    requires com.fasterxml.jackson.databind;
    requires org.tukaani.xz;

    exports dev.tensorfile.pickle;

    provides dev.tensorfile.core.spi.ContentScanner with dev.tensorfile.pickle.PickleScanner;
    provides dev.tensorfile.core.TensorFormat with dev.tensorfile.pickle.PyTorchFormat,
            dev.tensorfile.pickle.TorchScriptFormat, dev.tensorfile.pickle.PickleFormat,
            dev.tensorfile.pickle.JoblibFormat, dev.tensorfile.pickle.NpyFormat, dev.tensorfile.pickle.NpzFormat;
}
