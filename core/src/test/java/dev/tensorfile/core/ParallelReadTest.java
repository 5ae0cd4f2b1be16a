package dev.tensorfile.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
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

/** How {@link ParallelRead} splits a read into chunks and waits for them, whatever the executor does with its tasks. */
class ParallelReadTest {
    /** A Q4_K tensor's geometry (256-element blocks) without data: ParallelRead looks only at the block size. */
    private static Tensor tensor(long elements) {
        TensorInfo info = TensorInfo.of("w", DType.Q4_K, Shape.of(elements / 256, 256));
        return new Tensor() {
            @Override public TensorInfo info() { return info; }
            @Override public boolean isView() { return true; }
            @Override public MemorySegment bytes() { throw new UnsupportedOperationException(); }
            @Override public void readBytes(long byteOffset, MemorySegment dst) { throw new UnsupportedOperationException(); }
        };
    }

    /** Records which output positions each call wrote, and that every call starts on a block boundary. */
    private static final class Coverage implements ParallelRead.Range {
        final AtomicIntegerArray written;
        final long first;
        final AtomicInteger calls = new AtomicInteger();

        Coverage(long first, int count) {
            this.first = first;
            this.written = new AtomicIntegerArray(count);
        }

        @Override
        public void read(long from, int at, int n) {
            calls.incrementAndGet();
            assertEquals(first + at, from);
            assertEquals(0, at % 256, "a chunk starts on a block boundary");
            for (int i = at; i < at + n; i++) written.incrementAndGet(i);
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
                Coverage c = new Coverage(512, count);
                ParallelRead.run(tensor(count + 512), 512, count, ex, c);
                c.assertEveryPositionOnce();
                assertTrue(c.calls.get() > 1, "a 3 Mi-element read is split");
            } finally {
                if (ex instanceof ExecutorService s) s.shutdownNow();
            }
        }
    }

    @Test
    void smallReadsRunInlineOnTheCaller() {
        int count = Tensor.PARALLEL_MIN_ELEMENTS;
        Thread caller = Thread.currentThread();
        List<Thread> threads = new ArrayList<>();
        ParallelRead.run(tensor(count), 0, count, r -> { throw new AssertionError("no task for a small read"); },
                (from, at, n) -> {
                    threads.add(Thread.currentThread());
                    assertEquals(count, n);
                });
        assertEquals(List.of(caller), threads);
    }

    @Test
    void anExecutorThatNeverRunsTheTasksLeavesTheCallerReadingEverything() {
        int count = 1 << 21;
        List<Runnable> queued = new ArrayList<>();
        Coverage c = new Coverage(0, count);
        ParallelRead.run(tensor(count), 0, count, queued::add, c);   // returns without any task having run
        c.assertEveryPositionOnce();
        assertFalse(queued.isEmpty(), "tasks were offered");
        queued.forEach(Runnable::run);                                 // a late task finds nothing left to read
        c.assertEveryPositionOnce();
    }

    @Test
    void aRejectingExecutorLeavesTheCallerReadingEverything() {
        int count = 1 << 21;
        Coverage c = new Coverage(0, count);
        ParallelRead.run(tensor(count), 0, count, r -> { throw new RejectedExecutionException("full"); }, c);
        c.assertEveryPositionOnce();
    }

    @Test
    void theReadReturnsOnlyAfterAChunkATaskIsStillReadingIsDone() {
        int count = 1 << 21;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Thread caller = Thread.currentThread();
            AtomicInteger taskChunks = new AtomicInteger();
            AtomicInteger unfinished = new AtomicInteger();
            ParallelRead.run(tensor(count), 0, count, pool, (from, at, n) -> {
                if (Thread.currentThread() == caller) {
                    sleep(5);   // slow enough that the task gets a chunk
                } else if (taskChunks.getAndIncrement() == 0) {
                    unfinished.incrementAndGet();
                    sleep(300);   // the caller drains every other chunk meanwhile and must wait for this one
                    unfinished.decrementAndGet();
                }
            });
            assertTrue(taskChunks.get() > 0, "the task read a chunk");
            assertEquals(0, unfinished.get(), "returned while a task's chunk was still being read");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailingChunkFailsTheReadAndStopsTheRest() throws Exception {
        int count = 1 << 22;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            AtomicInteger reads = new AtomicInteger();
            IllegalStateException boom = new IllegalStateException("closed");
            CompletionException e = assertThrows(CompletionException.class, () -> ParallelRead.run(tensor(count), 0,
                    count, pool, (from, at, n) -> {
                        reads.incrementAndGet();
                        if (at == 0) throw boom;
                    }));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(reads.get() < count / ParallelRead.MIN_CHUNK_ELEMENTS, "chunks after the failure are skipped");
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void theCallersInterruptIsKeptAndDoesNotCutTheWaitShort() {
        int count = 1 << 21;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Thread caller = Thread.currentThread();
            AtomicInteger taskChunks = new AtomicInteger();
            AtomicInteger unfinished = new AtomicInteger();
            ParallelRead.run(tensor(count), 0, count, pool, (from, at, n) -> {
                if (Thread.currentThread() == caller) {
                    if (!caller.isInterrupted()) sleep(5);
                } else if (taskChunks.getAndIncrement() == 0) {
                    unfinished.incrementAndGet();
                    caller.interrupt();
                    sleep(300);
                    unfinished.decrementAndGet();
                }
            });
            assertTrue(Thread.interrupted(), "the interrupt status survives the read");
            assertTrue(taskChunks.get() > 0, "the task read a chunk");
            assertEquals(0, unfinished.get(), "the interrupt cut the wait short");
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
