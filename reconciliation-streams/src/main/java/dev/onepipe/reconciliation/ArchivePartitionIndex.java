package dev.onepipe.reconciliation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * What the raw archive holds of one partition, kept up to date from S3 at a bounded cost per refresh: one listing of
 * the partition's prefix, then a GET of at most {@code maxNew} objects not seen before. Archive objects are immutable
 * (each named by its first offset, archive-streams/README.md "What lands in S3"), so an object is read once and only
 * its per-hour {@link Fingerprint}s and its completeness watermark are kept (a few dozen bytes per object, not per
 * record); an object gone from the listing is forgotten.
 */
final class ArchivePartitionIndex {

    /** One object's records, by record-time hour, and its {@code onepipe-complete-below} watermark. */
    record ObjectSummary(RawArchiveReader.ArchiveObject object, Map<Long, Fingerprint> hours, OptionalLong completeBelow) {
    }

    private final String topic;
    private final int partition;
    private final Map<String, ObjectSummary> objects = new HashMap<>();

    ArchivePartitionIndex(String topic, int partition) {
        this.topic = topic;
        this.partition = partition;
    }

    /**
     * Lists the partition's objects and reads at most {@code maxNew} of those not read yet, counting only their records
     * at or above {@code fromOffset} (the first offset the topology read from the topic: below it the archive is the
     * only copy).
     *
     * @return true when every listed object has been read, so the index is the archive's whole content
     */
    boolean refresh(RawArchiveReader archive, long fromOffset, int maxNew) {
        List<RawArchiveReader.ArchiveObject> listed = archive.list(topic, partition);
        Set<String> keys = new HashSet<>();
        listed.forEach(object -> keys.add(object.key()));
        objects.keySet().retainAll(keys);
        int fetched = 0;
        boolean complete = true;
        for (RawArchiveReader.ArchiveObject object : listed) {
            if (objects.containsKey(object.key())) {
                continue;
            }
            if (fetched == maxNew) {
                complete = false;
                break;
            }
            RawRecords records = new RawRecords();
            OptionalLong completeBelow;
            try {
                completeBelow = archive.fetch(object, records);
            } catch (NoSuchKeyException deletedSinceListed) {
                continue;
            }
            fetched++;
            Map<Long, Fingerprint> hours = new TreeMap<>();
            records.buckets().forEach((bucket, hashes) -> {
                Fingerprint print = hashes.range(fromOffset, Long.MAX_VALUE);
                if (!print.isEmpty()) {
                    hours.put(bucket.hour(), print);
                }
            });
            objects.put(object.key(), new ObjectSummary(object, hours, completeBelow));
        }
        return complete;
    }

    /** The archive's completeness watermark of the partition: the highest of its objects', 0 when none has one. */
    long completeBelow() {
        return objects.values().stream().mapToLong(summary -> summary.completeBelow().orElse(0)).max().orElse(0);
    }

    /** Per record-time hour, the fingerprint of every record the read objects hold. */
    Map<Long, Fingerprint> hours() {
        Map<Long, Fingerprint> hours = new TreeMap<>();
        for (ObjectSummary summary : objects.values()) {
            summary.hours().forEach((hour, print) -> hours.merge(hour, print, Fingerprint::combine));
        }
        return hours;
    }

    /** The objects holding records of {@code hour}. */
    List<RawArchiveReader.ArchiveObject> objectsOf(long hour) {
        List<RawArchiveReader.ArchiveObject> holding = new ArrayList<>();
        for (ObjectSummary summary : objects.values()) {
            if (summary.hours().containsKey(hour)) {
                holding.add(summary.object());
            }
        }
        return holding;
    }
}
