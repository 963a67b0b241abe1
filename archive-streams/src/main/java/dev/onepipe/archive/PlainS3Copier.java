package dev.onepipe.archive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.onepipe.archive.format.ArchiveLayout;
import dev.onepipe.archive.format.ArchivedRecord;
import dev.onepipe.archive.format.ParquetChunkFormat;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The reference line of {@code onepipe bench archive}: what a team writes instead of the archive, and what Secor and
 * the S3 sink connectors do. One {@link KafkaConsumer} per partition set (partition {@code p} goes to consumer
 * {@code p % consumers}, assigned, no group rebalancing), each buffering its partitions' records and writing a buffer as
 * one Parquet chunk to S3 with a multipart upload (the archive's own {@link ParquetChunkFormat} and
 * {@link ChunkUploader}, so the bytes are the same kind), then committing that partition's offsets: at-least-once, no
 * Kafka Streams, no transactions, no state store.
 *
 * <p>A partition's buffer is written when it holds {@code maxRecords} records or {@code maxBytes} bytes of keys and
 * values (the archive's chunk limits), or when its consumer has received nothing for {@code idleFlushMillis} (the
 * archive's idle flush). Objects go under {@code <prefix>/<topic>/...} in the archive's layout, with the archive's
 * record-count metadata, so the same check counts both.
 */
final class PlainS3Copier implements AutoCloseable {

    private final Map<String, ?> clientConfig;
    private final S3Client s3;
    private final String bucket;
    private final ArchiveLayout layout;
    private final String topic;
    private final int partitions;
    private final int consumers;
    private final long maxRecords;
    private final long maxBytes;
    private final long idleFlushMillis;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong uploadedRecords = new AtomicLong();
    private final AtomicLong uploadedObjects = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param clientConfig    Kafka client settings (bootstrap servers, security)
     * @param prefix          the S3 key prefix of its objects
     * @param consumers       how many consumers (threads) share the partitions; at most {@code partitions} are used
     * @param maxRecords      records per chunk
     * @param maxBytes        key and value bytes per chunk
     * @param idleFlushMillis how long a consumer waits for records before writing what it holds
     */
    PlainS3Copier(Map<String, ?> clientConfig, S3Client s3, String bucket, String prefix, String topic, int partitions, int consumers,
                  long maxRecords, long maxBytes, long idleFlushMillis) {
        this.clientConfig = Map.copyOf(clientConfig);
        this.s3 = s3;
        this.bucket = bucket;
        this.layout = new ArchiveLayout(prefix);
        this.topic = topic;
        this.partitions = partitions;
        this.consumers = Math.max(1, Math.min(consumers, partitions));
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        this.idleFlushMillis = idleFlushMillis;
    }

    /** Starts the consumers; they read from the group's committed offsets, or the start of each partition. */
    void start(String groupId) {
        ChunkUploader uploader = new ChunkUploader(s3, bucket, new S3Availability(bucket), Duration.ofMinutes(5));
        for (int index = 0; index < consumers; index++) {
            List<TopicPartition> assigned = new ArrayList<>();
            for (int partition = index; partition < partitions; partition += consumers) {
                assigned.add(new TopicPartition(topic, partition));
            }
            Thread thread = new Thread(() -> copy(groupId, assigned, uploader), "plain-s3-copier-" + index);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /**
     * Waits until the copier has put {@code records} records in S3.
     *
     * @throws IllegalStateException if a consumer failed, or after {@code timeout}
     */
    void awaitUploaded(long records, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (uploadedRecords.get() < records) {
            if (failure.get() != null) {
                throw new IllegalStateException("The plain S3 copier failed: " + failure.get(), failure.get());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The plain S3 copier put " + uploadedRecords.get() + " of " + records + " records in S3 within "
                        + timeout.toMinutes() + " minutes");
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    long uploadedObjects() {
        return uploadedObjects.get();
    }

    String topicPrefix() {
        return layout.topicPrefix(topic);
    }

    private void copy(String groupId, List<TopicPartition> assigned, ChunkUploader uploader) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        Map<TopicPartition, Buffer> buffers = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(assigned);
            long lastReceived = System.nanoTime();
            while (running.get()) {
                var records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty()) {
                    lastReceived = System.nanoTime();
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    Buffer buffer = buffers.computeIfAbsent(partition, ignored -> new Buffer());
                    buffer.add(record);
                    if (buffer.records.size() >= maxRecords || buffer.bytes >= maxBytes) {
                        write(consumer, uploader, partition, buffer);
                    }
                }
                if (records.isEmpty() && System.nanoTime() - lastReceived >= TimeUnit.MILLISECONDS.toNanos(idleFlushMillis)) {
                    for (Map.Entry<TopicPartition, Buffer> entry : buffers.entrySet()) {
                        if (!entry.getValue().records.isEmpty()) {
                            write(consumer, uploader, entry.getKey(), entry.getValue());
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Writes the buffer as one chunk, then commits the offset after its last record (at-least-once). */
    private void write(KafkaConsumer<byte[], byte[]> consumer, ChunkUploader uploader, TopicPartition partition, Buffer buffer) {
        List<ArchivedRecord> chunk = buffer.records;
        ArchivedRecord first = chunk.get(0);
        ArchivedRecord last = chunk.get(chunk.size() - 1);
        String key = layout.objectKey(topic, partition.partition(), TimeUnit.MILLISECONDS.toHours(first.timestamp()), first.offset());
        Map<String, String> metadata = Map.of(ArchiveProcessor.RECORD_COUNT_METADATA, String.valueOf(chunk.size()),
                ArchiveProcessor.LAST_OFFSET_METADATA, String.valueOf(last.offset()));
        String timestampType = buffer.timestampType;
        uploader.upload(key, metadata, file -> ParquetChunkFormat.write(file, topic, partition.partition(), timestampType, chunk.iterator()));
        consumer.commitSync(Map.of(partition, new OffsetAndMetadata(last.offset() + 1)));
        uploadedRecords.addAndGet(chunk.size());
        uploadedObjects.incrementAndGet();
        buffer.clear();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(TimeUnit.MINUTES.toMillis(1));
        }
    }

    /** A partition's records since its last chunk. */
    private static final class Buffer {
        private List<ArchivedRecord> records = new ArrayList<>();
        private long bytes;
        private long previousOffset = ArchivedRecord.NO_PREVIOUS_OFFSET;
        private String timestampType;

        void add(ConsumerRecord<byte[], byte[]> record) {
            records.add(ArchivedRecord.of(record.offset(), previousOffset, record.timestamp(), record.key(), record.value(), record.headers()));
            previousOffset = record.offset();
            bytes += (record.key() == null ? 0 : record.key().length) + (record.value() == null ? 0 : record.value().length);
            timestampType = record.timestampType().name;
        }

        void clear() {
            records = new ArrayList<>();
            bytes = 0;
        }
    }
}
