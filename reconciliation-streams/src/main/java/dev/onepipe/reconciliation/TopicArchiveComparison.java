package dev.onepipe.reconciliation;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * One pass of topic ↔ raw archive: the topic and the archive are each read once, at the same time (the archive on a
 * second thread), then compared bucket by bucket ({@link RawReconciliation}).
 *
 * @param range          the topic's retained offsets per partition, as read
 * @param archiveObjects the raw archive's objects read
 * @param verdicts       one per bucket
 * @param topicNanos     wall-clock time from the start of the pass until the topic was read, ns
 * @param archiveNanos   wall-clock time from the start of the pass until the archive was read, ns
 */
public record TopicArchiveComparison(TopicReader.Range range, long archiveObjects, List<RawBucketVerdict> verdicts, long topicNanos,
                                     long archiveNanos) {

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
        long start = System.nanoTime();
        // the topic's cleanup.policy is asked while both systems are read: an admin client's round trips off the critical path
        CompletableFuture<Boolean> compactedTopic = CompletableFuture.supplyAsync(() -> compacted(clientConfig, topic));
        RawRecords topicRecords = new RawRecords(from, to);
        RawRecords archiveRecords = new RawRecords(from, to);
        long[] archiveDone = new long[1];
        CompletableFuture<Map<Integer, Long>> archiveRead = CompletableFuture.supplyAsync(() -> {
            Map<Integer, Long> read = archive.read(topic, archiveRecords, null);
            archiveDone[0] = System.nanoTime();
            return read;
        });
        TopicReader.Range range;
        try {
            range = TopicReader.read(clientConfig, topic, topicRecords, progress);
        } catch (RuntimeException e) {
            archiveRead.cancel(true);
            compactedTopic.cancel(true);
            throw e;
        }
        long topicDone = System.nanoTime();
        Map<Integer, Long> completeBelow;
        try {
            completeBelow = archiveRead.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
        boolean compacted;
        try {
            compacted = compactedTopic.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
        List<RawBucketVerdict> verdicts = RawReconciliation.compare(topicRecords.buckets(), archiveRecords.buckets(), range.start(), range.end(),
                completeBelow, limit, compacted);
        return new TopicArchiveComparison(range, archive.lastReadObjects(), verdicts, topicDone - start, archiveDone[0] - start);
    }

    /** Whether the topic's {@code cleanup.policy} includes {@code compact} (one DescribeConfigs request). */
    static boolean compacted(Map<String, Object> clientConfig, String topic) {
        try (Admin admin = Admin.create(clientConfig)) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            ConfigEntry policy = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG);
            return policy != null && policy.value() != null && policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading the cleanup.policy of " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot read the cleanup.policy of topic " + topic + ": " + e.getMessage(), e);
        }
    }
}
