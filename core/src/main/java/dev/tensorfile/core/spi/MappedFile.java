package dev.tensorfile.core.spi;

import dev.tensorfile.core.TensorFileException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A whole file mapped read-only into a shared {@link Arena} that this object owns: zero copy, any size, unmapped
 * deterministically by {@link #close()}. The channel is closed as soon as the mapping exists.
 *
 * <p>Truncating a file while it is mapped makes later reads of the lost pages fault with an {@link InternalError}
 * in the JVM; sizes are checked at open, and the hazard is the caller's to avoid (as with any mmap reader).
 */
public final class MappedFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;

    private MappedFile(Path path, Arena arena, MemorySegment segment) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
    }

    /**
     * Maps {@code path}.
     *
     * @param format the format name for error messages (may be null)
     * @throws TensorFileException if the file does not exist, is not a regular file or cannot be read
     */
    public static MappedFile open(Path path, String format) {
        if (Files.isDirectory(path)) throw new TensorFileException(format, path, "is a directory, not a file");
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            MemorySegment segment = size == 0 ? MemorySegment.ofArray(new byte[0])
                    : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new MappedFile(path, arena, segment);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new TensorFileException(format, path, "no such file");
        } catch (AccessDeniedException e) {
            arena.close();
            throw new TensorFileException(format, path, "permission denied");
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw new TensorFileException(format, path, "cannot be mapped: " + e.getMessage(), e);
        }
    }

    /** The file. */
    public Path path() { return path; }

    /** The whole file. */
    public MemorySegment segment() { return segment; }

    /** The file's size in bytes. */
    public long size() { return segment.byteSize(); }

    /** The arena that owns the mapping, for memory a file decodes and must release with it. */
    public Arena arena() { return arena; }

    /** True until {@link #close()}. */
    public boolean isOpen() { return arena.scope().isAlive(); }

    /** Unmaps the file; idempotent. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            try {
                arena.close();
            } catch (IllegalStateException alreadyClosing) {
                // another thread closed it first
            }
        }
    }
}
