package dev.onepipe.archive;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The uploads of one partition's closed chunks, run one after another (in the order the chunks closed) on
 * threads shared by the archive instance, so the stream thread goes on reading while a chunk is encoded
 * and sent. Only the stream thread calls it. A chunk's state stays in the store until its upload is
 * confirmed here, so a crash in between uploads it again.
 */
final class BackgroundUploads {

    private final Executor threads;
    private final Deque<Pending> pending = new ArrayDeque<>();
    private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);

    private record Pending(OpenChunk chunk, CompletableFuture<Void> done) {
    }

    BackgroundUploads(Executor threads) {
        this.threads = threads;
    }

    /** Threads for the uploads of every partition of one instance; idle ones end, so an instance that stops leaves none. */
    static ExecutorService sharedThreads(String topic) {
        AtomicInteger count = new AtomicInteger();
        int size = Math.max(2, Runtime.getRuntime().availableProcessors());
        ThreadPoolExecutor executor = new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread thread = new Thread(task, "onepipe-archive-upload-" + topic + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    /** Runs {@code upload} of {@code chunk} once every upload submitted before it has succeeded. */
    void submit(OpenChunk chunk, Runnable upload) {
        last = last.thenRunAsync(upload, threads);
        pending.addLast(new Pending(chunk, last));
    }

    int pendingCount() {
        return pending.size();
    }

    /** The chunks whose uploads have finished since the last call, in submission order; throws the failure of one that failed. */
    List<OpenChunk> takeFinished() {
        List<OpenChunk> finished = new ArrayList<>();
        while (!pending.isEmpty() && pending.peekFirst().done().isDone()) {
            Pending upload = pending.removeFirst();
            await(upload.done());
            finished.add(upload.chunk());
        }
        return finished;
    }

    /** Waits until at most {@code count} uploads are still running or queued; throws the failure of one that failed. */
    void awaitAtMost(int count) {
        Iterator<Pending> oldestFirst = pending.iterator();
        for (int waits = pending.size() - count; waits > 0; waits--) {
            await(oldestFirst.next().done());
        }
    }

    /** Waits for every upload to end, failed or not: what is not in S3 then is still in the store, for the next owner. */
    void awaitAllQuietly() {
        last.handle((ignored, failure) -> null).join();
    }

    private static void await(CompletableFuture<Void> done) {
        try {
            done.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw e;
        }
    }
}
