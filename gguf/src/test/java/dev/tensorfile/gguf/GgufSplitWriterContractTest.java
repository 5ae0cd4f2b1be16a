package dev.tensorfile.gguf;

import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.WriteOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The shared writer contract over the GGUF writer splitting one tensor per file (gguf-split's layout): a file of
 * one tensor is the destination itself, more make {@code model-0000i-of-0000N.gguf}, committed as one set.
 */
class GgufSplitWriterContractTest extends GgufWriterContractTest {
    @Override protected WriteOptions options() { return new WriteOptions(Map.of(WriteOptions.MAX_SHARD_TENSORS, "1")); }

    @Override
    protected TensorFile open(Path destination) {
        if (Files.exists(destination)) return TensorFiles.open(destination);
        try (Stream<Path> s = Files.list(destination.getParent())) {
            return TensorFiles.open(s.filter(p -> p.getFileName().toString().matches("model-00001-of-\\d+\\.gguf")).findFirst().orElseThrow());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected boolean isPartOf(Path destination, Path file) {
        return file.getFileName().toString().matches("model-\\d+-of-\\d+\\.gguf");
    }
}
