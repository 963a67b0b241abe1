package dev.onepipe.archive.replay;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import dev.onepipe.archive.format.ArchiveLayout.ChunkObject;
import dev.onepipe.archive.format.ArchiveReader;
import dev.onepipe.archive.format.ArchivedRecord;
import dev.onepipe.core.cli.ProgressLine;
import dev.onepipe.metadata.PartitionLeaders;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces archived records back to Kafka: per partition in offset order, with their original keys,
 * values, headers and timestamps, to the same partition numbers.
 *
 * <p>The producer is transactional (one transaction per {@value #RECORDS_PER_TRANSACTION} records): a replay
 * that fails leaves only whole transactions, read_committed consumers never see a half-sent batch, and a
 * second replay into the same topic fences the first. Re-running is refused when a target partition already
 * holds committed records, unless forced (then the records are appended again).
 */
public final class ArchiveReplay {

    static final int RECORDS_PER_TRANSACTION = 10_000;
    /** Bytes a record batch of one record takes besides the key, value and headers (Kafka's v2 batch and record headers, rounded up). */
    static final long RECORD_OVERHEAD_BYTES = 100;
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(60);

    private final ArchiveReader reader;
    private final Admin admin;
    private final Map<String, Object> kafkaConfig;
    private final PrintStream out;

    /**
     * What to replay.
     *
     * @param topic       the archived topic
     * @param targetTopic where to produce
     * @param partitions  the partitions to replay, empty for all
     * @param from        the earliest record time to replay (inclusive), or {@link Instant#MIN}
     * @param to          the record time to stop at (exclusive), or {@link Instant#MAX}
     * @param force       replay even into partitions that already hold records
     */
    public record Request(String topic, String targetTopic, Set<Integer> partitions, Instant from, Instant to, boolean force) {
    }

    /** What a replay did: records per partition, bytes (keys, values and headers) and time taken. */
    public record Summary(Map<Integer, Long> recordsByPartition, long bytes, Duration duration, boolean createdTargetTopic) {

        public long records() {
            return recordsByPartition.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    public ArchiveReplay(ArchiveReader reader, Admin admin, Map<String, Object> kafkaConfig, PrintStream out) {
        this.reader = reader;
        this.admin = admin;
        this.kafkaConfig = kafkaConfig;
        this.out = out;
    }

    public Summary replay(Request request) throws InterruptedException {
        long started = System.nanoTime();
        Map<Integer, List<ChunkObject>> objects = reader.list(request.topic()).stream()
                .filter(object -> request.partitions().isEmpty() || request.partitions().contains(object.partition()))
                .filter(object -> overlaps(object, request.from(), request.to()))
                .collect(Collectors.groupingBy(ChunkObject::partition, TreeMap::new, Collectors.toList()));
        if (objects.isEmpty()) {
            throw new IllegalArgumentException("The archive holds nothing of topic '" + request.topic() + "' for the partitions and times asked for");
        }
        boolean created = ensureTargetTopic(request, objects.keySet());
        if (!request.force()) {
            refuseNonEmptyPartitions(request.targetTopic(), objects.keySet());
        }
        Map<Integer, Long> recordsByPartition = new TreeMap<>();
        long bytes = 0;
        long maxMessageBytes = maxMessageBytes(request.targetTopic());
        ProgressLine progress = new ProgressLine(out, "replaying " + request.topic() + " to " + request.targetTopic(), 0);
        long replayed = 0;
        Committed committed = new Committed();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = newProducer(request.targetTopic(), maxMessageBytes)) {
            producer.initTransactions();
            producer.beginTransaction();
            long inTransaction = 0;
            for (Map.Entry<Integer, List<ChunkObject>> partition : objects.entrySet()) {
                long partitionRecords = 0;
                try (ArchiveReader.PartitionRecords records = reader.records(partition.getValue(), false, (object, metadata) -> { })) {
                    while (records.hasNext()) {
                        ArchivedRecord record = records.next();
                        if (record.timestamp() < request.from().toEpochMilli() || record.timestamp() >= request.to().toEpochMilli()) {
                            continue;
                        }
                        long size = sizeOf(record) + RECORD_OVERHEAD_BYTES;
                        String where = "partition " + partition.getKey() + ", offset " + record.offset();
                        if (size > maxMessageBytes) {
                            producer.abortTransaction();
                            throw new IllegalStateException(failure(request, where + " (" + String.format(Locale.ROOT, "%,d", size)
                                    + " bytes) is larger than the max.message.bytes of '" + request.targetTopic() + "' ("
                                    + String.format(Locale.ROOT, "%,d", maxMessageBytes) + " bytes)", committed));
                        }
                        producer.send(toProducerRecord(request.targetTopic(), partition.getKey(), record), (metadata, exception) -> {
                            if (exception != null) {
                                firstFailure.compareAndSet(null, where + " (" + String.format(Locale.ROOT, "%,d", size) + " bytes): "
                                        + exception.getClass().getSimpleName() + ": " + exception.getMessage());
                            }
                        });
                        committed.sent(partition.getKey(), record.offset());
                        bytes += sizeOf(record);
                        partitionRecords++;
                        progress.update(++replayed);
                        if (++inTransaction == RECORDS_PER_TRANSACTION) {
                            commit(producer, request, committed, firstFailure);
                            producer.beginTransaction();
                            inTransaction = 0;
                        }
                    }
                }
                recordsByPartition.put(partition.getKey(), partitionRecords);
            }
            commit(producer, request, committed, firstFailure);
        }
        progress.finish(replayed);
        return new Summary(recordsByPartition, bytes, Duration.ofNanos(System.nanoTime() - started), created);
    }

    /** Commits the open transaction; a failure names the record that failed and what was committed before it. */
    private static void commit(KafkaProducer<byte[], byte[]> producer, Request request, Committed committed, AtomicReference<String> firstFailure) {
        try {
            producer.commitTransaction();
            committed.commit();
        } catch (KafkaException e) {
            String cause = firstFailure.get() != null ? firstFailure.get() : e.getClass().getSimpleName() + ": " + e.getMessage();
            throw new IllegalStateException(failure(request, "sending " + cause, committed), e);
        }
    }

    private static String failure(Request request, String what, Committed committed) {
        return "Replay of '" + request.topic() + "' to '" + request.targetTopic() + "' failed: " + what + ". " + committed.describe()
                + " The failed transaction was aborted: no record after those reached the target. To resume without duplicates,"
                + " fix the cause, then replay into the same topic with --force only the partitions not named above"
                + " (--partitions); the records after the offset named for a partly committed partition need a replay of that"
                + " partition into a new --target-topic.";
    }

    /** What a replay committed so far, per partition: records and the last archived offset. */
    private static final class Committed {

        private final Map<Integer, long[]> committed = new TreeMap<>();
        private final Map<Integer, long[]> pending = new TreeMap<>();

        void sent(int partition, long offset) {
            long[] counts = pending.computeIfAbsent(partition, ignored -> new long[2]);
            counts[0]++;
            counts[1] = offset;
        }

        void commit() {
            pending.forEach((partition, counts) -> {
                long[] total = committed.computeIfAbsent(partition, ignored -> new long[2]);
                total[0] += counts[0];
                total[1] = counts[1];
            });
            pending.clear();
        }

        String describe() {
            if (committed.isEmpty()) {
                return "Nothing was committed to the target.";
            }
            StringBuilder text = new StringBuilder("Committed to the target before the failure:");
            committed.forEach((partition, counts) -> text.append(String.format(Locale.ROOT, " partition %d: %,d records, up to archived offset %d;",
                    partition, counts[0], counts[1])));
            return text.toString();
        }
    }

    private static boolean overlaps(ChunkObject object, Instant from, Instant to) {
        long hourStart = object.hour() * 3_600_000L;
        return hourStart + 3_600_000L > from.toEpochMilli() && hourStart < to.toEpochMilli();
    }

    private static ProducerRecord<byte[], byte[]> toProducerRecord(String topic, int partition, ArchivedRecord record) {
        ProducerRecord<byte[], byte[]> producerRecord = new ProducerRecord<>(topic, partition, record.timestamp(), record.key(), record.value());
        record.headers().forEach(header -> producerRecord.headers().add(new RecordHeader(header.key(), header.value())));
        return producerRecord;
    }

    private static long sizeOf(ArchivedRecord record) {
        long size = (record.key() == null ? 0 : record.key().length) + (record.value() == null ? 0 : record.value().length);
        for (ArchivedRecord.Header header : record.headers()) {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    /**
     * The target topic's {@code max.message.bytes}: a larger record would fail the whole transaction, so it is refused
     * by name first.
     */
    private long maxMessageBytes(String topic) throws InterruptedException {
        try {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            ConfigEntry entry = admin.describeConfigs(Set.of(resource)).all().get(CHECK_TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(resource)
                    .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            return entry == null || entry.value() == null ? Long.MAX_VALUE : Long.parseLong(entry.value());
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot read the configuration of topic '" + topic + "': "
                    + (e.getCause() != null ? e.getCause() : e), e);
        }
    }

    private KafkaProducer<byte[], byte[]> newProducer(String targetTopic, long maxMessageBytes) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        // the producer's own limit (1 MiB by default) must not refuse what the topic accepts
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) Math.min(Integer.MAX_VALUE - 1, Math.max(1_048_576L, maxMessageBytes + RECORD_OVERHEAD_BYTES)));
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "onepipe-replay-" + targetTopic);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Creates the target topic if it does not exist, with as many partitions as the source topic (or the archive). */
    private boolean ensureTargetTopic(Request request, Set<Integer> partitions) throws InterruptedException {
        try {
            Set<String> topics = admin.listTopics().names().get(CHECK_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            int needed = partitions.stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
            if (topics.contains(request.targetTopic())) {
                int existing = admin.describeTopics(Set.of(request.targetTopic())).allTopicNames().get(CHECK_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                        .get(request.targetTopic()).partitions().size();
                if (existing < needed) {
                    throw new IllegalArgumentException("Topic '" + request.targetTopic() + "' has " + existing + " partitions; replaying partition "
                            + (needed - 1) + " needs at least " + needed);
                }
                return false;
            }
            int count = topics.contains(request.topic())
                    ? Math.max(needed, admin.describeTopics(Set.of(request.topic())).allTopicNames().get(CHECK_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                            .get(request.topic()).partitions().size())
                    : needed;
            Map<String, String> configs = new HashMap<>();
            if (topics.contains(request.topic())) {
                // records the source accepted must fit the target
                configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(maxMessageBytes(request.topic())));
            }
            admin.createTopics(Set.of(new NewTopic(request.targetTopic(), Optional.of(count), Optional.empty()).configs(configs)))
                    .all().get(CHECK_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            PartitionLeaders.await(admin, List.of(request.targetTopic()));
            out.printf("  created topic %s with %d partitions%s%n", request.targetTopic(), count,
                    configs.isEmpty() ? "" : " and max.message.bytes " + configs.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG) + " as the source");
            return true;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot prepare topic '" + request.targetTopic() + "': " + e.getMessage(), e);
        }
    }

    /** Re-running a replay would duplicate records: refuse unless forced. Aborted records and markers do not count. */
    private void refuseNonEmptyPartitions(String targetTopic, Set<Integer> partitions) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<Integer> nonEmpty = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (int partition : partitions) {
                TopicPartition topicPartition = new TopicPartition(targetTopic, partition);
                consumer.assign(List.of(topicPartition));
                consumer.seekToBeginning(List.of(topicPartition));
                long end = consumer.endOffsets(List.of(topicPartition)).get(topicPartition);
                long deadline = System.nanoTime() + CHECK_TIMEOUT.toNanos();
                while (consumer.position(topicPartition) < end && System.nanoTime() < deadline) {
                    if (!consumer.poll(Duration.ofMillis(200)).isEmpty()) {
                        nonEmpty.add(partition);
                        break;
                    }
                }
            }
        }
        if (!nonEmpty.isEmpty()) {
            throw new IllegalArgumentException("Topic '" + targetTopic + "' already holds records in partitions " + nonEmpty
                    + ": replaying again would append them twice. Replay into a new topic, or pass --force to append anyway.");
        }
    }
}
