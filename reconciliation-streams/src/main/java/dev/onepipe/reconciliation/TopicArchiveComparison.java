package dev.onepipe.reconciliation;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One pass of topic ↔ raw archive: the topic and the archive are each read once, at the same time (the archive on a
 * second thread), then compared bucket by bucket ({@link RawReconciliation}).
 *
 * @param range          the topic's retained offsets per partition, as read
 * @param archiveObjects the raw archive's objects read
 * @param verdicts       one per bucket
 */
public record TopicArchiveComparison(TopicReader.Range range, long archiveObjects, List<RawBucketVerdict> verdicts) {

    /**
     * Runs the pass.
     *
     * @param archive  the raw archive of {@code topic}
     * @param from     first record time compared, empty for none
     * @param to       record time at which to stop (exclusive), empty for none
     * @param limit    offsets listed per kind and bucket
     * @param progress where the topic read prints its progress line, null for none
     */
    public static TopicArchiveComparison run(Map<String, Object> clientConfig, String topic, RawArchiveReader archive, Optional<Instant> from,
                                             Optional<Instant> to, int limit, PrintStream progress) {
        RawRecords topicRecords = new RawRecords(from, to);
        RawRecords archiveRecords = new RawRecords(from, to);
        CompletableFuture<Map<Integer, Long>> archiveRead = CompletableFuture.supplyAsync(() -> archive.read(topic, archiveRecords, null));
        TopicReader.Range range;
        try {
            range = TopicReader.read(clientConfig, topic, topicRecords, progress);
        } catch (RuntimeException e) {
            archiveRead.cancel(true);
            throw e;
        }
        Map<Integer, Long> completeBelow;
        try {
            completeBelow = archiveRead.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
        List<RawBucketVerdict> verdicts = RawReconciliation.compare(topicRecords.buckets(), archiveRecords.buckets(), range.start(),
                completeBelow, limit);
        return new TopicArchiveComparison(range, archive.lastReadObjects(), verdicts);
    }
}
