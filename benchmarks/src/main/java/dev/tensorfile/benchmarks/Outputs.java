package dev.tensorfile.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Untimed clean-up between invocations of benchmarks that write large files. */
final class Outputs {
    private Outputs() {}

    /**
     * Deletes the files and commits the deletion. On a file system mounted with online discard (this VM's root),
     * freeing a large file queues trims that the next journal commit issues, which would stall whichever timed
     * invocation forces next; {@code sync} issues them now.
     */
    static void deleteAndSync(Path... files) throws IOException {
        for (Path f : files) Files.deleteIfExists(f);
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
