package dev.tensorfile.core.spi;

import dev.tensorfile.core.TensorFileException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A whole file mapped read-only into a shared {@link Arena} that this object owns: zero copy, any size, unmapped
 * deterministically by {@link #close()}. The channel it was mapped through stays open until then, for positional
 * reads ({@link #read}) and kernel copies ({@link #transferTo}) of exactly the bytes that are mapped, whatever
 * happens to the path meanwhile.
 *
 * <p>Truncating a file while it is mapped makes later reads of the lost pages fault with an {@link InternalError}
 * in the JVM; sizes are checked at open, and the hazard is the caller's to avoid (as with any mmap reader).
 */
public final class MappedFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    /** The mapped file's identity (device and inode on Unix), to refuse positional reads of a file put in its place. */
    private final Object fileKey;
    /**
     * The channel the file was mapped through, for {@link #read} and {@link #transferTo}; closed with the mapping,
     * opened again (if the path still names the mapped file) after an interrupt closed it; guarded by {@code this}.
     */
    private FileChannel channel;
    private boolean channelRefused;
    /** For a remote file, what fetches its bytes into {@link #segment}'s cache; null for a local file. */
    private final RemoteFile remote;
    private volatile boolean wholeFetched;

    private MappedFile(Path path, Arena arena, MemorySegment segment, Object fileKey, FileChannel channel) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.fileKey = fileKey;
        this.channel = channel;
        this.remote = null;
    }

    private MappedFile(RemoteFile remote) {
        this.path = remote.path();
        this.arena = remote.arena();
        this.segment = remote.cache();
        this.fileKey = null;
        this.channel = null;
        this.channelRefused = true;
        this.remote = remote;
    }

    /**
     * A remote file as a mapping of its block cache, which this object now owns. Its bytes are there only once
     * fetched, so the rule for readers is: {@link #window} for any structure (it fetches first), {@link #dataSlice}
     * only for a tensor class that calls {@link #require(MemorySegment)} before it reads ({@link SegmentTensor} and
     * {@link DecodedTensor} subclasses that do); {@link #segment()} fetches the whole file, for a reader not yet
     * written to fetch only what it reads. No path hands out bytes that were not fetched, so nothing reads the cache's
     * zeros as data.
     */
    public static MappedFile remote(RemoteFile remote) {
        return new MappedFile(remote);
    }

    /**
     * Maps {@code path}.
     *
     * @param format the format name for error messages (may be null)
     * @throws TensorFileException if the file does not exist, is not a regular file or cannot be read
     */
    public static MappedFile open(Path path, String format) {
        Object fileKey = null;
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (attributes.isDirectory()) throw new TensorFileException(format, path, "is a directory, not a file");
            fileKey = attributes.fileKey();
        } catch (IOException e) {
            // the open below says what is wrong
        }
        Arena arena = Arena.ofShared();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            long size = channel.size();
            MemorySegment segment = size == 0 ? MemorySegment.ofArray(new byte[0])
                    : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new MappedFile(path, arena, segment, fileKey, channel);
        } catch (NoSuchFileException e) {
            closeQuietly(channel);
            arena.close();
            throw new TensorFileException(format, path, "no such file");
        } catch (AccessDeniedException e) {
            closeQuietly(channel);
            arena.close();
            throw new TensorFileException(format, path, "permission denied");
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            arena.close();
            throw new TensorFileException(format, path, "cannot be mapped: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only: nothing to lose
        }
    }

    /** The file. */
    public Path path() { return path; }

    /**
     * The whole file. For a remote file this fetches the whole file first (once): a reader that fetches only what it
     * reads uses {@link #window} instead.
     */
    public MemorySegment segment() {
        if (remote != null && !wholeFetched) {
            remote.require(0, segment.byteSize());
            wholeFetched = true;
        }
        return segment;
    }

    /**
     * Bytes {@code [offset, offset + length)} of the file, present: a slice of the mapping (for a remote file, fetched
     * first). Reading outside the slice fails as any out-of-bounds segment access does.
     */
    public MemorySegment window(long offset, long length) {
        java.util.Objects.checkFromIndexSize(offset, length, segment.byteSize());
        if (remote != null) remote.require(offset, length);
        return segment.asSlice(offset, length);
    }

    /**
     * Bytes {@code [offset, offset + length)} of the file, for a tensor's data, not fetched yet for a remote file:
     * only for a tensor class that calls {@link #require(MemorySegment)} before reading them. Locally the same as
     * {@link #window}.
     */
    public MemorySegment dataSlice(long offset, long length) {
        return segment.asSlice(offset, length);
    }

    /** Fetches {@code slice} (of this file's mapping, from {@link #dataSlice}) if it is remote; nothing for a local file. */
    public void require(MemorySegment slice) {
        if (remote != null) remote.require(offsetOf(slice), slice.byteSize());
    }

    /** Fetches {@code [offset, offset + length)} if the file is remote; nothing for a local file. */
    public void require(long offset, long length) {
        if (remote != null) remote.require(offset, length);
    }

    /** Where {@code slice}, a slice of this file's mapping, starts in the file. */
    public long offsetOf(MemorySegment slice) {
        return slice.address() - segment.address();
    }

    /** True if this is the cache of a remote file ({@link #remote(RemoteFile)}). */
    public boolean isRemote() { return remote != null; }

    /** The remote file this is the cache of, if it is one. */
    public java.util.Optional<RemoteFile> remote() { return java.util.Optional.ofNullable(remote); }

    /** The file's size in bytes. */
    public long size() { return segment.byteSize(); }

    /** The arena that owns the mapping, for memory a file decodes and must release with it. */
    public Arena arena() { return arena; }

    /** True until {@link #close()}. */
    public boolean isOpen() { return remote != null ? remote.isOpen() : arena.scope().isAlive(); }

    /** Throws an {@link IllegalStateException} naming {@code tensor} and the file if the file is closed. */
    public void ensureOpen(String tensor) {
        if (!isOpen()) throw new IllegalStateException("tensor '" + tensor + "' used after " + path + " was closed");
    }

    /**
     * Reads bytes from {@code offset} into {@code dst} with a positional read, without touching the mapping.
     *
     * <p>For structures spread thinly over a large file, such as a header before each tensor's data: the first
     * touch of a mapped page is a page fault, which costs several times a read syscall on virtualized hosts, and a
     * read maps nothing. The data is the same page cache either way.
     *
     * @return the number of bytes read, fewer than {@code dst.remaining()} only at the end of the file; or -1 if the
     *     file cannot be read this way (closed, or not the file that was mapped any more): read the mapping instead
     */
    public int read(long offset, ByteBuffer dst) {
        if (remote != null) {
            int n = (int) Math.min(dst.remaining(), Math.max(0, segment.byteSize() - offset));
            if (n == 0) return 0;
            MemorySegment.copy(window(offset, n), 0, MemorySegment.ofBuffer(dst), 0, n);
            dst.position(dst.position() + n);
            return n;
        }
        FileChannel ch = channel();
        if (ch == null) return -1;
        int total = 0;
        try {
            while (dst.hasRemaining()) {
                int n = ch.read(dst, offset + total);
                if (n < 0) break;
                total += n;
            }
            return total;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Appends bytes {@code [offset, offset + length)} of the mapped file to {@code target} by a kernel copy
     * ({@code copy_file_range} between files on Linux): the bytes never pass through user space or the mapping.
     *
     * @return false, having written nothing, if the file cannot be read this way (closed, or its channel was closed by
     *     an interrupt and the path now names another file): copy from the mapping instead
     * @throws IndexOutOfBoundsException if the range is outside the file
     * @throws IOException if the copy fails
     */
    public boolean transferTo(long offset, long length, WritableByteChannel target) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, segment.byteSize());
        if (remote != null) {
            remote.transferTo(offset, length, target); // streamed, not cached: a conversion holds one request at a time
            return true;
        }
        FileChannel ch = channel();
        if (ch == null) return false;
        for (long done = 0; done < length; ) {
            long n = ch.transferTo(offset + done, length - done, target);
            if (n <= 0) throw new IOException("no progress copying bytes of " + path);
            done += n;
        }
        return true;
    }

    private synchronized FileChannel channel() {
        if (channel != null && !channel.isOpen() && isOpen()) channel = null; // closed by an interrupt: open again
        if (channel == null && !channelRefused) {
            channelRefused = true;
            if (fileKey == null || !isOpen()) return null;
            try {
                FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
                Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
                if (fileKey.equals(key) && ch.size() == segment.byteSize()) {
                    channel = ch;
                    channelRefused = false;
                } else {
                    closeQuietly(ch);
                }
            } catch (IOException e) {
                // refused: the caller reads the mapping
            }
        }
        return channel;
    }

    /** Unmaps the file; idempotent. */
    @Override
    public void close() {
        if (remote != null) {
            remote.close();
            return;
        }
        synchronized (this) {
            channelRefused = true;
            closeQuietly(channel);
            channel = null;
        }
        if (arena.scope().isAlive()) {
            try {
                arena.close();
            } catch (IllegalStateException alreadyClosing) {
                // another thread closed it first
            }
        }
    }
}
