package dev.tensorfile.hdf5;

import dev.tensorfile.core.Metadata;
import dev.tensorfile.testframework.TensorFileContract;
import dev.tensorfile.core.WriteOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The shared file contract over files the writer wrote: plain, compressed, and a Keras archive. */
class Hdf5WrittenFileContractTest extends TensorFileContract {
    private static Path dir;

    @Override
    protected List<Path> files() {
        try {
            if (dir == null) dir = Files.createTempDirectory("hdf5-writer-contract");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path plain = dir.resolve("plain.h5"), gzip = dir.resolve("gzip.h5"), keras = dir.resolve("model.keras");
        if (!Files.exists(plain)) WriterSamples.writeHdf5(plain, new Hdf5Writer(plain, WriteOptions.NONE));
        if (!Files.exists(gzip)) {
            WriterSamples.writeHdf5(gzip, new Hdf5Writer(gzip, new WriteOptions(Map.of("compress", "gzip")), "hdf5", 64));
        }
        if (!Files.exists(keras)) {
            WriterSamples.write(new KerasWriter(keras, WriteOptions.NONE),
                    Metadata.builder().put("keras.config", "{}").build(), WriterSamples.tensors());
        }
        plain.toFile().deleteOnExit();
        gzip.toFile().deleteOnExit();
        keras.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return List.of(plain, gzip, keras);
    }
}
