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
 * The uploads of one partition's chunks (closed ones, and open ones an idle flush puts in S3 as they are),
 * run one after another in the order they were submitted on threads shared by the archive instance, so the
 * stream thread goes on reading while a chunk is encoded and sent. Only the stream thread calls it. A
 * chunk's state changes only once its upload is confirmed here, so a crash in between uploads it again.
 */
final class BackgroundUploads {

    private final Executor threads;
    private final Deque<Pending> pending = new ArrayDeque<>();
    private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);

    /**
     * An upload of {@code chunk} as it was when submitted.
     *
     * @param chunk the chunk's state then: its record count is what the upload puts in S3
     * @param idle  whether it is an idle flush's upload of an open chunk, which stays open
     */
    record Upload(OpenChunk chunk, boolean idle) {
    }

    private record Pending(Upload upload, CompletableFuture<Void> done) {
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

    /** Runs {@code work}, the upload of {@code upload}, once every upload submitted before it has succeeded. */
    void submit(Upload upload, Runnable work) {
        last = last.thenRunAsync(work, threads);
        pending.addLast(new Pending(upload, last));
    }

    int pendingCount() {
        return pending.size();
    }

    /** The uploads that have finished since the last call, in submission order; throws the failure of one that failed. */
    List<Upload> takeFinished() {
        List<Upload> finished = new ArrayList<>();
        while (!pending.isEmpty() && pending.peekFirst().done().isDone()) {
            Pending upload = pending.removeFirst();
            await(upload.done());
            finished.add(upload.upload());
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
