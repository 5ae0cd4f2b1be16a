/**
 * tensorfile HDF5 and Keras: reads what h5py and libhdf5 1.8–1.14 write (superblocks 0–3, both object header
 * versions, old and new groups, dense storage, every chunk index, deflate/shuffle/fletcher32/LZF/LZ4/bitshuffle),
 * Keras 2 and 3 weight files and the {@code .keras} archive, and writes HDF5 files that h5py and h5dump read.
 */
@SuppressWarnings("module") // the format is called HDF5: javac's lint against a name ending in digits does not apply
module dev.tensorfile.hdf5 {
    requires transitive dev.tensorfile.core;
    requires com.fasterxml.jackson.databind;

    exports dev.tensorfile.hdf5;

    provides dev.tensorfile.core.TensorFormat with dev.tensorfile.hdf5.Hdf5Format, dev.tensorfile.hdf5.KerasFormat;
}
