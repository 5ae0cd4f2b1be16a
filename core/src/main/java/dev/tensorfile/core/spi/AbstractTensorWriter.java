package dev.tensorfile.core.spi;

import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.TensorSink;
import dev.tensorfile.core.TensorWriter;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The writer contract's state machine, once for every format: declare once, feed tensors in the planned order
 * with exactly their declared byte length, commit only when complete, discard on abort or on any failure.
 * Subclasses implement the format: {@link #plan}, {@link #writeData}, {@link #endTensor}, {@link #commit},
 * {@link #discard}.
 */
public abstract class AbstractTensorWriter implements TensorWriter {
    /** The file being written. */
    protected final Path destination;
    /** The format name, for messages. */
    protected final String format;

    private List<TensorInfo> order;
    private int next;
    private TensorInfo current;
    private long written;
    private boolean finished;
    private boolean failed;

    protected AbstractTensorWriter(Path destination, String format) {
        this.destination = destination;
        this.format = format;
    }

    @Override
    public final List<TensorInfo> declare(Metadata metadata, List<TensorInfo> tensors) {
        if (order != null) throw new IllegalStateException(destination + ": declare was already called");
        ensureUsable();
        Set<String> names = new HashSet<>();
        for (TensorInfo t : tensors) {
            if (!names.add(t.name())) {
                throw new TensorFileException(format, destination, "tensor '" + t.name() + "' is declared twice");
            }
        }
        try {
            order = List.copyOf(plan(metadata, List.copyOf(tensors)));
        } catch (RuntimeException e) {
            failed = true;
            throw e;
        }
        return order;
    }

    @Override
    public final TensorSink open(String name) {
        ensureUsable();
        if (order == null) throw new IllegalStateException(destination + ": declare the tensors before writing data");
        if (current != null) throw new IllegalStateException(destination + ": tensor '" + current.name() + "' is still open");
        if (next >= order.size()) throw new IllegalStateException(destination + ": every declared tensor was already written");
        TensorInfo expected = order.get(next);
        if (!expected.name().equals(name)) {
            throw new IllegalStateException(destination + ": expected data of '" + expected.name() + "' next, not '" + name + "'");
        }
        current = expected;
        written = 0;
        return new Sink(expected);
    }

    /** The tensors in feed order (after {@link #declare}). */
    protected final List<TensorInfo> order() { return order; }

    /**
     * Checks what the format can hold, writes or prepares the header, and answers the order in which tensor data
     * must come.
     */
    protected abstract List<TensorInfo> plan(Metadata metadata, List<TensorInfo> tensors);

    /** Appends a chunk of {@code tensor}'s data. */
    protected abstract void writeData(TensorInfo tensor, MemorySegment chunk);

    /**
     * Appends {@code length} bytes of {@code file} at {@code offset} to {@code tensor}'s data by a kernel copy, and
     * answers true; or answers false, having written nothing (the default: the bytes then come through
     * {@link #writeData}). See {@link TensorSink#transferFrom}.
     */
    protected boolean transferData(TensorInfo tensor, MappedFile file, long offset, long length) { return false; }

    /** All of {@code tensor}'s data was written (pad to the next alignment here). */
    protected void endTensor(TensorInfo tensor) {}

    /** Every tensor is complete: finish and atomically publish the file(s). */
    protected abstract void commit();

    /** Throw away everything written; the destination stays as it was. Must not throw. */
    protected abstract void discard();

    @Override
    public final void close() {
        if (finished) return;
        finished = true;
        String missing = null;
        if (failed) missing = "an earlier write failed";
        else if (order == null) missing = "nothing was declared";
        else if (current != null) missing = "tensor '" + current.name() + "' was not finished";
        else if (next < order.size()) missing = (order.size() - next) + " of " + order.size() + " tensors were not written, the first '" + order.get(next).name() + "'";
        if (missing != null) {
            discard();
            throw new IllegalStateException(destination + ": not written, " + missing);
        }
        try {
            commit();
        } catch (RuntimeException e) {
            discard();
            throw e;
        }
    }

    @Override
    public final void abort() {
        if (finished) return;
        finished = true;
        discard();
    }

    private void ensureUsable() {
        if (finished) throw new IllegalStateException(destination + ": writer already closed");
        if (failed) throw new IllegalStateException(destination + ": an earlier write failed");
    }

    private final class Sink implements TensorSink {
        private final TensorInfo tensor;
        private boolean closed;

        Sink(TensorInfo tensor) { this.tensor = tensor; }

        @Override
        public void write(MemorySegment chunk) {
            checkRoomFor(chunk.byteSize());
            try {
                writeData(tensor, chunk);
            } catch (RuntimeException e) {
                failed = true;
                throw e;
            }
            written += chunk.byteSize();
        }

        @Override
        public boolean transferFrom(MappedFile file, long offset, long length) {
            checkRoomFor(length);
            boolean done;
            try {
                done = transferData(tensor, file, offset, length);
            } catch (RuntimeException e) {
                failed = true;
                throw e;
            }
            if (done) written += length;
            return done;
        }

        private void checkRoomFor(long bytes) {
            if (closed) throw new IllegalStateException(tensor.name() + ": sink already closed");
            ensureUsable();
            if (written + bytes > tensor.byteLength()) {
                failed = true;
                throw new IllegalStateException(destination + ": tensor '" + tensor.name() + "' declared "
                        + tensor.byteLength() + " bytes; " + (written + bytes) + " were written");
            }
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            if (written != tensor.byteLength()) {
                failed = true;
                current = null;
                throw new IllegalStateException(destination + ": tensor '" + tensor.name() + "' declared "
                        + tensor.byteLength() + " bytes; only " + written + " were written");
            }
            try {
                endTensor(tensor);
            } catch (RuntimeException e) {
                failed = true;
                throw e;
            }
            current = null;
            next++;
        }
    }
}
