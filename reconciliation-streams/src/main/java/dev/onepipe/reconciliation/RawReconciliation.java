package dev.onepipe.reconciliation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares a topic's raw records with its raw archive's, bucket by bucket, and narrows every bucket that differs to
 * its offsets ({@link OffsetBisection}). Pure: no I/O.
 *
 * <p>Per partition only the offsets both systems can be asked about are compared: from the topic's earliest retained
 * offset (older records may be in the archive only, the topic having deleted them) up. Below the archive's
 * completeness watermark ({@code onepipe-complete-below}) every difference counts; at or above it, records the topic
 * holds and the archive lacks are still in the archive's buffer and count as NOT YET ARCHIVED, while extra or
 * different records there are still differences.
 */
public final class RawReconciliation {

    private RawReconciliation() {
    }

    /**
     * @param topic           the topic's records
     * @param archive         the archive's records
     * @param retainedFrom    per partition, the topic's earliest retained offset
     * @param completeBelow   per partition, the archive's completeness watermark (a partition absent: 0, nothing complete)
     * @param limit           offsets listed per kind and bucket, the rest counted
     * @return one verdict per bucket either system holds, in (partition, hour) order
     */
    public static List<RawBucketVerdict> compare(Map<RawBucket, OffsetHashes> topic, Map<RawBucket, OffsetHashes> archive,
                                                 Map<Integer, Long> retainedFrom, Map<Integer, Long> completeBelow, int limit) {
        return compare(topic, archive, retainedFrom, Map.of(), completeBelow, limit);
    }

    /**
     * As {@link #compare(Map, Map, Map, Map, int)}, up to the topic's end offsets as read: archive records at or above
     * a partition's end (archived after the topic was read; an object the archive re-uploads under the same key while
     * the pass lists it holds such records too) are not compared.
     *
     * @param readTo per partition, the topic's end offset when it was read (a partition absent: no bound)
     */
    public static List<RawBucketVerdict> compare(Map<RawBucket, OffsetHashes> topic, Map<RawBucket, OffsetHashes> archive,
                                                 Map<Integer, Long> retainedFrom, Map<Integer, Long> readTo, Map<Integer, Long> completeBelow,
                                                 int limit) {
        return compare(topic, archive, retainedFrom, readTo, completeBelow, limit, false);
    }

    /**
     * As {@link #compare(Map, Map, Map, Map, Map, int)}; with {@code compacted} (the topic's {@code cleanup.policy}
     * includes {@code compact}), offsets only the archive holds count as removed by compaction, not extra
     * ({@link OffsetBisection#compare(OffsetHashes, OffsetHashes, long, long, int, boolean)}).
     */
    public static List<RawBucketVerdict> compare(Map<RawBucket, OffsetHashes> topic, Map<RawBucket, OffsetHashes> archive,
                                                 Map<Integer, Long> retainedFrom, Map<Integer, Long> readTo, Map<Integer, Long> completeBelow,
                                                 int limit, boolean compacted) {
        TreeSet<RawBucket> buckets = new TreeSet<>(topic.keySet());
        buckets.addAll(archive.keySet());
        OffsetHashes none = new OffsetHashes().seal();
        List<RawBucketVerdict> verdicts = new ArrayList<>();
        for (RawBucket bucket : buckets) {
            OffsetHashes topicRecords = topic.getOrDefault(bucket, none);
            OffsetHashes archiveRecords = archive.getOrDefault(bucket, none);
            long from = retainedFrom.getOrDefault(bucket.partition(), 0L);
            long end = readTo.getOrDefault(bucket.partition(), Long.MAX_VALUE);
            long last = end == Long.MAX_VALUE ? end : end - 1;
            long watermark = Math.min(end, Math.max(from, completeBelow.getOrDefault(bucket.partition(), 0L)));
            Fingerprint topicPrint = topicRecords.range(from, last);
            Fingerprint archivePrint = archiveRecords.range(from, last);
            if (topicPrint.isEmpty() && archivePrint.isEmpty()) {
                continue;
            }
            OffsetBisection.Differences below = OffsetBisection.compare(topicRecords, archiveRecords, from, watermark - 1, limit, compacted);
            OffsetBisection.Differences above = OffsetBisection.compare(topicRecords, archiveRecords, watermark, last, limit, compacted);
            OffsetBisection.Differences differences = OffsetBisection.Differences.merge(below, above, limit);
            long pending = above.missing().records();
            verdicts.add(new RawBucketVerdict(bucket, status(differences, pending, topicPrint, archivePrint), topicPrint, archivePrint,
                    differences, pending));
        }
        return verdicts;
    }

    private static BucketStatus status(OffsetBisection.Differences differences, long pending, Fingerprint topic, Fingerprint archive) {
        boolean missing = !differences.missing().isEmpty();
        boolean extra = !differences.extra().isEmpty();
        boolean different = !differences.different().isEmpty();
        if (!missing && !extra && !different) {
            return pending > 0 ? BucketStatus.NOT_YET_ARCHIVED : BucketStatus.OK;
        }
        if (different || (missing && extra)) {
            return BucketStatus.DIFFERENT;
        }
        return missing ? BucketStatus.MISSING : BucketStatus.EXTRA;
    }
}
