package dev.tensorfile.pickle;

import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.pickle.tensor.Contents;
import dev.tensorfile.pickle.vm.PickleMachine;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A bare pickle ({@code pickle.dump}, and the pickle inside a joblib file): its numpy arrays are rebuilt from the
 * bytes in the stream; a torch tensor in it is refused, since its storage records are not in the file.
 */
final class PlainPickleReader {
    private final Contents out;
    private final Path path;
    private final String format;

    private PlainPickleReader(Contents out) {
        this.out = out;
        this.path = out.path();
        this.format = out.format();
    }

    /** Reads the pickle at {@code base} of {@code s} into {@code out}, with errors naming {@code structure}. */
    static void read(MemorySegment s, long base, String structure, Contents out) {
        new PlainPickleReader(out).read(s, base, structure);
    }

    private void read(MemorySegment s, long base, String structure) {
        PickleMachine.Result r = out.runPickle(s, base, structure);
        out.metadata("pickle.protocol", Integer.toString(r.protocol()));
        out.collect(r.root(), "", key -> {
            throw new UnsupportedFeatureException(format, path, "torch tensor with persistent storage '" + key
                    + "' in a bare pickle: its storage records are not in this file");
        }, false);
    }
}
