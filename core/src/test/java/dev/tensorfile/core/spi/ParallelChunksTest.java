package dev.tensorfile.core.spi;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@link ParallelChunks} splits a range into chunks and waits for them, whatever the executor does with its tasks. */
class ParallelChunksTest {
    /** Chunks start on multiples of this, as a read's start on a 256-element block. */
    private static final int ALIGN = 256;
    private static final int MIN_CHUNK = 1 << 16;

    /** Records which output positions each call wrote, and that every call starts on a block boundary. */
    private static final class Coverage implements ParallelChunks.Range {
        final AtomicIntegerArray written;
        final AtomicInteger calls = new AtomicInteger();

        Coverage(int count) {
            this.written = new AtomicIntegerArray(count);
        }

        @Override
        public void run(long from, long to) {
            calls.incrementAndGet();
            assertEquals(0, from % ALIGN, "a chunk starts on a multiple of the alignment");
            assertTrue(to - from >= MIN_CHUNK || to == written.length(), "only the last chunk is short");
            for (int i = (int) from; i < to; i++) written.incrementAndGet(i);
        }

        void assertEveryPositionOnce() {
            for (int i = 0; i < written.length(); i++) {
                if (written.get(i) != 1) throw new AssertionError("position " + i + " written " + written.get(i) + " times");
            }
        }
    }

    @Test
    void everyElementIsReadExactlyOnceWhateverTheWorkerCount() throws Exception {
        int count = 3 * (1 << 20) + 256 * 5;
        for (Executor ex : new Executor[] {null, new ForkJoinPool(1), new ForkJoinPool(7), Executors.newFixedThreadPool(3)}) {
            try {
                Coverage c = new Coverage(count);
                ParallelChunks.run(count, MIN_CHUNK, ALIGN, ex, c);
                c.assertEveryPositionOnce();
                assertTrue(c.calls.get() > 1, "a range of 3 Mi items is split");
            } finally {
                if (ex instanceof ExecutorService s) s.shutdownNow();
            }
        }
    }

    @Test
    void aRangeOfAtMostOneChunkRunsInlineOnTheCaller() {
        int count = MIN_CHUNK;
        Thread caller = Thread.currentThread();
        List<Thread> threads = new ArrayList<>();
        ParallelChunks.run(count, MIN_CHUNK, ALIGN, r -> { throw new AssertionError("no task for a small range"); },
                (from, to) -> {
                    threads.add(Thread.currentThread());
                    assertEquals(0, from);
                    assertEquals(count, to);
                });
        assertEquals(List.of(caller), threads);
    }

    @Test
    void anExecutorThatNeverRunsTheTasksLeavesTheCallerReadingEverything() {
        int count = 1 << 21;
        List<Runnable> queued = new ArrayList<>();
        Coverage c = new Coverage(count);
        ParallelChunks.run(count, MIN_CHUNK, ALIGN, queued::add, c);   // returns without any task having run
        c.assertEveryPositionOnce();
        assertFalse(queued.isEmpty(), "tasks were offered");
        queued.forEach(Runnable::run);                                 // a late task finds nothing left to read
        c.assertEveryPositionOnce();
    }

    @Test
    void aRejectingExecutorLeavesTheCallerReadingEverything() {
        int count = 1 << 21;
        Coverage c = new Coverage(count);
        ParallelChunks.run(count, MIN_CHUNK, ALIGN, r -> { throw new RejectedExecutionException("full"); }, c);
        c.assertEveryPositionOnce();
    }

    @Test
    void theReadReturnsOnlyAfterAChunkATaskIsStillReadingIsDone() {
        LateChunk late = runWithALateChunk(caller -> { });
        assertTrue(late.taskChunks > 0, "the task read a chunk");
        assertEquals(0, late.unfinished, "returned while a task's chunk was still being read");
    }

    @Test
    void aFailingChunkFailsTheReadAndStopsTheRest() throws Exception {
        int count = 1 << 22;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            AtomicInteger reads = new AtomicInteger();
            IllegalStateException boom = new IllegalStateException("closed");
            CompletionException e = assertThrows(CompletionException.class, () -> ParallelChunks.run(count, MIN_CHUNK,
                    ALIGN, pool, (from, to) -> {
                        reads.incrementAndGet();
                        if (from == 0) throw boom;
                        sleep(2);   // the failure is seen before the other chunks finish
                    }));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            // at most one chunk per thread runs beside the failing one; the other (of 16) are skipped
            assertTrue(reads.get() <= 1 + ParallelChunks.workers(pool), "chunks after the failure are skipped: " + reads);
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void theCallersInterruptIsKeptAndDoesNotCutTheWaitShort() {
        LateChunk late = runWithALateChunk(Thread::interrupt);
        assertTrue(Thread.interrupted(), "the interrupt status survives the read");
        assertTrue(late.taskChunks > 0, "the task read a chunk");
        assertEquals(0, late.unfinished, "the interrupt cut the wait short");
    }

    /** What {@link #runWithALateChunk} saw when the run returned. */
    private record LateChunk(int taskChunks, int unfinished) {}

    /**
     * Runs a range on the caller and one pool thread, the caller slow enough that the task gets a chunk, and the
     * task's first chunk slower still (300 ms) so that the caller drains every other chunk and must wait for it;
     * {@code atTaskChunk} is called with the caller's thread when that chunk starts.
     */
    private static LateChunk runWithALateChunk(java.util.function.Consumer<Thread> atTaskChunk) {
        int count = 1 << 21;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Thread caller = Thread.currentThread();
            AtomicInteger taskChunks = new AtomicInteger();
            AtomicInteger unfinished = new AtomicInteger();
            ParallelChunks.run(count, MIN_CHUNK, ALIGN, pool, (from, to) -> {
                if (Thread.currentThread() == caller) {
                    if (!caller.isInterrupted()) sleep(5);
                } else if (taskChunks.getAndIncrement() == 0) {
                    unfinished.incrementAndGet();
                    atTaskChunk.accept(caller);
                    sleep(300);
                    unfinished.decrementAndGet();
                }
            });
            return new LateChunk(taskChunks.get(), unfinished.get());
        } finally {
            pool.shutdownNow();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
