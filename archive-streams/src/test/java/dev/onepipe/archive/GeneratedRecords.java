package dev.onepipe.archive;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import dev.onepipe.archive.format.ArchivedRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Seeded test traffic for archive tests: byte keys and values of varying sizes (including null keys, null and
 * empty values), repeated header keys and null header values, record times spread over several hours with
 * some late records, produced in transactions (a few aborted) so the topic has transaction markers and
 * aborted records between its committed records, as exactly-once producers leave them.
 *
 * @param recordsPerPartition committed records per partition
 * @param start               record time of the first record
 * @param span                record time moves evenly from {@code start} across this span
 * @param lateFraction        share of records stamped up to {@code lateBy} before the current record time
 * @param lateBy              how late a late record can be
 * @param valueBytes          largest value size
 * @param seed                the random seed
 */
record GeneratedRecords(int recordsPerPartition, Instant start, Duration span, double lateFraction, Duration lateBy,
                        int valueBytes, long seed) {

    static final Instant SOME_DAY = Instant.parse("2026-11-01T05:00:00Z");
    private static final int RECORDS_PER_TRANSACTION = 500;
    private static final String[] HEADER_KEYS = {"trace-id", "source", "schema", "trace-id"};

    /** Produces to every partition of {@code topic}, one transaction per batch; every 20th batch is aborted. */
    void produce(String bootstrapServers, String topic, int partitions) {
        produceSlowly(bootstrapServers, topic, partitions, Duration.ZERO);
    }

    /** As {@link #produce}, spread evenly over about {@code duration}. */
    void produceSlowly(String bootstrapServers, String topic, int partitions, Duration duration) {
        long started = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "generated-" + topic,
                ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            int batch = 0;
            for (int first = 0; first < recordsPerPartition; first += RECORDS_PER_TRANSACTION) {
                int last = Math.min(recordsPerPartition, first + RECORDS_PER_TRANSACTION);
                if (++batch % 20 == 0) {
                    producer.beginTransaction();
                    for (int partition = 0; partition < partitions; partition++) {
                        producer.send(new ProducerRecord<>(topic, partition, timestamp(first, random), bytes(random, 8), bytes(random, 16)));
                    }
                    producer.flush();
                    producer.abortTransaction();
                }
                producer.beginTransaction();
                for (int index = first; index < last; index++) {
                    for (int partition = 0; partition < partitions; partition++) {
                        producer.send(record(topic, partition, index, random));
                    }
                }
                producer.commitTransaction();
                pace(started, duration, last);
            }
        }
    }

    private void pace(long started, Duration duration, int produced) {
        long due = started + duration.toNanos() * produced / recordsPerPartition;
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while producing", e);
            }
        }
    }

    private ProducerRecord<byte[], byte[]> record(String topic, int partition, int index, SplittableRandom random) {
        byte[] key = random.nextInt(5) == 0 ? null : bytes(random, 1 + random.nextInt(32));
        int valueKind = random.nextInt(50);
        byte[] value = valueKind == 0 ? null : valueKind == 1 ? new byte[0] : bytes(random, 1 + random.nextInt(valueBytes));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, timestamp(index, random), key, value);
        int headers = random.nextInt(4);
        for (int header = 0; header < headers; header++) {
            byte[] headerValue = random.nextInt(6) == 0 ? null : ("value-" + random.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
            record.headers().add(new RecordHeader(HEADER_KEYS[random.nextInt(HEADER_KEYS.length)], headerValue));
        }
        return record;
    }

    private long timestamp(int index, SplittableRandom random) {
        long onTime = start.toEpochMilli() + span.toMillis() * index / recordsPerPartition;
        return random.nextDouble() < lateFraction ? onTime - 1 - random.nextLong(lateBy.toMillis()) : onTime;
    }

    private static byte[] bytes(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        for (int index = 0; index < length; index++) {
            bytes[index] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    /** Every committed record of {@code topic}, per partition, read back with a plain read_committed consumer. */
    static Map<Integer, List<ArchivedRecord>> readTopic(String bootstrapServers, String topic, int partitions) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        Map<Integer, List<ArchivedRecord>> records = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> topicPartitions = new ArrayList<>();
            for (int partition = 0; partition < partitions; partition++) {
                topicPartitions.add(new TopicPartition(topic, partition));
                records.put(partition, new ArrayList<>());
            }
            consumer.assign(topicPartitions);
            consumer.seekToBeginning(topicPartitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(topicPartitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (topicPartitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read " + topic + " to its end within 2 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    List<ArchivedRecord> partitionRecords = records.get(record.partition());
                    long previous = partitionRecords.isEmpty() ? ArchivedRecord.NO_PREVIOUS_OFFSET
                            : partitionRecords.get(partitionRecords.size() - 1).offset();
                    List<ArchivedRecord.Header> headers = new ArrayList<>();
                    record.headers().forEach(header -> headers.add(new ArchivedRecord.Header(header.key(), header.value())));
                    partitionRecords.add(new ArchivedRecord(record.offset(), previous, record.timestamp(), record.key(), record.value(), headers));
                }
            }
        }
        return records;
    }
}
