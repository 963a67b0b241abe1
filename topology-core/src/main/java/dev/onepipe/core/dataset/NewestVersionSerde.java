package dev.onepipe.core.dataset;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.SchemaVersion;
import dev.onepipe.metadata.serde.DatasetDeserializer;
import dev.onepipe.metadata.serde.DatasetSerializer;
import dev.onepipe.metadata.serde.WireFormat;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The value serde of a dataset read as the <b>newest</b> version of its schema seen so far, so a compatible version
 * registered while a topology runs reaches its output (and its stores) without a restart. Get one with
 * {@link DatasetStreams#newestVersionSerde(String)}; {@link Ingest#readingNewestVersion()} reads a stream with it.
 *
 * <p>The reader starts at the dataset's latest version when the topology is built. A record written with a later
 * version of the dataset's value subject moves every later read to that version; Avro schema resolution (Avro
 * specification, "Schema Resolution") fills the fields an older record lacks with their defaults. The version only
 * moves forward, and is shared by every task of the instance (and every user of the same serde).
 *
 * <p>Records read before a move (already in a task's queue, or state read earlier) keep the older schema:
 * {@link #upgrade} brings one to the current reader version, so a processor comparing a stored record with a new one
 * always compares records of one schema.
 *
 * <p>Writing validates each record against a registered version of the dataset's schema, as
 * {@link DatasetStreams#serde(String)} does. A schema id the catalog does not know yet is waited for once (the
 * version may have been registered a moment ago, {@value DatasetStreams#UNKNOWN_SCHEMA_WAIT_MS}); later records with the
 * same still-unknown id fail at once with a {@link dev.onepipe.metadata.serde.WireFormatException}
 * ({@code UNKNOWN_SCHEMA_ID}), which the ingest and the exception handlers turn into dead letters. Thread-safe.
 */
public final class NewestVersionSerde implements Serde<GenericRecord> {

    private static final int MAXIMUM_REMEMBERED_IDS = 1024;

    private final MetadataCatalog catalog;
    private final String dataset;
    private final String subject;
    private final Duration unknownIdWait;
    private final DatasetSerializer<GenericRecord> serializer;
    private final Map<Integer, Reader> readers = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> idsChecked = new ConcurrentHashMap<>();
    private volatile Reader reader;

    /** A reader of one version: waiting once per unknown id, or never. */
    private record Reader(int version, Schema schema, Deserializer<GenericRecord> waitingOnce, Deserializer<GenericRecord> immediate) {
    }

    /**
     * @param subject        the dataset's value subject
     * @param initialVersion the version to read as until a record of a later one arrives (the latest at build time)
     * @param unknownIdWait  how long a record with a schema id the catalog does not know waits for it, once per id
     */
    NewestVersionSerde(MetadataCatalog catalog, String dataset, String subject, int initialVersion, Duration unknownIdWait) {
        this.catalog = catalog;
        this.dataset = dataset;
        this.subject = subject;
        this.unknownIdWait = unknownIdWait;
        this.serializer = new DatasetSerializer<>(catalog, dataset);
        this.reader = readerOf(initialVersion);
    }

    /** The schema records are read as now. */
    public Schema currentSchema() {
        return reader.schema();
    }

    /**
     * {@code record} in the current reader schema: itself when it already is (or is null), else written with its own
     * schema and read back as the current version.
     *
     * @throws org.apache.kafka.common.errors.SerializationException when {@code record}'s schema is not a registered
     *                                                               version of the dataset's schema
     */
    public GenericRecord upgrade(GenericRecord record) {
        Reader current = reader;
        if (record == null || record.getSchema() == current.schema()) {
            return record;
        }
        return current.immediate().deserialize(dataset, serializer.serialize(dataset, record));
    }

    @Override
    public Serializer<GenericRecord> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<GenericRecord> deserializer() {
        return this::deserialize;
    }

    private GenericRecord deserialize(String topic, byte[] data) {
        Reader current = reader;
        GenericRecord record = current.waitingOnce().deserialize(topic, data);
        if (record == null) {
            return null;
        }
        int schemaId = WireFormat.schemaId(data);
        if (idsChecked.containsKey(schemaId)) {
            return record;
        }
        Optional<SchemaVersion> writer = catalog.schemaById(schemaId);
        if (writer.isPresent() && writer.get().subject().equals(subject) && !writer.get().deleted() && writer.get().version() > current.version()) {
            return moveTo(writer.get().version()).immediate().deserialize(topic, data);
        }
        if (idsChecked.size() >= MAXIMUM_REMEMBERED_IDS) {
            idsChecked.clear();
        }
        idsChecked.put(schemaId, Boolean.TRUE);
        return record;
    }

    private synchronized Reader moveTo(int version) {
        if (reader.version() < version) {
            reader = readerOf(version);
            idsChecked.clear();
        }
        return reader;
    }

    private Reader readerOf(int version) {
        return readers.computeIfAbsent(version, number -> {
            Schema schema = catalog.schemaVersion(subject, number).orElseThrow(() -> new IllegalStateException(
                    "Dataset '" + dataset + "' has no version " + number + " of subject " + subject)).schema();
            DatasetDeserializer<GenericRecord> immediate = DatasetDeserializer.readingVersion(catalog, dataset, number, Duration.ZERO);
            return new Reader(number, schema, new DatasetRecordDeserializer<>(catalog,
                    DatasetDeserializer.readingVersion(catalog, dataset, number, unknownIdWait), immediate), immediate);
        });
    }
}
