package dev.onepipe.archive.verify;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import dev.onepipe.archive.format.ArchiveLayout.ChunkObject;
import dev.onepipe.archive.verify.VerificationReport.OffsetRange;
import dev.onepipe.archive.verify.VerificationReport.PartitionReport;
import dev.onepipe.archive.format.ArchiveLayout;
import dev.onepipe.archive.format.ArchiveReader;
import dev.onepipe.archive.format.ArchivedRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Checks that an archive holds every record of its topic exactly once.
 *
 * <p>Offsets on a topic are not contiguous: transaction markers (and aborted records) take offsets that hold
 * no record. So every archived record carries the offset of the record before it on its partition, and the
 * archive is checked as a chain: a record whose previous offset is not the offset of the record archived just
 * before it marks a gap; an offset found twice is a duplicate. Below the archive's own "complete below"
 * watermark (each object's S3 metadata says every record below it was in S3 once the object was) any break
 * is a gap. Above it, up to the committed offset, records may still sit in the archive's buffer: those are
 * read from the topic (read_committed) and each one missing from S3 is counted as pending. The topic is also
 * read before the first archived record, if the archive began after the earliest retained offset. On a compacted
 * topic, every offset below the committed offset that is in neither S3 nor the topic is a gap too: the cleaner removed
 * it before it was archived ({@link #lostOffsets}).
 */
public final class ArchiveVerifier {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final ArchiveReader reader;
    private final Admin admin;
    private final Map<String, Object> consumerConfig;

    /**
     * @param reader         the archive
     * @param admin          for offsets and the consumer group
     * @param consumerConfig the bootstrap servers (and security settings) for reading the topic
     */
    public ArchiveVerifier(ArchiveReader reader, Admin admin, Map<String, Object> consumerConfig) {
        this.reader = reader;
        this.admin = admin;
        this.consumerConfig = consumerConfig;
    }

    public VerificationReport verify(String topic, String location, String consumerGroup) {
        try {
            Map<Integer, List<ChunkObject>> objects = reader.list(topic).stream().collect(Collectors.groupingBy(ChunkObject::partition));
            Set<Integer> partitions = new TreeSet<>(objects.keySet());
            if (admin.listTopics().names().get(60, TimeUnit.SECONDS).contains(topic)) {
                admin.describeTopics(Set.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS).get(topic).partitions()
                        .forEach(info -> partitions.add(info.partition()));
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(consumerGroup)
                    .partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> earliestSpec = partitions.stream()
                    .collect(Collectors.toMap(partition -> new TopicPartition(topic, partition), partition -> OffsetSpec.earliest()));
            Map<TopicPartition, Long> earliest = new HashMap<>();
            if (!earliestSpec.isEmpty() && admin.listTopics().names().get(60, TimeUnit.SECONDS).contains(topic)) {
                admin.listOffsets(earliestSpec).all().get(60, TimeUnit.SECONDS).forEach((partition, info) -> earliest.put(partition, info.offset()));
            }
            boolean compacted = isCompacted(topic);
            List<PartitionReport> reports = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer = newConsumer()) {
                for (int partition : partitions) {
                    TopicPartition topicPartition = new TopicPartition(topic, partition);
                    OffsetAndMetadata offset = committed.get(topicPartition);
                    reports.add(verifyPartition(consumer, topicPartition, objects.getOrDefault(partition, List.of()),
                            earliest.getOrDefault(topicPartition, 0L),
                            offset == null ? OptionalLong.empty() : OptionalLong.of(offset.offset()), compacted));
                }
            }
            return new VerificationReport(topic, location, consumerGroup, reports);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot read offsets of " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while verifying " + topic, e);
        }
    }

    private KafkaConsumer<byte[], byte[]> newConsumer() {
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** A chain break: the record at {@code next} says the record before it is {@code missing}, but {@code after} came before it. */
    private record Break(long after, long missing, long next) {
    }

    /** Whether the topic exists and its cleanup policy includes compaction (its cleaner may remove records below its end). */
    private boolean isCompacted(String topic) throws ExecutionException, TimeoutException, InterruptedException {
        if (!admin.listTopics().names().get(60, TimeUnit.SECONDS).contains(topic)) {
            return false;
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        ConfigEntry policy = admin.describeConfigs(Set.of(resource)).all().get(60, TimeUnit.SECONDS).get(resource)
                .get(TopicConfig.CLEANUP_POLICY_CONFIG);
        return policy != null && policy.value() != null && policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT);
    }

    private PartitionReport verifyPartition(KafkaConsumer<byte[], byte[]> consumer, TopicPartition topicPartition, List<ChunkObject> objects,
                                            long earliestRetained, OptionalLong committed, boolean compacted) {
        Set<Long> archivedOffsets = new HashSet<>();
        TreeMap<Long, Long> knownEmpty = new TreeMap<>();
        long[] completeBelow = {0};
        List<OffsetRange> covered = new ArrayList<>();
        List<Break> breaks = new ArrayList<>();
        List<Long> duplicates = new ArrayList<>();
        Deque<Long> archivedAboveWatermark = new ArrayDeque<>();
        long records = 0;
        long first = -1;
        long firstPrevious = ArchivedRecord.NO_PREVIOUS_OFFSET;
        long rangeStart = -1;
        long rangeRecords = 0;
        long previous = -1;
        try (ArchiveReader.PartitionRecords merged = reader.records(objects, true, (object, metadata) -> {
            String below = metadata.get(ArchiveLayout.COMPLETE_BELOW_METADATA);
            if (below != null) {
                completeBelow[0] = Math.max(completeBelow[0], Long.parseLong(below));
            }
        })) {
            while (merged.hasNext()) {
                ArchivedRecord record = merged.next();
                records++;
                if (first < 0) {
                    first = record.offset();
                    firstPrevious = record.previousOffset();
                    rangeStart = record.offset();
                } else if (record.offset() <= previous) {
                    // Seen already (or misplaced in an object named after a later start offset): archived twice.
                    duplicates.add(record.offset());
                    continue;
                } else if (record.previousOffset() != previous) {
                    breaks.add(new Break(previous, record.previousOffset(), record.offset()));
                    covered.add(new OffsetRange(rangeStart, previous, rangeRecords));
                    rangeStart = record.offset();
                    rangeRecords = 0;
                }
                rangeRecords++;
                previous = record.offset();
                if (compacted) {
                    archivedOffsets.add(record.offset());
                    if (record.previousOffset() != ArchivedRecord.NO_PREVIOUS_OFFSET && record.previousOffset() + 1 < record.offset()) {
                        // the archive saw no record between these two: transaction markers or aborted records
                        knownEmpty.put(record.previousOffset() + 1, record.offset() - 1);
                    }
                }
                archivedAboveWatermark.add(record.offset());
                while (!archivedAboveWatermark.isEmpty() && archivedAboveWatermark.peekFirst() < completeBelow[0]) {
                    archivedAboveWatermark.removeFirst();
                }
            }
        }
        if (first >= 0) {
            covered.add(new OffsetRange(rangeStart, previous, rangeRecords));
        }
        long watermark = completeBelow[0];
        List<String> gaps = new ArrayList<>();
        if (first >= 0 && firstPrevious != ArchivedRecord.NO_PREVIOUS_OFFSET) {
            gaps.add("the record at " + firstPrevious + " (before the first archived record, " + first + ") is missing");
        }
        if (first > earliestRetained || (first < 0 && watermark > earliestRetained)) {
            List<Long> unarchived = recordOffsets(consumer, topicPartition, earliestRetained, first < 0 ? watermark : first);
            if (!unarchived.isEmpty()) {
                gaps.add(unarchived.size() + " records from " + unarchived.get(0) + " to " + unarchived.get(unarchived.size() - 1)
                        + " (before the first archived record) are missing");
            }
        }
        for (Break chainBreak : breaks) {
            if (chainBreak.missing() < watermark) {
                gaps.add("records after " + chainBreak.after() + " up to " + chainBreak.missing() + " (before " + chainBreak.next() + ") are missing");
            }
        }
        if (compacted && committed.isPresent()) {
            gaps.addAll(lostOffsets(consumer, topicPartition, earliestRetained, committed.getAsLong(), archivedOffsets, knownEmpty));
        }
        long pending = 0;
        if (committed.isPresent() && committed.getAsLong() > watermark) {
            Set<Long> archived = new HashSet<>(archivedAboveWatermark);
            for (long offset : recordOffsets(consumer, topicPartition, Math.max(watermark, earliestRetained), committed.getAsLong())) {
                if (!archived.contains(offset)) {
                    pending++;
                }
            }
        }
        return new PartitionReport(topicPartition.partition(), objects.size(), records, covered, gaps, duplicates, earliestRetained,
                committed, watermark, pending);
    }

    /**
     * The offsets below the committed offset of a compacted topic that are in neither S3 nor the topic: records the
     * cleaner removed before the archive put them in S3, e.g. records of a chunk that was open when the archive crashed.
     * Offsets between two archived records that the archive itself saw as empty (transaction markers, aborted records)
     * are not counted, nor a single offset just below the committed offset right after a known record, which is where a
     * transaction's commit marker sits.
     */
    private static List<String> lostOffsets(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long earliestRetained, long committed,
                                            Set<Long> archivedOffsets, TreeMap<Long, Long> knownEmpty) {
        Set<Long> inTopic = new HashSet<>(recordOffsets(consumer, partition, earliestRetained, committed));
        List<long[]> runs = new ArrayList<>();
        long runStart = -1;
        for (long offset = earliestRetained; offset <= committed; offset++) {
            Map.Entry<Long, Long> empty = knownEmpty.floorEntry(offset);
            boolean missing = offset < committed && !archivedOffsets.contains(offset) && !inTopic.contains(offset)
                    && !(empty != null && offset <= empty.getValue());
            if (missing && runStart < 0) {
                runStart = offset;
            } else if (!missing && runStart >= 0) {
                runs.add(new long[] {runStart, offset - 1});
                runStart = -1;
            }
        }
        if (!runs.isEmpty()) {
            long[] last = runs.get(runs.size() - 1);
            if (last[0] == last[1] && last[1] == committed - 1 && last[0] > earliestRetained) {
                runs.remove(runs.size() - 1);
            }
        }
        List<String> lost = new ArrayList<>();
        for (long[] run : runs) {
            lost.add("offsets " + run[0] + " to " + run[1] + " are in neither S3 nor the topic (removed by compaction before they were archived)");
        }
        return lost;
    }

    /** The offsets of the committed records in {@code [from, to)} of a partition. */
    private static List<Long> recordOffsets(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long from, long to) {
        List<Long> offsets = new ArrayList<>();
        if (from >= to) {
            return offsets;
        }
        consumer.assign(List.of(partition));
        consumer.seek(partition, from);
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (consumer.position(partition) < to) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Could not read " + partition + " up to offset " + to + " within " + READ_TIMEOUT.toSeconds() + " s");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                if (record.offset() < to) {
                    offsets.add(record.offset());
                }
            }
        }
        return offsets;
    }
}
