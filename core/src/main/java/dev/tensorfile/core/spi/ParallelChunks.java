package dev.tensorfile.core.spi;

import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a range of independent items ({@code [0, count)}: a tensor's elements, a matrix's rows) on the calling thread
 * and an executor's threads together, in chunks that each claims from a counter, and returns when every chunk is
 * done. The split behind {@code Tensor.readFloats(..., Executor)} and the GGUF kernels' {@code matVec}.
 *
 * <p>Why chunks claimed from a counter rather than one fixed range per worker: a pool thread starts some tens of
 * microseconds after it is asked to (it is woken from a park), on a loaded machine much later, while the caller
 * starts at once. With fixed halves the caller then idles at the end waiting for the late half (a 0.6 ms read of
 * 16 MiB on two cores reached 1.6-1.7x). With chunks, whoever is running takes the next one, so the work balances
 * itself and the wait at the end is at most one chunk. A pool that never runs its task (saturated, or rejecting it)
 * leaves the caller doing every chunk itself, never waiting on a task that has not started; so calling this from a
 * task of the same pool cannot deadlock.
 */
public final class ParallelChunks {
    /** The work of items {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(long from, long to);
    }

    /** Chunks per worker when the range is large: enough to absorb a late start, few enough to stay cheap. */
    static final int CHUNKS_PER_WORKER = 8;
    /** Spins on the last chunks before parking: they are short, and a park/unpark pair costs tens of microseconds. */
    private static final int SPINS = 1 << 12;

    private ParallelChunks() {}

    /**
     * The number of threads that share the work on {@code executor}: a {@link ForkJoinPool}'s parallelism (the
     * common pool's if null) plus the caller, else the processor count.
     */
    public static int workers(Executor executor) {
        return executor instanceof ForkJoinPool p ? p.getParallelism() + 1
                : executor == null ? ForkJoinPool.getCommonPoolParallelism() + 1
                : Runtime.getRuntime().availableProcessors();
    }

    /**
     * Runs {@code body} over {@code [0, count)} in chunks of at least {@code minChunk} items, each a multiple of
     * {@code align} items (the last ends at {@code count}), on the calling thread and on up to {@link #workers} - 1
     * tasks of {@code executor} (the common pool if null). A range of at most {@code minChunk} items runs inline.
     * Returns once no chunk is running any more; after a chunk fails the rest are skipped.
     *
     * @throws CompletionException wrapping the first failure of a chunk
     */
    public static void run(long count, long minChunk, int align, Executor executor, Range body) {
        int workers = workers(executor);
        if (count <= minChunk || workers <= 1) {
            body.run(0, count);
            return;
        }
        long share = ceilDiv(count, (long) workers * CHUNKS_PER_WORKER);
        long chunk = Math.min(count, ceilDiv(Math.max(minChunk, share), align) * align);
        Split split = new Split(count, chunk, body);
        long helpers = Math.min(workers - 1, split.chunks - 1);
        Executor ex = executor != null ? executor : ForkJoinPool.commonPool();
        for (long i = 0; i < helpers; i++) {
            try {
                ex.execute(split);
            } catch (RejectedExecutionException e) {
                break;   // the caller does what no task takes
            }
        }
        split.drain();
        split.awaitDone();
        Throwable failure = split.failure.get();
        if (failure != null) throw new CompletionException(failure);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** The shared state of one run; each pool task drains it, and so does the caller. */
    private static final class Split implements Runnable {
        final long count;
        final long chunk;
        final long chunks;
        final Range body;
        final Thread caller = Thread.currentThread();
        final AtomicLong next = new AtomicLong();
        /** Chunks run, failed or skipped after a failure; the caller returns when it reaches {@link #chunks}. */
        final AtomicLong done = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Split(long count, long chunk, Range body) {
            this.count = count;
            this.chunk = chunk;
            this.chunks = ceilDiv(count, chunk);
            this.body = body;
        }

        @Override
        public void run() {
            drain();
        }

        /** Claims and runs chunks until none is left; after a failure the rest are claimed but not run. */
        void drain() {
            for (long c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    if (failure.get() == null) body.run(c * chunk, Math.min(count, (c + 1) * chunk));
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    // the release that makes this chunk's writes visible to the caller once it sees the count
                    if (done.incrementAndGet() == chunks && Thread.currentThread() != caller) LockSupport.unpark(caller);
                }
            }
        }

        /**
         * Returns once every claimed chunk is finished, so no chunk is still writing after the run returns. Only
         * chunks other threads are running remain; the caller spins briefly, then parks until the last unparks it.
         * An interrupt does not cut the wait short (a chunk may still be writing); the status is kept.
         */
        void awaitDone() {
            boolean interrupted = false;
            for (int spins = 0; done.get() < chunks; spins++) {
                if (spins < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                    if (Thread.interrupted()) interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}
