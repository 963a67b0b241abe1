package dev.onepipe.reconciliation;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What the raw archive holds of one partition, kept up to date from S3 at a bounded cost per refresh: one listing of
 * the partition's prefix, then a GET of at most {@code maxNew} objects not read before in their listed version. Only
 * each object's per-hour {@link Fingerprint}s and its completeness watermark are kept (a few dozen bytes per object, not
 * per record).
 *
 * <p>An object is known by its key <em>and</em> its listing's ETag and size, not by its key alone: the archive itself
 * uploads an idle-flushed chunk again under the same key with more records (archive-streams/README.md), and anyone can
 * overwrite an object. A key listed with another ETag or size than the one read is read again; an object gone from the
 * listing is forgotten. An object that cannot be read as a raw archive file (not Parquet, not the schema, a watermark
 * that is not a number) is kept as <em>unreadable</em> with its reason, in the same way, until its ETag or size changes;
 * the partition's other objects are still counted.
 */
final class ArchivePartitionIndex {

    private static final Logger LOG = LoggerFactory.getLogger(ArchivePartitionIndex.class);

    /** One listed object and its listing's entity tag (S3 {@code ETag}: changes whenever the object is written again). */
    record ListedObject(RawArchiveReader.ArchiveObject object, String eTag) {
    }

    /** Where the index lists and reads objects: S3 in the topology ({@link S3Source}), objects in memory in unit tests. */
    interface ArchiveSource {

        /** The partition's objects by start offset, keys that do not follow the archive's layout skipped (one listing). */
        List<ListedObject> list(String topic, int partition);

        /**
         * Reads one object's records into {@code records} (one GET).
         *
         * @return its completeness watermark, empty when it has none
         * @throws UncheckedIOException when it is not a readable raw archive file
         * @throws NoSuchKeyException when it was deleted since it was listed
         */
        OptionalLong fetch(RawArchiveReader.ArchiveObject object, RawRecords records);
    }

    /** The raw archive in S3: a listing of {@code <prefix>/<topic>/partition=<p>/} keeping each object's ETag. */
    record S3Source(S3Client s3, String bucket, RawArchiveReader reader) implements ArchiveSource {

        @Override
        public List<ListedObject> list(String topic, int partition) {
            String topicPrefix = reader.topicPrefix(topic);
            List<ListedObject> listed = new ArrayList<>();
            for (S3Object object : s3.listObjectsV2Paginator(request -> request.bucket(bucket).prefix(topicPrefix + "partition=" + partition + "/"))
                    .contents()) {
                RawArchiveReader.parse(topic, object.key().substring(topicPrefix.length()), object.key(), object.size())
                        .ifPresent(parsed -> listed.add(new ListedObject(parsed, object.eTag())));
            }
            listed.sort((left, right) -> Long.compare(left.object().startOffset(), right.object().startOffset()));
            return listed;
        }

        @Override
        public OptionalLong fetch(RawArchiveReader.ArchiveObject object, RawRecords records) {
            return reader.fetch(object, records);
        }
    }

    /**
     * One object as read: its records by record-time hour and its {@code onepipe-complete-below} watermark, or why it
     * could not be read ({@code unreadable} present, then no hours and no watermark).
     */
    record ObjectSummary(RawArchiveReader.ArchiveObject object, String eTag, Map<Long, Fingerprint> hours, OptionalLong completeBelow,
                         Optional<String> unreadable) {

        boolean sameVersionAs(ListedObject listed) {
            return Objects.equals(eTag, listed.eTag()) && object.size() == listed.object().size();
        }
    }

    private final String topic;
    private final int partition;
    private final Map<String, ObjectSummary> objects = new HashMap<>();

    ArchivePartitionIndex(String topic, int partition) {
        this.topic = topic;
        this.partition = partition;
    }

    /**
     * Lists the partition's objects and reads at most {@code maxNew} of those not read yet in their listed version (new
     * keys, and keys whose ETag or size changed), counting only their records at or above {@code fromOffset} (the first
     * offset the topology read from the topic: below it the archive is the only copy).
     *
     * @return true when every listed object has been read in its listed version (or found unreadable), so the index is
     *         the archive's whole content
     */
    boolean refresh(ArchiveSource archive, long fromOffset, int maxNew) {
        List<ListedObject> listed = archive.list(topic, partition);
        Map<String, ListedObject> byKey = new HashMap<>();
        listed.forEach(object -> byKey.put(object.object().key(), object));
        objects.values().removeIf(summary -> !byKey.containsKey(summary.object().key()) || !summary.sameVersionAs(byKey.get(summary.object().key())));
        int fetched = 0;
        for (ListedObject object : listed) {
            if (objects.containsKey(object.object().key())) {
                continue;
            }
            if (fetched == maxNew) {
                return false;
            }
            fetched++;
            ObjectSummary summary;
            try {
                summary = read(archive, object, fromOffset);
            } catch (NoSuchKeyException deletedSinceListed) {
                continue;
            }
            objects.put(object.object().key(), summary);
        }
        return true;
    }

    private static ObjectSummary read(ArchiveSource archive, ListedObject listed, long fromOffset) {
        RawArchiveReader.ArchiveObject object = listed.object();
        RawRecords records = new RawRecords();
        OptionalLong completeBelow;
        try {
            completeBelow = archive.fetch(object, records);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            String reason = reason(object.key(), e);
            LOG.warn("Raw archive object {} (ETag {}) is unreadable: {}", object.key(), listed.eTag(), reason);
            return new ObjectSummary(object, listed.eTag(), Map.of(), OptionalLong.empty(), Optional.of(reason));
        }
        Map<Long, Fingerprint> hours = new TreeMap<>();
        records.buckets().forEach((bucket, hashes) -> {
            Fingerprint print = hashes.range(fromOffset, Long.MAX_VALUE);
            if (!print.isEmpty()) {
                hours.put(bucket.hour(), print);
            }
        });
        return new ObjectSummary(object, listed.eTag(), hours, completeBelow, Optional.empty());
    }

    /**
     * Why an object could not be read: the innermost message that says it (the reader wraps "Object &lt;key&gt; is not a
     * raw archive Parquet file: ..." in "Cannot read the raw archive object s3://..."), without repeating the key.
     */
    static String reason(String key, Throwable error) {
        Throwable cause = error instanceof UncheckedIOException && error.getCause() != null ? error.getCause() : error;
        String message = Objects.requireNonNullElse(cause.getMessage(), cause.getClass().getName());
        for (String prefix : List.of("Object " + key + " is ", "Object " + key + " ")) {
            if (message.startsWith(prefix)) {
                return message.substring(prefix.length());
            }
        }
        return message;
    }

    /** The archive's completeness watermark of the partition: the highest of its readable objects', 0 when none has one. */
    long completeBelow() {
        return objects.values().stream().mapToLong(summary -> summary.completeBelow().orElse(0)).max().orElse(0);
    }

    /** Per record-time hour, the fingerprint of every record the readable objects hold. */
    Map<Long, Fingerprint> hours() {
        Map<Long, Fingerprint> hours = new TreeMap<>();
        for (ObjectSummary summary : objects.values()) {
            summary.hours().forEach((hour, print) -> hours.merge(hour, print, Fingerprint::combine));
        }
        return hours;
    }

    /**
     * Per record-time hour of its key, what to say of each unreadable object: {@code object <key> unreadable: <reason>},
     * several joined by "; " in key order.
     */
    Map<Long, String> unreadable() {
        Map<Long, List<ObjectSummary>> byHour = new TreeMap<>();
        objects.values().stream().filter(summary -> summary.unreadable().isPresent())
                .forEach(summary -> byHour.computeIfAbsent(summary.object().hour(), any -> new ArrayList<>()).add(summary));
        Map<Long, String> details = new TreeMap<>();
        byHour.forEach((hour, summaries) -> {
            summaries.sort((left, right) -> left.object().key().compareTo(right.object().key()));
            List<String> parts = new ArrayList<>();
            summaries.forEach(summary -> parts.add("object " + summary.object().key() + " unreadable: " + summary.unreadable().orElseThrow()));
            details.put(hour, String.join("; ", parts));
        });
        return details;
    }

    /** The readable objects holding records of {@code hour}. */
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
