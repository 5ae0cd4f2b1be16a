/**
 * tensorfile core: the format-neutral model ({@link dev.tensorfile.core.DType}, {@link dev.tensorfile.core.Shape},
 * {@link dev.tensorfile.core.Tensor}, {@link dev.tensorfile.core.TensorFile}, {@link dev.tensorfile.core.Metadata}),
 * opening by content ({@link dev.tensorfile.core.TensorFiles}), writing ({@link dev.tensorfile.core.TensorWriter})
 * and converting ({@link dev.tensorfile.core.Converter}). {@code dev.tensorfile.core.spi} is for format modules.
 */
module dev.tensorfile.core {
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    requires java.net.http;
    requires static jdk.incubator.vector;

    exports dev.tensorfile.core;
    exports dev.tensorfile.core.spi;

    uses dev.tensorfile.core.TensorFormat;
    uses dev.tensorfile.core.spi.BlockCodecProvider;
    uses dev.tensorfile.core.spi.ContentScanner;
}
