package dev.onepipe.reconciliation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.SchemaVersion;
import dev.onepipe.metadata.serde.DatasetDeserializer;
import dev.onepipe.metadata.serde.WireFormatException;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a clean topic by its contract (dedup-streams/README.md, "Clean topic"): the topic {@code <dataset>-clean},
 * compacted, keyed by the unique key's text, one record per change of a key's merged state, registered as the dataset
 * {@code <dataset>-clean} (value subject {@code <dataset>-clean-value}), each value in the wire format with a schema
 * id of that subject. Reads every partition to its last stable offset with {@code read_committed}, keeps the latest
 * value of each key (a null value deletes it), and hands each key's latest state to a {@link CleanRows}.
 *
 * <p>Values are decoded by metadata-topic's {@link DatasetDeserializer} under the clean dataset's own registration
 * ({@link #decoder}), as the clean dataset's latest schema version: the header checked, the writer schema resolved by
 * its id, an id of any other subject refused (the source dataset's included: its ids are not the clean subject's),
 * Avro schema resolution to the reader version.
 */
public final class CleanTopicReader {

    private static final Duration POLL = Duration.ofMillis(500);

    /** A key's latest value and where it was read, to name the record if it cannot be decoded. */
    private record Located(int partition, long offset, byte[] value) {
    }

    private CleanTopicReader() {
    }

    /** The clean dataset (and clean topic) of {@code dataset}: {@code <dataset>-clean} (dedup-streams/README.md, "Clean topic"). */
    public static String cleanDatasetOf(String dataset) {
        return dataset + DatasetReconciliation.CLEAN_TOPIC_SUFFIX;
    }

    /** True when {@code topic} exists. */
    public static boolean exists(Map<String, Object> clientConfig, String topic) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(clientConfig)) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic);
            return partitions != null && !partitions.isEmpty();
        }
    }

    /**
     * Reads the clean topic of {@code dataset} into {@code rows}.
     *
     * @param dataset the source dataset's name (not the clean one's): its clean topic and clean dataset are
     *                {@link #cleanDatasetOf} it
     * @throws IllegalStateException when the clean dataset is not registered, or a key's latest value cannot be read
     *                               (not in the wire format, a schema id that is not a version of the clean dataset's
     *                               subject, bytes that do not decode): the key, partition, offset and the reason
     *                               ({@link WireFormatException}, also the cause) are named
     */
    public static void read(Map<String, Object> clientConfig, MetadataCatalog catalog, String dataset, CleanRows rows) {
        String topic = cleanDatasetOf(dataset);
        DatasetDeserializer<GenericRecord> decoder = decoder(catalog, dataset);
        Map<String, Located> latest = new HashMap<>();
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
                        latest.put(record.key(), new Located(record.partition(), record.offset(), record.value()));
                    }
                }
            }
        }
        for (Map.Entry<String, Located> entry : latest.entrySet()) {
            Located located = entry.getValue();
            GenericRecord value = decode(decoder, topic, entry.getKey(), located.partition(), located.offset(), located.value());
            rows.add(entry.getKey(), value, value::get);
        }
    }

    /**
     * The decoder of the clean topic of {@code dataset}: wire-format values of the clean dataset
     * ({@link #cleanDatasetOf}) read as its latest registered schema version; an id the catalog does not know is not
     * waited for (this is a one-pass read of records already written).
     *
     * @throws IllegalStateException when the clean dataset is not registered or has no schema
     */
    static DatasetDeserializer<GenericRecord> decoder(MetadataCatalog catalog, String dataset) {
        String clean = cleanDatasetOf(dataset);
        SchemaVersion reader = catalog.latestSchemaForDataset(clean).orElseThrow(() -> new IllegalStateException(
                "The clean topic " + clean + " exists but the dataset " + clean + " is not registered (with a schema), so its values cannot be read:"
                        + " the dedup topology registers it when it starts (dedup-streams/README.md, \"Clean topic\")"));
        return DatasetDeserializer.readingVersion(catalog, clean, reader.version(), Duration.ZERO);
    }

    /**
     * One value of {@code topic} decoded.
     *
     * @throws IllegalStateException naming the key, partition, offset and why, when it cannot be
     */
    static GenericRecord decode(DatasetDeserializer<GenericRecord> decoder, String topic, String key, int partition, long offset, byte[] value) {
        try {
            return decoder.deserialize(topic, value);
        } catch (WireFormatException unreadable) {
            throw new IllegalStateException("The latest value of key '" + key + "' on the clean topic " + topic + " cannot be read: "
                    + unreadable.at(partition, offset).getMessage(), unreadable);
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
