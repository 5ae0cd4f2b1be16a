/**
 * TensorFlow for tensorfile: SavedModel directories and TF checkpoints (tensor bundles) read in pure Java, without
 * TensorFlow: the index table (LevelDB format, snappy blocks) parsed at open, each variable a zero-copy view of its
 * mapped data shard. Plugs into {@link dev.tensorfile.core.TensorFiles} through
 * {@link dev.tensorfile.tensorflow.TensorFlowFormat}.
 */
module dev.tensorfile.tensorflow {
    requires transitive dev.tensorfile.core;

    exports dev.tensorfile.tensorflow;

    provides dev.tensorfile.core.TensorFormat with dev.tensorfile.tensorflow.TensorFlowFormat;
    provides dev.tensorfile.core.spi.ContentScanner with dev.tensorfile.tensorflow.TensorFlowScanner;
}
