package dev.tensorfile.hdf5;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Jazzer fuzz target: any bytes either open and read end to end (every tensor, every string, verify) or fail with
 * a {@link TensorFileException}; anything else (IndexOutOfBounds, OutOfMemoryError, StackOverflowError, a hang
 * caught by Jazzer's timeout) is a finding. The default test run replays the committed corpus in
 * {@code Hdf5FuzzTestInputs/openAndReadEverything} (seeds and mutations of h5py files, made by make_corpus.py);
 * {@code JAZZER_FUZZ=1} fuzzes.
 */
class Hdf5FuzzTest {
    /** Small, so that a whole decode of a dataspace a mutation made huge is refused (typed) rather than slow. */
    private static final ReadLimits LIMITS = new ReadLimits(1 << 20, 64, 1 << 20, 100_000, 64L << 20, 2, 16L << 20);

    @FuzzTest(maxDuration = "30s")
    void openAndReadEverything(byte[] data) throws IOException {
        Path p = Files.createTempFile("hdf5-fuzz", ".h5");
        try {
            Files.write(p, data);
            try (TensorFile f = new Hdf5Format().open(p, LIMITS)) {
                for (Tensor t : f.tensors()) {
                    if (t.dtype() == DType.STRING) t.strings();
                    else t.bytes();
                }
                f.verify();
                f.details();
            } catch (TensorFileException expected) {
                // typed rejection: the contract for broken input
            }
        } finally {
            Files.deleteIfExists(p);
        }
    }
}
