package dev.tensorfile.hdf5;

import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.hdf5.filter.Filters;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.zip.Deflater;

/**
 * Shuffles and deflates the writer's chunks (h5py's {@code shuffle=True, compression='gzip'}) on a few threads while
 * the writer goes on reading its source, and hands the results back in submission order on the writer's thread, so
 * chunks land in the file in stream order. At most a bounded number of chunks are in flight.
 */
final class ChunkCompressor implements AutoCloseable {
    private record Pending(Future<byte[]> data, Consumer<byte[]> then) {}

    private final int level;
    private final String format;
    private final Path destination;
    private final ExecutorService pool;
    private final int maxInFlight;
    private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();

    /** @param threads worker threads; 1 compresses on the caller's thread */
    ChunkCompressor(int level, int threads, String format, Path destination) {
        this.level = level;
        this.format = format;
        this.destination = destination;
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().name("hdf5-deflate-", 0).factory()) : null;
        this.maxInFlight = 2 * threads;
    }

    /** Compresses {@code chunk} (which it then owns); {@code then} gets the result in submission order. */
    void submit(byte[] chunk, int elementSize, Consumer<byte[]> then) {
        if (pool == null) {
            then.accept(compress(chunk, elementSize, level));
            return;
        }
        inFlight.add(new Pending(pool.submit(() -> compress(chunk, elementSize, level)), then));
        while (inFlight.size() > maxInFlight) completeOldest();
    }

    /** Waits for every chunk in flight and hands each over. */
    void drain() {
        while (!inFlight.isEmpty()) completeOldest();
    }

    private void completeOldest() {
        Pending p = inFlight.removeFirst();
        byte[] data;
        try {
            data = p.data().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TensorFileException(format, destination, "interrupted while compressing chunks", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r
                    : new TensorFileException(format, destination, "compressing a chunk failed: " + e.getCause(), e.getCause());
        }
        p.then().accept(data);
    }

    static byte[] compress(byte[] chunk, int elementSize, int level) {
        byte[] shuffled = Filters.shuffle(chunk, elementSize);
        Deflater deflater = new Deflater(level);
        try {
            deflater.setInput(shuffled);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(shuffled.length / 2 + 64);
            byte[] buf = new byte[65536];
            while (!deflater.finished()) out.write(buf, 0, deflater.deflate(buf));
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /** Stops the workers; chunks still in flight are dropped. */
    @Override
    public void close() {
        inFlight.clear();
        if (pool != null) pool.shutdownNow();
    }
}
