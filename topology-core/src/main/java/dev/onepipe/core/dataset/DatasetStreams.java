package dev.onepipe.core.dataset;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.KafkaClientSettings;
import dev.onepipe.core.deadletter.DeadLetterException;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.SchemaVersion;
import dev.onepipe.metadata.serde.DatasetDeserializer;
import dev.onepipe.metadata.serde.DatasetSerializer;
import dev.onepipe.metadata.serde.UniqueKeyEncoder;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Registered datasets as Kafka Streams streams and tables of Avro records, resolved through the topology's catalog:
 *
 * <pre>{@code
 * DatasetStreams datasets = DatasetStreams.of(builder, context);
 * KStream<String, GenericRecord> widgets = datasets.stream("widgets");
 * datasets.to(widgets.filter((id, widget) -> (double) widget.get("price") < 10.0), "cheap-widgets");
 * }</pre>
 *
 * Keys are the dataset's unique key as text ({@link UniqueKeyEncoder}), the key every onepipe producer writes. Values
 * are read as the dataset's latest registered schema when the topology is built (or as a generated SpecificRecord
 * class), whatever version each record was written with. Writing validates every record against a registered
 * version of the target dataset's schema. Everything returned is plain Kafka Streams ({@link KStream},
 * {@link Consumed}, {@link Produced}, {@link Serde}...), so the DSL and the Processor API stay available.
 *
 * <p>Bad records never stop the application and never vanish: a record that cannot be read, a record the topology
 * writes that its dataset's schema refuses, and a record the topology rejects with a {@link DeadLetterException}
 * go to a dead-letter topic ({@code <topic>.dlq}) through the exception handlers onepipe's runner and test kit
 * configure (see {@code dev.onepipe.core.deadletter}).
 */
public final class DatasetStreams {

    /** How long a record with a schema id newer than the catalog waits for the catalog, once per id. */
    public static final String UNKNOWN_SCHEMA_WAIT_MS = "onepipe.dataset.unknown.schema.wait.ms";
    public static final long DEFAULT_UNKNOWN_SCHEMA_WAIT_MS = DatasetDeserializer.DEFAULT_UNKNOWN_ID_WAIT.toMillis();

    private final StreamsBuilder builder;
    private final TopologyContext context;
    private final MetadataCatalog catalog;
    private final Duration unknownSchemaWait;
    private final Map<String, Serde<GenericRecord>> genericSerdes = new ConcurrentHashMap<>();
    private final Map<String, NewestVersionSerde> newestVersionSerdes = new ConcurrentHashMap<>();

    private DatasetStreams(StreamsBuilder builder, TopologyContext context) {
        this.builder = Objects.requireNonNull(builder, "builder");
        this.context = context;
        this.catalog = context.catalog();
        this.unknownSchemaWait = Duration.ofMillis(context.config().getLong(UNKNOWN_SCHEMA_WAIT_MS, DEFAULT_UNKNOWN_SCHEMA_WAIT_MS));
    }

    /** Dataset streams for a topology being built: datasets resolve through {@code context.catalog()}. */
    public static DatasetStreams of(StreamsBuilder builder, TopologyContext context) {
        return new DatasetStreams(builder, context);
    }

    /** The records of {@code dataset}, keyed by unique key, as generic records of its latest schema. */
    public KStream<String, GenericRecord> stream(String dataset) {
        return builder.stream(topic(dataset), consumed(dataset));
    }

    /**
     * The records of {@code dataset} read as {@code ingest} says: only some fields, stamped with the event time, as the
     * newest schema version, with tombstones. Values are decoded in a processor ({@code <name>-decode}) after the
     * source ({@code <name>-source}), so every record that is not read (unreadable bytes, a null value unless
     * tombstones are kept, an event time before 1970 or over an hour ahead of the clock) is counted per stream in
     * {@link DroppedRecordMetrics} under {@value DroppedRecordMetrics#CORRUPT} and goes to {@code <topic>.dlq} with its
     * original bytes and the {@code onepipe.dlq.*} headers, like any other dead letter.
     */
    public KStream<String, GenericRecord> stream(String dataset, Ingest ingest) {
        DatasetMetadata metadata = metadata(dataset);
        String eventTimeField = ingest.eventTime() ? metadata.eventTimeField().orElse(null) : null;
        Deserializer<GenericRecord> values = valueDeserializer(dataset, ingest.fieldsWith(eventTimeField), ingest.newestVersion());
        return builder.stream(metadata.topic(), Consumed.with(keySerde(), Serdes.ByteArray()).withName(ingest.name() + "-source"))
                .processValues(() -> new IngestDecoder(values, ingest.name(), eventTimeField, ingest.tombstones()), Named.as(ingest.name() + "-decode"));
    }

    /** Reads values of {@code dataset}: as its newest version, only {@code fields}, or whole as the latest at build time. */
    private Deserializer<GenericRecord> valueDeserializer(String dataset, List<String> fields, boolean newestVersion) {
        if (newestVersion) {
            return newestVersionSerde(dataset).deserializer();
        }
        if (fields.isEmpty()) {
            return serde(dataset).deserializer();
        }
        return new DatasetRecordDeserializer<>(catalog, DatasetDeserializer.readingProjection(catalog, dataset, fields, unknownSchemaWait),
                DatasetDeserializer.readingProjection(catalog, dataset, fields, Duration.ZERO));
    }

    /** The records of {@code dataset} as instances of a generated SpecificRecord class. */
    public <T extends SpecificRecord> KStream<String, T> stream(String dataset, Class<T> recordClass) {
        return builder.stream(topic(dataset), Consumed.with(keySerde(), serde(dataset, recordClass)));
    }

    /** The latest record per unique key of {@code dataset}, materialized in a local store. */
    public KTable<String, GenericRecord> table(String dataset) {
        return builder.table(topic(dataset), consumed(dataset),
                Materialized.<String, GenericRecord, KeyValueStore<Bytes, byte[]>>with(keySerde(), serde(dataset)));
    }

    /**
     * The latest record per unique key of {@code dataset}, kept whole on every instance, for reference data joined to
     * streams ({@link ReferenceTable#leftJoin}). Only {@code ingest}'s name (processors {@code <name>-source}, store
     * {@code <name>-store}, dropped-record stream {@code <name>}) and fields (what a lookup decodes) apply. A record that
     * cannot be read leaves the key's value as it was, is counted under {@value DroppedRecordMetrics#CORRUPT} and goes
     * to {@code <topic>.dlq} with the {@code onepipe.dlq.*} headers, see {@link ReferenceTable}.
     *
     * <p>Kafka Streams' own {@code GlobalKTable} is not used: its store is restored from raw bytes without decoding,
     * and the dead letter an exception handler returns from the global thread cannot be sent (no task producer there).
     *
     * @throws IllegalArgumentException if {@code dataset} is not registered, or {@code ingest} asks for event time,
     *                                  the newest version or tombstones (a table has no use for them)
     */
    public ReferenceTable referenceTable(String dataset, Ingest ingest) {
        if (ingest.eventTime() || ingest.newestVersion() || ingest.tombstones()) {
            throw new IllegalArgumentException("Reference table '" + ingest.name() + "' takes a name and fields only: "
                    + "no inEventTime(), readingNewestVersion() or keepingTombstones()");
        }
        String name = ingest.name();
        Deserializer<GenericRecord> whole = serde(dataset).deserializer();
        Map<String, Object> producerSettings = KafkaClientSettings.common(context.config());
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ReferenceTable.storeName(name)), keySerde(), Serdes.ByteArray())
                        .withLoggingDisabled(),
                topic(dataset), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-source"),
                () -> new ReferenceLoader(dataset, name, whole, producerSettings));
        return new ReferenceTable(dataset, name, valueDeserializer(dataset, ingest.fields(), false));
    }

    /**
     * Writes {@code stream} to the topic of {@code dataset}, keys as they are. Each value must be a record of an
     * active registered version of the dataset's schema; one that is not goes to {@code <topic>.dlq}.
     */
    public void to(KStream<String, ? extends GenericRecord> stream, String dataset) {
        @SuppressWarnings("unchecked")
        KStream<String, GenericRecord> records = (KStream<String, GenericRecord>) stream;
        records.to(topic(dataset), produced(dataset));
    }

    /**
     * Re-keys {@code stream} by the unique key of {@code dataset}, encoded as onepipe producers encode it. Kafka
     * Streams repartitions before the next stateful operation; give it {@link #grouped} or {@link #repartitioned}
     * serdes. A record whose key field is missing or null goes to the dead-letter topic.
     */
    public <K, V extends IndexedRecord> KStream<String, V> rekeyByUniqueKey(KStream<K, V> stream, String dataset) {
        UniqueKeyEncoder encoder = UniqueKeyEncoder.forDataset(metadata(dataset));
        return stream.selectKey((key, value) -> {
            try {
                return encoder.encode(value);
            } catch (IllegalArgumentException invalid) {
                throw new DeadLetterException("INVALID_UNIQUE_KEY", invalid.getMessage(), invalid);
            }
        });
    }

    /** Serdes for reading {@code dataset}: unique key text, values as its latest schema. */
    public Consumed<String, GenericRecord> consumed(String dataset) {
        return Consumed.with(keySerde(), serde(dataset));
    }

    /** Serdes for writing {@code dataset}, validating each value. */
    public Produced<String, GenericRecord> produced(String dataset) {
        return Produced.with(keySerde(), serde(dataset));
    }

    /** Serdes for grouping records of {@code dataset} (and for the repartition topic grouping may need). */
    public Grouped<String, GenericRecord> grouped(String dataset) {
        return Grouped.with(keySerde(), serde(dataset));
    }

    /** Serdes for repartitioning records of {@code dataset}. */
    public Repartitioned<String, GenericRecord> repartitioned(String dataset) {
        return Repartitioned.with(keySerde(), serde(dataset));
    }

    /** The value serde of {@code dataset}: validates when writing, reads as the latest schema at build time. */
    public Serde<GenericRecord> serde(String dataset) {
        return genericSerdes.computeIfAbsent(dataset, name -> {
            int readerVersion = latestSchema(name).version();
            return Serdes.serdeFrom(new DatasetSerializer<>(catalog, name), new DatasetRecordDeserializer<>(catalog,
                    DatasetDeserializer.readingVersion(catalog, name, readerVersion, unknownSchemaWait),
                    DatasetDeserializer.readingVersion(catalog, name, readerVersion, Duration.ZERO)));
        });
    }

    /**
     * The value serde of {@code dataset} that reads as the newest schema version seen so far (one instance per dataset
     * and {@code DatasetStreams}, the one {@link Ingest#readingNewestVersion()} reads with): use it for the
     * repartition topics and stores that hold the records of such a stream, and its {@link NewestVersionSerde#upgrade}
     * for a record read before the version moved.
     *
     * @throws IllegalArgumentException if {@code dataset} is not registered or has no active schema version
     */
    public NewestVersionSerde newestVersionSerde(String dataset) {
        return newestVersionSerdes.computeIfAbsent(dataset, name -> new NewestVersionSerde(catalog, name, metadata(name).valueSubject(),
                latestSchema(name).version(), unknownSchemaWait));
    }

    /** The value serde of {@code dataset} for a generated SpecificRecord class. */
    public <T extends SpecificRecord> Serde<T> serde(String dataset, Class<T> recordClass) {
        // An unregistered dataset is reported while the topology is built, not at its first record.
        metadata(dataset);
        return Serdes.serdeFrom(new DatasetSerializer<>(catalog, dataset), new DatasetRecordDeserializer<>(catalog,
                DatasetDeserializer.readingSpecific(catalog, dataset, recordClass, unknownSchemaWait),
                DatasetDeserializer.readingSpecific(catalog, dataset, recordClass, Duration.ZERO)));
    }

    /** The key serde of every dataset: the unique key as UTF-8 text. */
    public static Serde<String> keySerde() {
        return Serdes.String();
    }

    /** The latest registered value schema of {@code dataset}, e.g. to build the records a topology writes to it. */
    public Schema schema(String dataset) {
        return latestSchema(dataset).schema();
    }

    /** The topic of {@code dataset}. */
    public String topic(String dataset) {
        return metadata(dataset).topic();
    }

    /** The current metadata of {@code dataset}, or an error that says how to register it. */
    public DatasetMetadata metadata(String dataset) {
        return RegisteredDatasets.require(catalog, dataset);
    }

    private SchemaVersion latestSchema(String dataset) {
        DatasetMetadata metadata = metadata(dataset);
        return catalog.latestSchemaVersion(metadata.valueSubject()).orElseThrow(() -> new IllegalArgumentException(
                "Dataset '" + dataset + "' has no active schema version under subject " + metadata.valueSubject()));
    }
}
