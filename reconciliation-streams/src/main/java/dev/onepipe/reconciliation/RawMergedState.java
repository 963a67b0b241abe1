package dev.onepipe.reconciliation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MergeStrategy;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.SchemaVersion;
import dev.onepipe.metadata.serde.DatasetDeserializer;
import dev.onepipe.metadata.serde.UniqueKeyEncoder;
import dev.onepipe.metadata.serde.WireFormatException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The raw side's merged state of a dataset: its topic (the retained range) read to its end, every readable record
 * merged into the state of its unique key by the dataset's merge strategy, as dedup-streams/README.md ("Merge
 * strategies") defines it, re-implemented here from that contract (a topology module never uses another's classes):
 * <ul>
 *   <li>{@code LATEST_BY_FIELD f}: the version with the greatest {@code f} wins; ties by the ordering fields in turn
 *       (Avro's order of each field's values), then by the unsigned order of the Avro binary encodings;</li>
 *   <li>{@code FIRST_SEEN}: the first version in log order; {@code LAST_SEEN}: the last one.</li>
 * </ul>
 * {@code VECTOR_CLOCK} and {@code FIELD_MERGE} are not re-implemented: {@link #read} returns empty for them. Records
 * without a value (tombstones) change nothing, as in dedup; records that cannot be read as the dataset's schema, or
 * whose unique-key fields are missing, are skipped and counted (dedup sends them to the dead-letter topic). Dedup's
 * horizon (a key forgotten its dedup horizon after its event time) is not applied: over a topic retained for less than
 * the horizon it changes nothing.
 */
public final class RawMergedState {

    private static final Duration POLL = Duration.ofMillis(500);

    /**
     * The merged rows, as clean rows (the same fingerprints and declared checks as the clean table's).
     *
     * @param rows     the merged state of every unique key, by event-time day
     * @param keys     unique keys merged
     * @param records  records read
     * @param skipped  records skipped: unreadable, or without their unique key
     */
    public record Result(CleanRows rows, long keys, long records, long skipped) {
    }

    private RawMergedState() {
    }

    /** True when this class re-implements {@code strategy} (see the class comment). */
    public static boolean supports(MergeStrategy strategy) {
        return switch (strategy.kind()) {
            case LATEST_BY_FIELD, FIRST_SEEN, LAST_SEEN -> true;
            default -> false;
        };
    }

    /**
     * Reads {@code dataset}'s topic to its current end and merges it.
     *
     * <p>Values are decoded by metadata-topic's {@link DatasetDeserializer} under {@code dataset}'s registration, as
     * dedup reads them: a value that is not in the wire format, names a schema id that is not a version of the
     * dataset's subject, or does not decode is counted as skipped.
     *
     * @param readerSchema the dataset's latest registered schema version (values are read as it)
     * @return empty when the dataset's merge strategy is not one this class re-implements
     */
    public static Optional<Result> read(Map<String, Object> clientConfig, DatasetMetadata dataset, MetadataCatalog catalog,
                                        SchemaVersion readerSchema) {
        if (!supports(dataset.merge())) {
            return Optional.empty();
        }
        Merge merge = new Merge(dataset, readerSchema.schema());
        String topic = dataset.topic();
        DatasetDeserializer<GenericRecord> decoder = DatasetDeserializer.readingVersion(catalog, dataset.name(), readerSchema.version(), Duration.ZERO);
        try (KafkaConsumer<String, byte[]> consumer = CleanTopicReader.consumer(clientConfig)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<TopicPartition> remaining = new ArrayList<>(partitions);
            while (true) {
                remaining.removeIf(partition -> consumer.position(partition) >= ends.get(partition));
                if (remaining.isEmpty()) {
                    break;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() >= ends.get(new TopicPartition(record.topic(), record.partition())) || record.value() == null) {
                        continue;
                    }
                    GenericRecord value;
                    try {
                        value = decoder.deserialize(record);
                    } catch (WireFormatException unreadable) {
                        merge.skip();
                        continue;
                    }
                    merge.add(value);
                }
            }
        }
        return Optional.of(merge.result());
    }

    /** Merges records given in log order (each key's records are in one partition, so per key that is offset order). */
    static final class Merge {

        private final DatasetMetadata dataset;
        private final Schema schema;
        private final UniqueKeyEncoder keys;
        private final List<String> order = new ArrayList<>();
        private final Map<String, GenericRecord> merged = new HashMap<>();
        private long records;
        private long skipped;

        Merge(DatasetMetadata dataset, Schema schema) {
            this.dataset = dataset;
            this.schema = schema;
            this.keys = UniqueKeyEncoder.forDataset(dataset);
            dataset.merge().field().ifPresent(order::add);
            dataset.ordering().stream().filter(field -> !order.contains(field)).forEach(order::add);
        }

        /** Merges one readable record; one without its unique key is skipped. */
        void add(GenericRecord value) {
            records++;
            String key;
            try {
                key = keys.encode(value);
            } catch (RuntimeException noKey) {
                skipped++;
                return;
            }
            GenericRecord current = merged.get(key);
            if (current == null || wins(dataset.merge(), order, value, current)) {
                merged.put(key, value);
            }
        }

        /** Counts one record that could not be read. */
        void skip() {
            records++;
            skipped++;
        }

        Result result() {
            CleanRows rows = new CleanRows(dataset, schema);
            merged.forEach((key, value) -> rows.add(key, value, value::get));
            return new Result(rows, merged.size(), records, skipped);
        }
    }

    /** Whether {@code incoming}, read after {@code current} in log order, replaces it. */
    static boolean wins(MergeStrategy strategy, List<String> order, GenericRecord incoming, GenericRecord current) {
        return switch (strategy.kind()) {
            case FIRST_SEEN -> false;
            case LAST_SEEN -> true;
            case LATEST_BY_FIELD -> compare(order, incoming, current) > 0;
            default -> throw new IllegalArgumentException("Merge strategy " + strategy.kind() + " is not re-implemented here");
        };
    }

    /** By {@code order}'s fields in turn (Avro's order), then by the unsigned order of the binary encodings. */
    static int compare(List<String> order, GenericRecord a, GenericRecord b) {
        for (String name : order) {
            Schema.Field field = a.getSchema().getField(name);
            int compared = GenericData.get().compare(a.get(name), b.get(name), field.schema());
            if (compared != 0) {
                return compared;
            }
        }
        return Arrays.compareUnsigned(encode(a), encode(b));
    }

    private static byte[] encode(GenericRecord record) {
        ByteArrayOutputStream output = new ByteArrayOutputStream(256);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(output, null);
        try {
            new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return output.toByteArray();
    }
}
