package dev.onepipe.reconciliation;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.onepipe.core.cli.ProgressLine;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;

/**
 * Reads the retained range of a topic once, every partition from its earliest retained offset up to its last stable
 * offset as of the start of the read, with {@code isolation.level=read_committed} (so aborted records and
 * transaction markers, which the archive never holds either, are skipped), into a {@link RawRecords}.
 *
 * <p>Keys and values are taken with {@link ByteBufferDeserializer}, whose {@code deserialize(topic, headers,
 * ByteBuffer)} (KIP-863) returns the consumer's view of the fetched bytes as is: each record is hashed straight from
 * the fetch buffer ({@link RawRecords#addBuffers}), without the two {@code byte[]} copies a {@code ByteArrayDeserializer}
 * makes per record. The views are only read before the next {@code poll}.
 */
public final class TopicReader {

    private static final Duration POLL = Duration.ofMillis(500);

    /**
     * Consumer settings for reading a whole retained range once, above the client's defaults (1 MiB per partition,
     * 50 MiB per fetch, 64 KiB socket receive buffer): fewer, larger fetches cost the consumer and the broker less CPU
     * per byte (measured with {@code onepipe bench reconcile}, reconciliation-streams/README.md "Benchmark"). At most
     * {@code fetch.max.bytes} is held per fetch response.
     */
    public static final Map<String, Object> FETCH_SETTINGS = Map.of(
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20,
            ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20,
            ConsumerConfig.RECEIVE_BUFFER_CONFIG, 1 << 20,
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);

    private TopicReader() {
    }

    /**
     * What was read: the retained offset range of each partition.
     *
     * @param start the earliest retained offset per partition (the log start offset)
     * @param end   the last stable offset per partition when the read began (exclusive)
     */
    public record Range(Map<Integer, Long> start, Map<Integer, Long> end) {

        /** Offsets in the retained range of all partitions (records, markers and aborted records). */
        public long offsets() {
            return end.entrySet().stream().mapToLong(entry -> entry.getValue() - start.getOrDefault(entry.getKey(), 0L)).sum();
        }
    }

    /**
     * Reads {@code topic} into {@code records}.
     *
     * @param clientConfig bootstrap servers and client settings; group, deserializers and isolation are set here
     * @param progress     where to print a progress line, null for none
     * @throws IllegalArgumentException when the topic does not exist
     */
    public static Range read(Map<String, Object> clientConfig, String topic, RawRecords records, PrintStream progress) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.putAll(FETCH_SETTINGS);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<ByteBuffer, ByteBuffer> consumer = new KafkaConsumer<>(config, new ByteBufferDeserializer(), new ByteBufferDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("Topic '" + topic + "' does not exist");
            }
            List<TopicPartition> partitions = new ArrayList<>();
            infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            consumer.assign(partitions);
            Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Map<Integer, Long> start = new HashMap<>();
            Map<Integer, Long> end = new HashMap<>();
            beginnings.forEach((partition, offset) -> start.put(partition.partition(), offset));
            ends.forEach((partition, offset) -> end.put(partition.partition(), offset));
            Range range = new Range(start, end);
            ProgressLine line = progress == null ? null : new ProgressLine(progress, "reading topic " + topic + ", offsets", range.offsets());
            consumer.seekToBeginning(partitions);
            List<TopicPartition> remaining = new ArrayList<>(partitions);
            remaining.removeIf(partition -> consumer.position(partition) >= ends.get(partition));
            consumer.assign(remaining);
            // end offsets by partition number: looked up per record, without a TopicPartition and a hash per record
            long[] endOf = new long[infos.stream().mapToInt(PartitionInfo::partition).max().orElse(0) + 1];
            end.forEach((partition, offset) -> endOf[partition] = offset);
            while (!remaining.isEmpty()) {
                for (ConsumerRecord<ByteBuffer, ByteBuffer> record : consumer.poll(POLL)) {
                    if (record.offset() < endOf[record.partition()]) {
                        records.addBuffers(record.partition(), record.offset(), record.timestamp(), record.key(), record.value(), record.headers());
                    }
                }
                if (remaining.removeIf(partition -> consumer.position(partition) >= ends.get(partition))) {
                    consumer.assign(remaining);
                }
                if (line != null) {
                    long done = 0;
                    for (TopicPartition partition : partitions) {
                        long at = remaining.contains(partition) ? consumer.position(partition) : ends.get(partition);
                        done += at - beginnings.get(partition);
                    }
                    line.update(done);
                }
            }
            if (line != null) {
                line.finish(range.offsets());
            }
            return range;
        }
    }
}
