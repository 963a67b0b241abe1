package dev.onepipe.reconciliation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 *   <li>{@code FIRST_SEEN}: the first version in log order; {@code LAST_SEEN}: the last one;</li>
 *   <li>{@code FIELD_MERGE}: pairwise as versions arrive, of the state and the incoming version the one that sorts later
 *       (ordering fields, then binary encoding; log order without ordering fields) wins every field where it is
 *       non-null, the other fills its nulls;</li>
 *   <li>{@code VECTOR_CLOCK f}: {@code f} a map writer → counter (a missing writer 0, a null clock empty; Lamport 1978,
 *       Fidge and Mattern 1988): a dominating clock replaces the state, a dominated one changes nothing, concurrent
 *       clocks (or equal ones with different contents) keep the greater version by ordering fields then binary
 *       encoding.</li>
 * </ul>
 * Records without a value (tombstones) change nothing, as in dedup; records that cannot be read as the dataset's
 * schema, whose unique-key fields are missing, or whose vector clock is not a map, are skipped and counted (dedup sends
 * them to the dead-letter topic). Dedup's horizon (a key forgotten its dedup horizon after its event time) is not
 * applied: over a topic retained for less than the horizon it changes nothing.
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

    /**
     * Reads {@code dataset}'s topic to its current end and merges it.
     *
     * <p>Values are decoded by metadata-topic's {@link DatasetDeserializer} under {@code dataset}'s registration, as
     * dedup reads them: a value that is not in the wire format, names a schema id that is not a version of the
     * dataset's subject, or does not decode is counted as skipped.
     *
     * @param readerSchema the dataset's latest registered schema version (values are read as it)
     */
    public static Result read(Map<String, Object> clientConfig, DatasetMetadata dataset, MetadataCatalog catalog, SchemaVersion readerSchema) {
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
        return merge.result();
    }

    /** Merges records given in log order (each key's records are in one partition, so per key that is offset order). */
    static final class Merge {

        private final DatasetMetadata dataset;
        private final Schema schema;
        private final UniqueKeyEncoder keys;
        private final List<String> byMergeField = new ArrayList<>();
        private final Map<String, GenericRecord> merged = new HashMap<>();
        private long records;
        private long skipped;

        Merge(DatasetMetadata dataset, Schema schema) {
            this.dataset = dataset;
            this.schema = schema;
            this.keys = UniqueKeyEncoder.forDataset(dataset);
            dataset.merge().field().ifPresent(byMergeField::add);
            dataset.ordering().stream().filter(field -> !byMergeField.contains(field)).forEach(byMergeField::add);
        }

        /** Merges one readable record; one without its unique key, or with a vector clock that is not a map, is skipped. */
        void add(GenericRecord value) {
            records++;
            String key;
            GenericRecord state;
            try {
                key = keys.encode(value);
                state = merge(dataset.merge(), byMergeField, dataset.ordering(), merged.get(key), value);
            } catch (RuntimeException unmergeable) {
                skipped++;
                return;
            }
            merged.put(key, state);
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

    /**
     * The state of a key after {@code incoming}, read after {@code current} in log order (null when the key has no state
     * yet), by {@code strategy} (see the class comment).
     *
     * @param byMergeField the merge field, then the ordering fields (LATEST_BY_FIELD's order)
     * @param ordering     the dataset's ordering fields
     * @throws IllegalArgumentException when a VECTOR_CLOCK field holds something other than a map
     */
    static GenericRecord merge(MergeStrategy strategy, List<String> byMergeField, List<String> ordering, GenericRecord current,
                               GenericRecord incoming) {
        if (current == null) {
            return incoming;
        }
        return switch (strategy.kind()) {
            case FIRST_SEEN -> current;
            case LAST_SEEN -> incoming;
            case LATEST_BY_FIELD -> compare(byMergeField, incoming, current) > 0 ? incoming : current;
            case FIELD_MERGE -> fieldMerge(ordering, current, incoming);
            case VECTOR_CLOCK -> vectorClock(strategy.field().orElseThrow(), ordering, current, incoming);
        };
    }

    /** The later version's non-null fields over the earlier's. */
    private static GenericRecord fieldMerge(List<String> ordering, GenericRecord current, GenericRecord incoming) {
        boolean incomingLater = ordering.isEmpty() || compare(ordering, incoming, current) > 0;
        GenericRecord later = incomingLater ? incoming : current;
        GenericRecord earlier = incomingLater ? current : incoming;
        Schema schema = later.getSchema();
        GenericData.Record merged = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            Object value = later.get(field.pos());
            if (value == null && earlier.getSchema().getField(field.name()) != null) {
                value = earlier.get(field.name());
            }
            merged.put(field.pos(), value);
        }
        return merged;
    }

    private static GenericRecord vectorClock(String field, List<String> ordering, GenericRecord current, GenericRecord incoming) {
        Map<String, Long> incomingClock = clock(incoming.get(field));
        Map<String, Long> currentClock = clock(current.get(field));
        boolean above = false;
        boolean below = false;
        Set<String> writers = new HashSet<>(incomingClock.keySet());
        writers.addAll(currentClock.keySet());
        for (String writer : writers) {
            long mine = incomingClock.getOrDefault(writer, 0L);
            long theirs = currentClock.getOrDefault(writer, 0L);
            above |= mine > theirs;
            below |= mine < theirs;
        }
        if (above != below) {
            return above ? incoming : current;
        }
        // concurrent, or equal clocks: the greater version (an exact re-send compares equal and keeps the state)
        return compare(ordering, incoming, current) > 0 ? incoming : current;
    }

    /** A vector clock's non-zero counters by writer; a null clock is empty. */
    private static Map<String, Long> clock(Object value) {
        Map<String, Long> counters = new HashMap<>();
        if (value instanceof Map<?, ?> entries) {
            entries.forEach((writer, counter) -> {
                if (counter instanceof Number number && number.longValue() != 0) {
                    counters.put(writer.toString(), number.longValue());
                }
            });
        } else if (value != null) {
            throw new IllegalArgumentException("a vector clock must be a map of counters, got " + value.getClass().getName());
        }
        return counters;
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
