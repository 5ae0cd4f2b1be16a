package dev.tensorfile.core.spi;

import dev.tensorfile.core.TensorFileException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The files of one output (safetensors shards and their index, GGUF splits, an ONNX model and its external data)
 * replacing their destinations all together or not at all.
 *
 * <p>Each member is an {@link AtomicFileOutput}: written to a hidden temporary file beside its destination. All
 * members live in one directory. {@link #commit()} then
 * <ol>
 * <li>forces every member to disk and closes it;</li>
 * <li>writes a journal, the list of renames (temporary name → destination name), under a temporary name, forces
 * it, renames it to {@code .tensorfile-commit.RANDOM} and forces the directory. <b>That rename is the commit
 * point;</b></li>
 * <li>renames every member over its destination and forces the directory;</li>
 * <li>deletes the journal.</li>
 * </ol>
 * A set of one file skips the journal: one rename is atomic by itself.
 *
 * <p><b>The guarantee.</b> If the writing process dies at any instant (killed, crashed), the destinations hold,
 * as this library reads them, either the whole old set or the whole new one:
 * <ul>
 * <li>Dead before the commit point: the destinations are untouched, the old set. The members' temporary files
 * remain as hidden files ({@code .NAME.RANDOM.tmp}) that no set refers to.</li>
 * <li>Dead after it: the journal remains and the destinations may hold some new and some old files. {@link
 * #recover} finishes the renames the journal lists, which gives the new set. {@link
 * dev.tensorfile.core.TensorFiles#open} recovers the file's directory before it reads anything, and every new
 * output recovers its directory before it writes (so a pending journal never renames stale files over a newer
 * commit). A program that is not this library sees the mix until one of those runs in that directory.</li>
 * </ul>
 * After a power loss the same holds where the file system honours {@code fsync} on files and directories (ext4,
 * XFS, APFS); renames are atomic on POSIX file systems. Where the file system cannot rename atomically (some
 * network file systems) a rename is a copy and this degrades to per-file replacement. Two writers committing the
 * same destinations at the same time are not made safe: the set then holds whatever each rename left last. A
 * reader that has already mapped a member keeps reading the file it mapped.
 */
public final class AtomicFileSet implements AutoCloseable {
    private static final String JOURNAL_PREFIX = ".tensorfile-commit.";
    private static final String JOURNAL_TEMP_SUFFIX = ".tmp";
    private static final String JOURNAL_HEADER = "tensorfile-commit 1";
    private static final String JOURNAL_END = "end";
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** Tests widen the window between two renames of a commit; never set otherwise. */
    static volatile java.util.function.IntConsumer beforeRename = i -> {};

    private final String format;
    private final List<AtomicFileOutput> members = new ArrayList<>();
    private Path directory;
    private boolean done;

    private AtomicFileSet(String format) { this.format = format; }

    /**
     * Starts an empty set.
     *
     * @param format the format name for error messages
     * @return the set, without members
     */
    public static AtomicFileSet create(String format) { return new AtomicFileSet(Objects.requireNonNull(format)); }

    /**
     * Starts a member that will become {@code destination}.
     *
     * @param destination where the member goes; in the same directory as every other member
     * @return the member's output, written by the caller, committed by this set
     * @throws IllegalArgumentException if {@code destination} is in another directory than the first member's
     */
    public AtomicFileOutput add(Path destination) {
        ensureOpen();
        Path dir = destination.toAbsolutePath().getParent();
        if (directory == null) directory = dir;
        else if (!directory.equals(dir)) {
            throw new IllegalArgumentException(destination + ": every file of a set goes in " + directory);
        }
        if (destination.getFileName().toString().indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a file name with a line break cannot be journaled: " + destination);
        }
        AtomicFileOutput out = AtomicFileOutput.create(destination, format);
        members.add(out);
        return out;
    }

    /** The members, in the order they were added. */
    public List<AtomicFileOutput> members() { return List.copyOf(members); }

    /**
     * Moves every member over its destination, all or none (see the class comment for what is guaranteed when
     * the process dies meanwhile).
     *
     * @throws TensorFileException if the set could not be committed; before the commit point the old set is
     *         untouched and the temporary files are gone, after it the journal stays for {@link #recover}
     */
    public void commit() {
        ensureOpen();
        done = true;
        if (members.size() == 1) {
            members.getFirst().commit();
            return;
        }
        int prepared = 0;
        Path journal;
        try {
            for (AtomicFileOutput m : members) {
                m.prepare();
                prepared++;
            }
            journal = writeJournal();
        } catch (RuntimeException | IOException e) {
            for (int i = 0; i < members.size(); i++) {
                if (i < prepared) members.get(i).deletePrepared();
                else members.get(i).discard();
            }
            if (e instanceof RuntimeException r) throw r;
            throw new TensorFileException(format, members.getFirst().destination(), "commit failed: " + e.getMessage(), e);
        }
        try {
            for (int i = 0; i < members.size(); i++) {
                beforeRename.accept(i);
                AtomicFileOutput m = members.get(i);
                try {
                    AtomicFileOutput.move(m.temp(), m.destination());
                } catch (NoSuchFileException movedByRecovery) {
                    // a reader in another thread or process finished this rename from the journal
                }
            }
            forceDirectory(directory);
            Files.deleteIfExists(journal);
        } catch (IOException e) {
            throw new TensorFileException(format, members.getFirst().destination(), "commit interrupted after its "
                    + "commit point: " + e.getMessage() + "; opening the file again finishes it (journal " + journal + ")", e);
        }
    }

    /** Deletes every member's temporary file; the destinations are untouched. Idempotent; never throws. */
    public void discard() {
        if (done) return;
        done = true;
        for (AtomicFileOutput m : members) {
            try {
                m.discard();
            } catch (RuntimeException ignored) {
                // discard must not throw; the temporary file may already be gone
            }
        }
    }

    /** Same as {@link #discard()} unless committed. */
    @Override
    public void close() { discard(); }

    private Path writeJournal() throws IOException {
        StringBuilder text = new StringBuilder(JOURNAL_HEADER).append('\n');
        for (AtomicFileOutput m : members) {
            text.append(m.temp().getFileName()).append('/').append(m.destination().getFileName()).append('\n');
        }
        text.append(JOURNAL_END).append('\n');
        String name = JOURNAL_PREFIX + Long.toUnsignedString(RANDOM.nextLong(), 36);
        Path temp = directory.resolve(name + JOURNAL_TEMP_SUFFIX);
        Path journal = directory.resolve(name);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
            var buffer = java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) ch.write(buffer);
            ch.force(true);
        }
        try {
            AtomicFileOutput.move(temp, journal);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        forceDirectory(directory);
        return journal;
    }

    /**
     * Finishes every commit in {@code directory} that passed its commit point and did not end: renames what its
     * journal lists, then deletes the journal. Cheap when there is none (one directory listing).
     *
     * @param directory a directory that may hold journals; nothing happens if it does not exist
     * @throws TensorFileException if a journal is there and cannot be carried out
     */
    public static void recover(Path directory) {
        if (directory == null || !Files.isDirectory(directory)) return;
        List<Path> journals = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, JOURNAL_PREFIX + "*")) {
            for (Path p : ds) if (!p.getFileName().toString().endsWith(JOURNAL_TEMP_SUFFIX)) journals.add(p);
        } catch (IOException e) {
            return; // an unreadable directory: nothing of ours can be opened from it either
        }
        for (Path journal : journals) {
            try {
                List<String> lines;
                try {
                    lines = Files.readAllLines(journal, StandardCharsets.UTF_8);
                } catch (NoSuchFileException gone) {
                    continue; // finished meanwhile by its writer or another reader
                }
                if (lines.size() < 2 || !lines.getFirst().equals(JOURNAL_HEADER) || !lines.getLast().equals(JOURNAL_END)) {
                    throw new TensorFileException(null, journal, "not a commit journal of this library; remove it");
                }
                for (String line : lines.subList(1, lines.size() - 1)) {
                    int slash = line.indexOf('/');
                    String temp = slash < 0 ? "" : line.substring(0, slash), dest = line.substring(slash + 1);
                    // Names only, in this directory: a journal can never rename anything elsewhere.
                    if (slash <= 0 || dest.isEmpty() || dest.indexOf('/') >= 0 || !temp.startsWith("." + dest + ".")
                            || !temp.endsWith(".tmp") || dest.equals(".") || dest.equals("..")) {
                        throw new TensorFileException(null, journal, "not a commit journal of this library; remove it");
                    }
                    try {
                        AtomicFileOutput.move(directory.resolve(temp), directory.resolve(dest));
                    } catch (NoSuchFileException renamedAlready) {
                        // this member was moved before the writer died
                    }
                }
                forceDirectory(directory);
                Files.deleteIfExists(journal);
            } catch (IOException e) {
                throw new TensorFileException(null, journal, "cannot finish an interrupted commit: " + e.getMessage(), e);
            }
        }
    }

    /** Makes the directory's entries (renames) durable; a no-op where directories cannot be opened (Windows). */
    private static void forceDirectory(Path directory) {
        try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not supported here; the renames are still done in order
        }
    }

    private void ensureOpen() {
        if (done) throw new IllegalStateException("file set already committed or discarded");
    }
}
