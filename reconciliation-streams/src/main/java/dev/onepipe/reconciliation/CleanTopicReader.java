package dev.onepipe.reconciliation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.serde.WireFormat;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a clean topic by its contract (dedup-streams/README.md, "Clean topic"): compacted, keyed by the unique key's
 * text, values in the wire format, one record per change of a key's merged state. Reads every partition to its last
 * stable offset with {@code read_committed}, keeps the latest value of each key (a null value deletes it), and hands
 * each key's latest state, decoded as the dataset's latest schema, to a {@link CleanRows}.
 */
public final class CleanTopicReader {

    private static final Duration POLL = Duration.ofMillis(500);

    private CleanTopicReader() {
    }

    /** True when {@code topic} exists. */
    public static boolean exists(Map<String, Object> clientConfig, String topic) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(clientConfig)) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic);
            return partitions != null && !partitions.isEmpty();
        }
    }

    /**
     * Reads {@code topic} into {@code rows}.
     *
     * @param readerSchemaId the registered id of the schema to read values as (the dataset's latest)
     * @throws IllegalStateException when a value's schema id is not registered
     */
    public static void read(Map<String, Object> clientConfig, String topic, MetadataCatalog catalog, int readerSchemaId, CleanRows rows) {
        Map<String, byte[]> latest = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(clientConfig)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<TopicPartition> remaining = new ArrayList<>(partitions);
            while (!remaining.isEmpty()) {
                remaining.removeIf(partition -> consumer.position(partition) >= ends.get(partition));
                if (remaining.isEmpty()) {
                    break;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() >= ends.get(new TopicPartition(record.topic(), record.partition()))) {
                        continue;
                    }
                    if (record.value() == null) {
                        latest.remove(record.key());
                    } else {
                        latest.put(record.key(), record.value());
                    }
                }
            }
        }
        for (Map.Entry<String, byte[]> entry : latest.entrySet()) {
            GenericRecord value = decode(catalog, readerSchemaId, entry.getValue(), topic, entry.getKey());
            rows.add(entry.getKey(), value, value::get);
        }
    }

    static GenericRecord decode(MetadataCatalog catalog, int readerSchemaId, byte[] value, String topic, String key) {
        int writerId = WireFormat.schemaId(value);
        GenericDatumReader<GenericRecord> reader = catalog.genericReader(writerId, readerSchemaId).orElseThrow(() -> new IllegalStateException(
                "The value of key '" + key + "' on " + topic + " names schema id " + writerId + ", which is not registered"));
        try {
            return reader.read(null, DecoderFactory.get().binaryDecoder(value, WireFormat.HEADER_LENGTH, value.length - WireFormat.HEADER_LENGTH, null));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot decode the value of key '" + key + "' on " + topic, e);
        }
    }

    static KafkaConsumer<String, byte[]> consumer(Map<String, Object> clientConfig) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
