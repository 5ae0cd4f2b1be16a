package dev.tensorfile.core.spi;

import dev.tensorfile.core.TensorFileException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A file that appears at its destination only when it is complete: written to a temporary file in the same
 * directory, forced to disk, then atomically moved over the destination by {@link #commit()}. {@link #discard()}
 * (or a failed commit) deletes the temporary file and leaves the destination as it was. Several files that must
 * replace their destinations together are an {@link AtomicFileSet}.
 */
public final class AtomicFileOutput implements AutoCloseable {
    /** Largest slice handed to one channel write (ByteBuffers are int-indexed). */
    private static final long MAX_WRITE = 1L << 30;
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final Path destination;
    private final Path temp;
    private final FileChannel channel;
    private final String format;
    private long position;
    private boolean done;

    private AtomicFileOutput(Path destination, Path temp, FileChannel channel, String format) {
        this.destination = destination;
        this.temp = temp;
        this.channel = channel;
        this.format = format;
    }

    /**
     * Starts a file that will become {@code destination}.
     *
     * @param format the format name for error messages
     */
    public static AtomicFileOutput create(Path destination, String format) {
        Path dest = destination.toAbsolutePath();
        Path dir = dest.getParent();
        try {
            if (!Files.isDirectory(dir)) throw new TensorFileException(format, destination, "directory " + dir + " does not exist");
            // A commit of a file set that died after its commit point is finished first, or its journal would
            // later rename its stale files over what this output commits.
            AtomicFileSet.recover(dir);
            // Not Files.createTempFile: its 0600 mode would survive the rename, and a model file is as readable as
            // any file the user creates (the umask decides). CREATE_NEW with a random name is just as safe.
            Path temp = null;
            FileChannel ch = null;
            for (int attempt = 0; ch == null; attempt++) {
                temp = dir.resolve("." + dest.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
                try {
                    ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    if (attempt == 100) throw e;
                }
            }
            return new AtomicFileOutput(dest, temp, ch, format);
        } catch (IOException e) {
            throw new TensorFileException(format, destination, "cannot create a file beside it: " + e.getMessage(), e);
        }
    }

    /** The final path. */
    public Path destination() { return destination; }

    /** Bytes written so far. */
    public long position() { return position; }

    /** Appends the bytes of {@code data}. */
    public void write(MemorySegment data) {
        long size = data.byteSize();
        if (data.isNative() || data.heapBase().orElse(null) instanceof byte[]) {
            for (long at = 0; at < size; at += MAX_WRITE) {
                write(data.asSlice(at, Math.min(MAX_WRITE, size - at)).asByteBuffer());
            }
            return;
        }
        // A heap segment over float[], long[]... has no ByteBuffer view: go through a byte buffer.
        byte[] chunk = new byte[(int) Math.min(size, 1 << 20)];
        for (long at = 0; at < size; at += chunk.length) {
            int n = (int) Math.min(chunk.length, size - at);
            MemorySegment.copy(data, at, MemorySegment.ofArray(chunk), 0, n);
            write(ByteBuffer.wrap(chunk, 0, n));
        }
    }

    /**
     * Appends {@code length} bytes of the mapped {@code file} from byte {@code offset}, copied by the kernel.
     *
     * @return false, having written nothing, if the file cannot be copied this way (see {@link MappedFile#transferTo})
     */
    public boolean transferFrom(MappedFile file, long offset, long length) {
        ensureOpen();
        if (offset < 0 || length < 0 || offset + length > file.size()) {
            throw new TensorFileException(format, destination, "cannot copy bytes [" + offset + ", "
                    + (offset + length) + ") of " + file.path() + ": it has " + file.size() + " bytes");
        }
        try {
            if (!file.transferTo(offset, length, channel)) return false;
            position += length;
            return true;
        } catch (IOException e) {
            throw new TensorFileException(format, destination, "write failed: " + e.getMessage(), e);
        }
    }

    /** Appends the remaining bytes of {@code buffer}. */
    public void write(ByteBuffer buffer) {
        ensureOpen();
        try {
            while (buffer.hasRemaining()) position += channel.write(buffer);
        } catch (IOException e) {
            throw new TensorFileException(format, destination, "write failed: " + e.getMessage(), e);
        }
    }

    /** Appends {@code bytes}. */
    public void write(byte[] bytes) { write(ByteBuffer.wrap(bytes)); }

    /** Appends {@code n} zero bytes (padding). */
    public void pad(long n) {
        if (n <= 0) return;
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(n, 1 << 16));
        for (long left = n; left > 0; ) {
            zeros.clear().limit((int) Math.min(left, zeros.capacity()));
            left -= zeros.remaining();
            write(zeros);
        }
    }

    /** Writes {@code buffer} at absolute {@code offset} without moving the append position (header back-patching). */
    public void writeAt(long offset, ByteBuffer buffer) {
        ensureOpen();
        try {
            for (long at = offset; buffer.hasRemaining(); ) at += channel.write(buffer, at);
        } catch (IOException e) {
            throw new TensorFileException(format, destination, "write failed: " + e.getMessage(), e);
        }
    }

    /** Forces the data to disk and moves the file over the destination. */
    public void commit() {
        prepare();
        try {
            move(temp, destination);
        } catch (IOException e) {
            deleteTemp();
            throw new TensorFileException(format, destination, "commit failed: " + e.getMessage(), e);
        }
    }

    /** The temporary file the data goes to until the commit. */
    Path temp() { return temp; }

    /** The format name for error messages. */
    String format() { return format; }

    /** First half of a commit ({@link AtomicFileSet}): the data forced to disk and the file closed, not moved. */
    void prepare() {
        ensureOpen();
        done = true;
        try {
            channel.force(true);
            channel.close();
        } catch (IOException e) {
            deleteTemp();
            throw new TensorFileException(format, destination, "commit failed: " + e.getMessage(), e);
        }
    }

    /** Deletes the temporary file of a prepared output whose set did not commit. */
    void deletePrepared() {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // best effort: a leftover temporary file is a hidden file, never part of any set
        }
    }

    /** Renames {@code from} over {@code to}: atomically where the file system can. */
    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes the temporary file; the destination is untouched. Idempotent. */
    public void discard() {
        if (done) return;
        done = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // the file is deleted next
        }
        deleteTemp();
    }

    /** Same as {@link #discard()} unless committed. */
    @Override
    public void close() { discard(); }

    private void deleteTemp() {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void ensureOpen() {
        if (done) throw new IllegalStateException(destination + ": output already committed or discarded");
    }
}
