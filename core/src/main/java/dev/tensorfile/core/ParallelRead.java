package dev.tensorfile.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/** Splits a float read of a tensor into block-aligned ranges, one per worker, and waits for all of them. */
final class ParallelRead {
    /** One range: elements {@code [from, from + n)} to output position {@code at} (relative to the first). */
    @FunctionalInterface
    interface Range {
        void read(long from, int at, int n);
    }

    private ParallelRead() {}

    static void run(Tensor t, long first, int count, Executor executor, Range body) {
        Executor ex = executor != null ? executor : ForkJoinPool.commonPool();
        int block = t.dtype().blockElements();
        // The calling thread reads a range too, so a pool of parallelism p gives p + 1 workers (the common pool's
        // parallelism is one less than the processor count).
        int workers = executor instanceof ForkJoinPool p ? p.getParallelism() + 1
                : executor == null ? ForkJoinPool.getCommonPoolParallelism() + 1
                : Runtime.getRuntime().availableProcessors();
        // Ranges of about a worker's share, at least PARALLEL_MIN_ELEMENTS, whole blocks; the last takes the rest
        // (which may end in a partial block only where the tensor does).
        long per = Math.max(Tensor.PARALLEL_MIN_ELEMENTS, (count + workers - 1L) / Math.max(1, workers));
        long step = (per + block - 1) / block * block;
        if (count <= step || workers <= 1) {
            body.read(first, 0, count);
            return;
        }
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        long last = (count - 1) / step * step;
        for (long at = 0; at < last; at += step) {
            int a = (int) at;
            parts.add(CompletableFuture.runAsync(() -> body.read(first + a, a, (int) step), ex));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
        try {
            body.read(first + last, (int) last, (int) (count - last));   // the caller's own share
        } finally {
            all.join();   // even when the caller's share failed: no range may still be writing after we return
        }
    }
}
