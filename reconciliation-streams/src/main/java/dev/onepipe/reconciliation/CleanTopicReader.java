package dev.onepipe.reconciliation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.SchemaVersion;
import dev.onepipe.metadata.serde.DatasetDeserializer;
import org.apache.avro.generic.GenericRecord;
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
 *
 * <p>Values are decoded by metadata-topic's {@link DatasetDeserializer} ({@link #decoder}: the wire format's header
 * checked, the writer schema resolved by its id, Avro schema resolution to the reader version), the decoder every
 * onepipe topology uses.
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
     * @param readerSchema the registered version of the dataset's value schema to read values as (the latest)
     * @throws IllegalStateException when a key's latest value is not in the wire format, names a schema id that is not
     *                               a registered version of the dataset's schema, or cannot be decoded (the key named,
     *                               the decoder's {@link dev.onepipe.metadata.serde.WireFormatException} as the cause)
     */
    public static void read(Map<String, Object> clientConfig, String topic, MetadataCatalog catalog, String dataset, SchemaVersion readerSchema,
                            CleanRows rows) {
        DatasetDeserializer<GenericRecord> decoder = decoder(catalog, dataset, readerSchema);
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
            GenericRecord value;
            try {
                value = decoder.deserialize(topic, entry.getValue());
            } catch (RuntimeException e) {
                throw new IllegalStateException("The value of key '" + entry.getKey() + "' on " + topic + " cannot be read: " + e.getMessage(), e);
            }
            rows.add(entry.getKey(), value, value::get);
        }
    }

    /**
     * The decoder of {@code dataset}'s wire-format values as version {@code readerSchema} of its value schema; an id
     * the catalog does not know is not waited for (this is a one-pass read of records already written).
     */
    static DatasetDeserializer<GenericRecord> decoder(MetadataCatalog catalog, String dataset, SchemaVersion readerSchema) {
        return DatasetDeserializer.readingVersion(catalog, dataset, readerSchema.version(), Duration.ZERO);
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
