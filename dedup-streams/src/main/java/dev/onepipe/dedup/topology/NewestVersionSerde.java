package dev.onepipe.dedup.topology;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.SchemaVersion;
import dev.onepipe.metadata.serde.DatasetDeserializer;
import dev.onepipe.metadata.serde.DatasetSerializer;
import dev.onepipe.metadata.serde.WireFormat;
import dev.onepipe.metadata.serde.WireFormatException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The values of the dedup input (its topic, the repartition topic, the stores), read as the <b>newest</b> version of
 * the dataset's schema seen so far, so a compatible version registered while the topology runs reaches the merged
 * state, the clean topic and the clean table without a restart. The reader starts at the latest version when the
 * topology is built; a record written with a later version of the dataset's subject moves every later read to that
 * version (Avro schema resolution fills the fields an older record lacks with their defaults). The version only moves
 * forward, and is shared by every task of the instance.
 *
 * <p>Records read before the move (already in a task's queue, or a merged state read earlier) keep the older schema:
 * {@link #upgrade} brings one to the current reader version, so the merge always compares records of one schema.
 *
 * <p>A schema id the catalog does not know yet waits {@code unknownIdWait} once (the version may have been registered
 * a moment ago); later records with the same still-unknown id fail at once, as unreadable records (dead letters).
 * Thread-safe.
 */
final class NewestVersionSerde implements Serde<GenericRecord> {

    private static final int MAXIMUM_REMEMBERED_IDS = 1024;

    private final MetadataCatalog catalog;
    private final String dataset;
    private final String subject;
    private final Duration unknownIdWait;
    private final DatasetSerializer<GenericRecord> serializer;
    private final Map<Integer, Reader> readers = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> idsChecked = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> idsWaitedFor = new ConcurrentHashMap<>();
    private volatile Reader reader;

    /** A reader of one version: waiting for unknown ids, or not. */
    private record Reader(int version, Schema schema, Deserializer<GenericRecord> waiting, Deserializer<GenericRecord> immediate) {
    }

    /**
     * @param subject        the dataset's value subject
     * @param initialVersion the version to read as until a record of a later one arrives (the latest at build time)
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
    Schema currentSchema() {
        return reader.schema();
    }

    /**
     * {@code record} in the current reader schema: itself when it already is, else written with its own (registered)
     * schema and read back as the current version.
     */
    GenericRecord upgrade(GenericRecord record) {
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
        GenericRecord record = read(current, topic, data);
        if (record == null) {
            return null;
        }
        int schemaId = WireFormat.schemaId(data);
        if (idsChecked.containsKey(schemaId)) {
            return record;
        }
        Optional<SchemaVersion> writer = catalog.schemaById(schemaId);
        if (writer.isPresent() && writer.get().subject().equals(subject) && !writer.get().deleted() && writer.get().version() > current.version()) {
            Reader newer = moveTo(writer.get().version());
            return newer.immediate().deserialize(topic, data);
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
        return readers.computeIfAbsent(version, number -> new Reader(number,
                catalog.schemaVersion(subject, number).orElseThrow(() -> new IllegalStateException(
                        "Dataset '" + dataset + "' has no version " + number + " of subject " + subject)).schema(),
                DatasetDeserializer.readingVersion(catalog, dataset, number, unknownIdWait),
                DatasetDeserializer.readingVersion(catalog, dataset, number, Duration.ZERO)));
    }

    /** Reads with {@code current}, waiting for an unknown id only the first time it is seen. */
    private GenericRecord read(Reader current, String topic, byte[] data) {
        if (data == null || data.length < WireFormat.HEADER_LENGTH || data[0] != WireFormat.MAGIC_BYTE) {
            return current.immediate().deserialize(topic, data);
        }
        int schemaId = WireFormat.schemaId(data);
        if (idsWaitedFor.containsKey(schemaId) && catalog.schemaById(schemaId).isEmpty()) {
            return current.immediate().deserialize(topic, data);
        }
        try {
            return current.waiting().deserialize(topic, data);
        } catch (WireFormatException failure) {
            if (failure.reason() == WireFormatException.Reason.UNKNOWN_SCHEMA_ID) {
                if (idsWaitedFor.size() >= MAXIMUM_REMEMBERED_IDS) {
                    idsWaitedFor.clear();
                }
                idsWaitedFor.put(schemaId, Boolean.TRUE);
            }
            throw failure;
        }
    }
}
