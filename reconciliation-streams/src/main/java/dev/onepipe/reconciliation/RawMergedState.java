package dev.onepipe.reconciliation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ObjLongConsumer;
import java.util.function.Predicate;

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
 * The raw side's merged state of a dataset: its whole history read to the topic's current end (the raw archive's
 * records below each partition's log start offset, then the topic's retained range), every readable record merged
 * into the state of its unique key by the dataset's merge strategy, as dedup-streams/README.md ("Merge
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
 * them to the dead-letter topic). Dedup's horizon is not applied: a key dedup forgot and sees again reaches the clean
 * table as a row of unknown state, which the table merges with the row it holds (dedup-streams/README.md, "Bounded
 * state: the dedup horizon"), so the table too holds the merge of the key's whole history.
 *
 * <p>The history below a partition's log start offset (records removed by retention or {@code DeleteRecords}) comes
 * from the raw archive (archive-streams/README.md, "What lands in S3"): its objects that start below the log start
 * offset, records below it, in offset order (objects of different hours interleave, so records are held until no
 * later object can start below them: at most the overlap of late records, not the history). Where neither system has
 * a partition's early records (no archive objects, or the archive's completeness watermark below the log start
 * offset), the result names the gap ({@link Result#gaps()}) instead of guessing.
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
     * @param archived records read from the raw archive (below the topic's log start offsets), included in
     *                 {@code records}
     * @param gaps     one line per partition whose history below its log start offset is not all in the raw archive,
     *                 e.g. {@code partition 1 (log start offset 5,000): offsets 30..31 held records that are in neither
     *                 the topic nor the raw archive}
     * @param lost     whether some gap is records the archive had and no longer has, or never had although the
     *                 archive's chain or watermark says they existed (a fault of the archive), not only an archive that
     *                 started after retention had removed the records before it
     */
    public record Result(CleanRows rows, long keys, long records, long skipped, long archived, List<String> gaps, boolean lost,
                         Map<String, LastInput> lastInputs) {

        /**
         * Whether a unique key was changed by input a clean table covering {@code covered} has not seen: its last
         * record's offset at or above the table's {@code onepipe.offset.<p>} of its partition (0 when absent).
         */
        public Predicate<String> inFlight(Map<Integer, Long> covered) {
            return key -> {
                LastInput last = lastInputs.get(key);
                return last != null && last.offset() >= covered.getOrDefault(last.partition(), 0L);
            };
        }
    }

    /** Where a unique key's last record is: partition and offset. */
    public record LastInput(int partition, long offset) {
    }

    private RawMergedState() {
    }

    /**
     * Reads {@code dataset}'s history to the topic's current end and merges it: per partition, the raw archive's
     * records below the log start offset, then the topic's.
     *
     * <p>Values are decoded by metadata-topic's {@link DatasetDeserializer} under {@code dataset}'s registration, as
     * dedup reads them: a value that is not in the wire format, names a schema id that is not a version of the
     * dataset's subject, or does not decode is counted as skipped.
     *
     * @param readerSchema the dataset's latest registered schema version (values are read as it)
     * @param archive      the dataset topic's raw archive, read only for partitions whose log start offset is above 0
     * @throws java.io.UncheckedIOException when an archive object cannot be read
     */
    public static Result read(Map<String, Object> clientConfig, DatasetMetadata dataset, MetadataCatalog catalog, SchemaVersion readerSchema,
                              RawArchiveReader archive) {
        Merge merge = new Merge(dataset, readerSchema.schema());
        String topic = dataset.topic();
        DatasetDeserializer<GenericRecord> decoder = DatasetDeserializer.readingVersion(catalog, dataset.name(), readerSchema.version(), Duration.ZERO);
        List<String> gaps = new ArrayList<>();
        long archived = 0;
        boolean lost = false;
        try (KafkaConsumer<String, byte[]> consumer = CleanTopicReader.consumer(clientConfig)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            partitions.sort(Comparator.comparingInt(TopicPartition::partition));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            // each key lives in one partition, so a partition's archived history merged before any topic record of it
            // is log order per key
            for (TopicPartition partition : partitions) {
                long logStart = beginnings.get(partition);
                if (logStart > 0) {
                    int number = partition.partition();
                    ArchivedHistory history = ArchivedHistory.read(archive, topic, number, logStart,
                            (value, offset) -> mergeValue(merge, decoder, topic, value, number, offset));
                    archived += history.records();
                    history.gap(partition.partition(), logStart).ifPresent(gaps::add);
                    lost |= !history.lost().isEmpty();
                }
            }
            List<TopicPartition> remaining = new ArrayList<>(partitions);
            while (true) {
                remaining.removeIf(partition -> consumer.position(partition) >= ends.get(partition));
                if (remaining.isEmpty()) {
                    break;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                        mergeValue(merge, decoder, topic, record.value(), record.partition(), record.offset());
                    }
                }
            }
        }
        return merge.result(archived, gaps, lost);
    }

    /** Merges one value (a tombstone changes nothing; an unreadable one is counted as skipped). */
    private static void mergeValue(Merge merge, DatasetDeserializer<GenericRecord> decoder, String topic, byte[] value, int partition,
                                   long offset) {
        if (value == null) {
            return;
        }
        GenericRecord decoded;
        try {
            decoded = decoder.deserialize(topic, value);
        } catch (WireFormatException unreadable) {
            merge.skip();
            return;
        }
        merge.add(decoded, partition, offset);
    }

    /**
     * One partition's records below its log start offset, from the raw archive, handed over in offset order, and what
     * of that history the archive does not hold.
     *
     * @param records     archived records handed over (tombstones included), each offset once
     * @param lost        ranges of offsets below the log start offset that held records the archive does not have: a
     *                    break in the archive's previous-offset chain, or its end below the log start offset
     * @param firstOffset the lowest offset handed over, -1 for none
     * @param startsLate  the archive's first record there says it was the first the archive saw, and it is not offset 0:
     *                    records below it may have been removed before the archive read them
     */
    record ArchivedHistory(long records, List<String> lost, long firstOffset, boolean startsLate) {

        /** Ranges listed per partition; the rest are counted. */
        private static final int LISTED = 5;

        /**
         * Reads the objects of {@code partition} that start below {@code logStart}, in start-offset order, handing
         * {@code values} each record below {@code logStart} in offset order. Objects of different record-time hours
         * interleave (a late record goes to its own hour's object), so records are buffered until the next object's
         * start offset passes them; an offset in two objects (a fault) is handed over once. Each record's previous
         * offset is checked against the record handed before it, as {@code onepipe archive verify} does.
         */
        static ArchivedHistory read(RawArchiveReader archive, String topic, int partition, long logStart, ObjLongConsumer<byte[]> values) {
            return read(archive.list(topic, partition), archive::fetchValues, logStart, values);
        }

        /** Fetches one object's records (the seam {@link RawArchiveReader#fetchValues} fills; tests hand objects in memory). */
        interface ObjectFetch {
            OptionalLong fetch(RawArchiveReader.ArchiveObject object, RawArchiveReader.OffsetValueConsumer values);
        }

        /**
         * As {@link #read(RawArchiveReader, String, int, long, ObjLongConsumer)}, over the listed {@code listing} of one
         * partition (sorted by start offset), each object fetched by {@code fetch}.
         */
        static ArchivedHistory read(List<RawArchiveReader.ArchiveObject> listing, ObjectFetch fetch, long logStart, ObjLongConsumer<byte[]> values) {
            List<RawArchiveReader.ArchiveObject> objects = listing.stream().filter(object -> object.startOffset() < logStart)
                    .sorted(Comparator.comparingLong(RawArchiveReader.ArchiveObject::startOffset)).toList();
            TreeMap<Long, ArchivedValue> pending = new TreeMap<>();
            Chain chain = new Chain();
            long coveredBelow = -1;
            for (int index = 0; index < objects.size(); index++) {
                OptionalLong watermark = fetch.fetch(objects.get(index), (offset, previous, value) -> {
                    if (offset < logStart && offset > chain.last) {
                        pending.putIfAbsent(offset, new ArchivedValue(previous, value));
                    }
                });
                if (watermark.isPresent()) {
                    coveredBelow = Math.max(coveredBelow, watermark.getAsLong());
                }
                long next = index + 1 < objects.size() ? objects.get(index + 1).startOffset() : Long.MAX_VALUE;
                while (!pending.isEmpty() && pending.firstKey() < next) {
                    Map.Entry<Long, ArchivedValue> first = pending.pollFirstEntry();
                    chain.add(first.getKey(), first.getValue().previousOffset());
                    values.accept(first.getValue().value(), first.getKey());
                }
            }
            // the end: every offset from the last record handed over to the log start offset, unless the archive's
            // watermark says it had them all (the offsets between can be transaction markers)
            if (Math.max(coveredBelow, chain.last + 1) < logStart) {
                chain.lost.add(chain.last + 1 + ".." + (logStart - 1));
            }
            return new ArchivedHistory(chain.records, List.copyOf(chain.lost), chain.first, chain.startsLate);
        }

        /** The line that names this partition's history neither system holds; empty when there is none. */
        Optional<String> gap(int partition, long logStart) {
            if (lost.isEmpty() && !startsLate) {
                return Optional.empty();
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "partition %d (log start offset %,d):", partition, logStart));
            if (startsLate) {
                line.append(String.format(Locale.ROOT, " the raw archive starts at offset %,d", firstOffset));
            }
            if (!lost.isEmpty()) {
                line.append(startsLate ? ";" : "").append(" offsets ").append(String.join(", ", lost.subList(0, Math.min(LISTED, lost.size()))));
                if (lost.size() > LISTED) {
                    line.append(String.format(Locale.ROOT, " and %,d more ranges", lost.size() - LISTED));
                }
                line.append(" held records that are in neither the topic nor the raw archive");
            }
            return Optional.of(line.toString());
        }

        private record ArchivedValue(long previousOffset, byte[] value) {
        }

        /** The previous-offset chain of the records handed over so far. */
        private static final class Chain {
            long records;
            long first = -1;
            long last = -1;
            boolean startsLate;
            final List<String> lost = new ArrayList<>();

            void add(long offset, long previous) {
                if (records == 0) {
                    first = offset;
                    if (previous < 0) {
                        startsLate = offset > 0;
                    } else {
                        lost.add("0.." + previous);
                    }
                } else if (previous > last) {
                    lost.add(last + 1 + ".." + previous);
                }
                records++;
                last = offset;
            }
        }
    }

    /** Merges records given in log order (each key's records are in one partition, so per key that is offset order). */
    static final class Merge {

        private final DatasetMetadata dataset;
        private final Schema schema;
        private final UniqueKeyEncoder keys;
        private final List<String> byMergeField = new ArrayList<>();
        private final Map<String, GenericRecord> merged = new HashMap<>();
        private final Map<String, LastInput> lastInputs = new HashMap<>();
        private long records;
        private long skipped;

        Merge(DatasetMetadata dataset, Schema schema) {
            this.dataset = dataset;
            this.schema = schema;
            this.keys = UniqueKeyEncoder.forDataset(dataset);
            dataset.merge().field().ifPresent(byMergeField::add);
            dataset.ordering().stream().filter(field -> !byMergeField.contains(field)).forEach(byMergeField::add);
        }

        /**
         * Merges one readable record, read at {@code offset} of {@code partition}; one without its unique key, or with a
         * vector clock that is not a map, is skipped.
         */
        void add(GenericRecord value, int partition, long offset) {
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
            lastInputs.put(key, new LastInput(partition, offset));
        }

        /** Merges one readable record whose position does not matter (tests). */
        void add(GenericRecord value) {
            add(value, 0, records);
        }

        /** Counts one record that could not be read. */
        void skip() {
            records++;
            skipped++;
        }

        Result result(long archived, List<String> gaps, boolean lost) {
            CleanRows rows = new CleanRows(dataset, schema);
            merged.forEach((key, value) -> rows.add(key, value, value::get));
            return new Result(rows, merged.size(), records, skipped, archived, List.copyOf(gaps), lost, java.util.Collections.unmodifiableMap(lastInputs));
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
