/**
 * tensorfile HDF5 and Keras: reads what h5py, PyTables and libhdf5 1.4–1.14 write (superblocks 0–3, both object
 * header versions, layout messages 1–4, old and new groups, dense storage, every chunk index,
 * deflate/shuffle/fletcher32/LZF/LZ4/bitshuffle/Blosc/szip), Keras 2 and 3 weight files and the {@code .keras}
 * archive, and writes HDF5 files that h5py and h5dump read.
 *
 * <p>Only {@code dev.tensorfile.hdf5} (the formats, the tensor file, the writers) is exported; the file format's
 * structures ({@code dev.tensorfile.hdf5.format}) and the chunk filters ({@code dev.tensorfile.hdf5.filter}) are
 * internal to the module.
 */
@SuppressWarnings("module") // the format is called HDF5: javac's lint against a name ending in digits does not apply
module dev.tensorfile.hdf5 {
    requires transitive dev.tensorfile.core;
    requires com.fasterxml.jackson.databind;

    exports dev.tensorfile.hdf5;

    uses dev.tensorfile.core.spi.ContentScanner;

    provides dev.tensorfile.core.TensorFormat with dev.tensorfile.hdf5.Hdf5Format, dev.tensorfile.hdf5.KerasFormat;
    provides dev.tensorfile.core.spi.ContentScanner with dev.tensorfile.hdf5.KerasScanner;
}
