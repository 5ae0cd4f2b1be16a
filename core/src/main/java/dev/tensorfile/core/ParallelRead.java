package dev.tensorfile.core;

import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a float read of a tensor into block-aligned chunks that the calling thread and up to one task per other
 * worker claim one at a time, and waits until every chunk is done.
 *
 * <p>Why chunks claimed from a counter rather than one fixed range per worker: a pool thread starts some tens of
 * microseconds after it is asked to (it is woken from a park), on a loaded machine much later, while the caller
 * starts at once. With fixed halves the caller then idles at the end waiting for the late half, and a 0.6 ms read of
 * 16 MiB on two cores reached only 1.6-1.7x. With chunks, whoever is running takes the next one, so the work
 * balances itself and the wait at the end is at most one chunk. A pool that never runs the task (saturated, or
 * rejecting it) leaves the caller reading every chunk itself, never waiting on a task that has not started.
 */
final class ParallelRead {
    /** One range: elements {@code [from, from + n)} to output position {@code at} (relative to the first). */
    @FunctionalInterface
    interface Range {
        void read(long from, int at, int n);
    }

    /**
     * Smallest chunk: 64 Ki elements, 256 KiB of floats, some tens of microseconds of decoding, against well under a
     * microsecond of claiming and dispatching it.
     */
    static final int MIN_CHUNK_ELEMENTS = 1 << 16;
    /** Chunks per worker when the tensor is large: enough to absorb a late start, few enough to stay cheap. */
    static final int CHUNKS_PER_WORKER = 8;
    /** Spins on the last chunks before parking: they are short, and a park/unpark pair costs tens of microseconds. */
    private static final int SPINS = 1 << 12;

    private ParallelRead() {}

    static void run(Tensor t, long first, int count, Executor executor, Range body) {
        Executor ex = executor != null ? executor : ForkJoinPool.commonPool();
        // The calling thread reads too, so a pool of parallelism p gives p + 1 workers (the common pool's
        // parallelism is one less than the processor count).
        int workers = executor instanceof ForkJoinPool p ? p.getParallelism() + 1
                : executor == null ? ForkJoinPool.getCommonPoolParallelism() + 1
                : Runtime.getRuntime().availableProcessors();
        if (count <= Tensor.PARALLEL_MIN_ELEMENTS || workers <= 1) {
            body.read(first, 0, count);
            return;
        }
        int block = t.dtype().blockElements();
        long per = Math.max(MIN_CHUNK_ELEMENTS, (count + (long) workers * CHUNKS_PER_WORKER - 1) / ((long) workers * CHUNKS_PER_WORKER));
        int chunk = (int) Math.min(count, (per + block - 1) / block * block);
        Split split = new Split(first, count, chunk, body);
        int helpers = Math.min(workers - 1, split.chunks - 1);
        for (int i = 0; i < helpers; i++) {
            try {
                ex.execute(split);
            } catch (RejectedExecutionException e) {
                break;   // the caller reads what no task takes
            }
        }
        split.drain();
        split.awaitDone();
        Throwable failure = split.failure.get();
        if (failure != null) throw new CompletionException(failure);
    }

    /** The shared state of one split read; run by each pool task, drained by the caller. */
    private static final class Split implements Runnable {
        final long first;
        final int count;
        final int chunk;
        final int chunks;
        final Range body;
        final Thread caller = Thread.currentThread();
        final AtomicInteger next = new AtomicInteger();
        /** Chunks read, failed or skipped after a failure; the caller returns when it reaches {@link #chunks}. */
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Split(long first, int count, int chunk, Range body) {
            this.first = first;
            this.count = count;
            this.chunk = chunk;
            this.chunks = (int) ((count + (long) chunk - 1) / chunk);
            this.body = body;
        }

        @Override
        public void run() {
            drain();
        }

        /** Claims and reads chunks until none is left; after a failure the rest are claimed but not read. */
        void drain() {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    if (failure.get() == null) {
                        int at = c * chunk;
                        body.read(first + at, at, Math.min(chunk, count - at));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    // the release that makes this chunk's output visible to the caller once it sees the count
                    if (done.incrementAndGet() == chunks && Thread.currentThread() != caller) LockSupport.unpark(caller);
                }
            }
        }

        /**
         * Returns once every claimed chunk is finished, so no chunk is still writing after the read returns. Only
         * chunks other threads are reading remain; the caller spins briefly, then parks until the last unparks it.
         */
        void awaitDone() {
            boolean interrupted = false;
            for (int spins = 0; done.get() < chunks; spins++) {
                if (spins < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                    if (Thread.interrupted()) interrupted = true;   // keep waiting: a chunk may still be writing
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}
