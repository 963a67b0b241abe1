package dev.onepipe.metadata;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory view of the metadata topic: every schema version by global id and by (subject, version), every
 * dataset metadata version, and the topic each active dataset publishes to. It is fed record by record with
 * {@link #apply(byte[], byte[])} by whatever reads the topic: a {@link MetadataCatalogReader} in plain clients, the
 * global store processor of {@link MetadataGlobalStore} in topologies (also inside {@code TopologyTestDriver}), or a
 * test that applies planned entries directly.
 *
 * <p>Thread-safe: updates are serialized, lookups never block and see each entry either entirely or not at all.
 * Entries may arrive in any order. Schemas are parsed once per entry; datum readers and writers are cached per
 * (writer id, reader id) pair and reused, since Avro's {@link GenericDatumReader} caches its resolver per schema
 * object identity.
 */
public final class MetadataCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataCatalog.class);

    private final Map<Integer, SchemaVersion> schemasById = new ConcurrentHashMap<>();
    private final Map<String, NavigableMap<Integer, SchemaVersion>> schemasBySubject = new ConcurrentHashMap<>();
    private final Map<String, NavigableMap<Integer, DatasetVersion>> datasetsByName = new ConcurrentHashMap<>();
    private final Map<String, String> datasetNameByTopic = new ConcurrentHashMap<>();
    private final Map<Long, GenericDatumReader<GenericRecord>> genericReaders = new ConcurrentHashMap<>();
    private final Map<Integer, GenericDatumWriter<GenericRecord>> genericWriters = new ConcurrentHashMap<>();
    private final AtomicLong skippedRecords = new AtomicLong();
    private volatile int maximumSchemaId;
    private volatile long appliedRecords;

    /**
     * Applies one metadata topic record. A null value is a tombstone and removes the entry. A record whose key is not
     * canonical or whose value does not decode is logged and skipped, so one foreign record cannot stop every
     * client; {@link #skippedRecordCount()} counts them.
     */
    public void apply(byte[] key, byte[] value) {
        MetadataEntry entry;
        MetadataKey metadataKey;
        try {
            metadataKey = MetadataEntryCodec.decodeKey(key);
            entry = MetadataEntryCodec.decode(key, value, schemaJson -> parseReusingKnownSchema(metadataKey, schemaJson));
        } catch (InvalidMetadataEntryException exception) {
            skippedRecords.incrementAndGet();
            LOG.warn("Skipping metadata record: {}", exception.getMessage());
            return;
        }
        if (entry == null) {
            remove(metadataKey);
        } else {
            apply(entry);
        }
    }

    public void apply(MetadataRecord record) {
        apply(record.key(), record.value());
    }

    /** Applies decoded entries, e.g. the entries of a {@link RegistrationPlan}. */
    public void applyAll(List<? extends MetadataEntry> entries) {
        entries.forEach(this::apply);
    }

    public synchronized void apply(MetadataEntry entry) {
        Objects.requireNonNull(entry, "entry");
        if (entry instanceof SchemaVersion) {
            SchemaVersion version = (SchemaVersion) entry;
            SchemaVersion replaced = schemasBySubject
                .computeIfAbsent(version.subject(), subject -> new ConcurrentSkipListMap<>())
                .put(version.version(), version);
            if (replaced != null && replaced.id() != version.id()) {
                schemasById.remove(replaced.id(), replaced);
            }
            schemasById.put(version.id(), version);
            if (version.id() > maximumSchemaId) {
                maximumSchemaId = version.id();
            }
            notifyAll();
        } else {
            DatasetVersion version = (DatasetVersion) entry;
            datasetsByName.computeIfAbsent(version.name(), name -> new ConcurrentSkipListMap<>())
                .put(version.version(), version);
            indexTopic(version.name());
        }
        appliedRecords++;
    }

    /** Removes the entry under a key (a tombstone). The highest id seen stays, so ids are never handed out twice here. */
    public synchronized void remove(MetadataKey key) {
        if (key.kind() == MetadataKey.Kind.SCHEMA) {
            NavigableMap<Integer, SchemaVersion> versions = schemasBySubject.get(key.name());
            SchemaVersion removed = versions == null ? null : versions.remove(key.version());
            if (removed != null) {
                schemasById.remove(removed.id(), removed);
            }
        } else {
            NavigableMap<Integer, DatasetVersion> versions = datasetsByName.get(key.name());
            if (versions != null && versions.remove(key.version()) != null) {
                indexTopic(key.name());
            }
        }
        appliedRecords++;
    }

    private void indexTopic(String datasetName) {
        datasetNameByTopic.values().remove(datasetName);
        latestDatasetVersion(datasetName)
            .filter(version -> !version.deleted())
            .ifPresent(version -> datasetNameByTopic.put(version.metadata().topic(), datasetName));
    }

    /** A rewrite of a version (a soft delete) keeps the parsed schema object, and with it every cached reader. */
    private Schema parseReusingKnownSchema(MetadataKey key, String schemaJson) {
        if (key.kind() == MetadataKey.Kind.SCHEMA) {
            Optional<SchemaVersion> existing = schemaVersion(key.name(), key.version());
            if (existing.isPresent() && existing.get().schemaJson().equals(schemaJson)) {
                return existing.get().schema();
            }
        }
        return MetadataEntryCodec.parseSchema(schemaJson);
    }

    /** A schema version by global id, deleted or not (data written with a deleted version must stay readable). */
    public Optional<SchemaVersion> schemaById(int id) {
        return Optional.ofNullable(schemasById.get(id));
    }

    /**
     * A schema version by global id; when the id is greater than any id seen so far, waits up to {@code maximumWait}
     * for the catalog to catch up (ids only increase, so a record may name a version registered a moment ago). An id
     * at or below the highest one seen that is still unknown is reported at once.
     */
    public Optional<SchemaVersion> awaitSchemaById(int id, Duration maximumWait) {
        SchemaVersion known = schemasById.get(id);
        if (known != null || id <= maximumSchemaId || maximumWait.isZero() || maximumWait.isNegative()) {
            return Optional.ofNullable(known);
        }
        long deadline = System.nanoTime() + maximumWait.toNanos();
        synchronized (this) {
            while (!schemasById.containsKey(id) && id > maximumSchemaId) {
                long remainingMillis = (deadline - System.nanoTime()) / 1_000_000L;
                if (remainingMillis <= 0) {
                    break;
                }
                try {
                    wait(remainingMillis);
                } catch (InterruptedException exception) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return Optional.ofNullable(schemasById.get(id));
    }

    public Optional<SchemaVersion> schemaVersion(String subject, int version) {
        NavigableMap<Integer, SchemaVersion> versions = schemasBySubject.get(subject);
        return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(version));
    }

    /** The highest-numbered version of a subject that is not soft-deleted. */
    public Optional<SchemaVersion> latestSchemaVersion(String subject) {
        NavigableMap<Integer, SchemaVersion> versions = schemasBySubject.get(subject);
        if (versions == null) {
            return Optional.empty();
        }
        for (SchemaVersion version : versions.descendingMap().values()) {
            if (!version.deleted()) {
                return Optional.of(version);
            }
        }
        return Optional.empty();
    }

    /** Every version of a subject, soft-deleted ones included, oldest first. */
    public List<SchemaVersion> schemaVersions(String subject) {
        NavigableMap<Integer, SchemaVersion> versions = schemasBySubject.get(subject);
        return versions == null ? List.of() : List.copyOf(versions.values());
    }

    /** The versions of a subject that are not soft-deleted, oldest first. */
    public List<SchemaVersion> activeSchemaVersions(String subject) {
        List<SchemaVersion> active = new ArrayList<>();
        for (SchemaVersion version : schemaVersions(subject)) {
            if (!version.deleted()) {
                active.add(version);
            }
        }
        return active;
    }

    /** The highest version number ever used by a subject (soft-deleted versions included), 0 if none. */
    public int highestSchemaVersionNumber(String subject) {
        NavigableMap<Integer, SchemaVersion> versions = schemasBySubject.get(subject);
        return versions == null || versions.isEmpty() ? 0 : versions.lastKey();
    }

    /** The active version of a subject that is the same schema (see {@link SchemaIdentity}), if any. */
    public Optional<SchemaVersion> findSchemaVersion(String subject, Schema schema) {
        return findSchemaVersion(subject, SchemaIdentity.of(schema));
    }

    public Optional<SchemaVersion> findSchemaVersion(String subject, SchemaIdentity identity) {
        for (SchemaVersion version : activeSchemaVersions(subject)) {
            if (version.fingerprint() == identity.fingerprint() && version.identity().equals(identity)) {
                return Optional.of(version);
            }
        }
        return Optional.empty();
    }

    /** Subjects with at least one version, sorted. */
    public List<String> subjects() {
        return List.copyOf(new TreeSet<>(schemasBySubject.keySet()));
    }

    /** The current metadata of a dataset: its latest version, unless that version soft-deletes it. */
    public Optional<DatasetVersion> dataset(String name) {
        return latestDatasetVersion(name).filter(version -> !version.deleted());
    }

    /** The latest metadata version of a dataset, even if it soft-deletes the dataset. */
    public Optional<DatasetVersion> latestDatasetVersion(String name) {
        NavigableMap<Integer, DatasetVersion> versions = datasetsByName.get(name);
        if (versions == null || versions.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(versions.lastEntry().getValue());
    }

    public Optional<DatasetVersion> datasetVersion(String name, int version) {
        NavigableMap<Integer, DatasetVersion> versions = datasetsByName.get(name);
        return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(version));
    }

    /** Every metadata version of a dataset, oldest first. */
    public List<DatasetVersion> datasetVersions(String name) {
        NavigableMap<Integer, DatasetVersion> versions = datasetsByName.get(name);
        return versions == null ? List.of() : List.copyOf(versions.values());
    }

    /** The current metadata of every dataset that is not soft-deleted, sorted by name. */
    public List<DatasetVersion> datasets() {
        List<DatasetVersion> result = new ArrayList<>();
        for (String name : new TreeSet<>(datasetsByName.keySet())) {
            dataset(name).ifPresent(result::add);
        }
        return result;
    }

    /** Names of every dataset ever registered, soft-deleted ones included, sorted. */
    public List<String> datasetNames() {
        return List.copyOf(new TreeSet<>(datasetsByName.keySet()));
    }

    /** The active dataset publishing to a topic. */
    public Optional<DatasetVersion> datasetForTopic(String topic) {
        String name = datasetNameByTopic.get(topic);
        return name == null ? Optional.empty() : dataset(name);
    }

    /** Version {@code version} of the value schema of a dataset, i.e. the lookup by (dataset, version). */
    public Optional<SchemaVersion> schemaForDataset(String datasetName, int version) {
        return dataset(datasetName).flatMap(dataset -> schemaVersion(dataset.metadata().valueSubject(), version));
    }

    /** The latest active value schema of a dataset. */
    public Optional<SchemaVersion> latestSchemaForDataset(String datasetName) {
        return dataset(datasetName).flatMap(dataset -> latestSchemaVersion(dataset.metadata().valueSubject()));
    }

    /**
     * A shared reader that decodes data written with schema {@code writerId} as schema {@code readerId}; one instance
     * per pair, so Avro's resolver cache is hit on every record.
     */
    public Optional<GenericDatumReader<GenericRecord>> genericReader(int writerId, int readerId) {
        SchemaVersion writer = schemasById.get(writerId);
        SchemaVersion reader = schemasById.get(readerId);
        if (writer == null || reader == null) {
            return Optional.empty();
        }
        long pair = ((long) writerId << 32) | (readerId & 0xFFFFFFFFL);
        return Optional.of(genericReaders.computeIfAbsent(pair,
            ignored -> new GenericDatumReader<>(writer.schema(), reader.schema())));
    }

    /** A shared writer for schema {@code id}. */
    public Optional<GenericDatumWriter<GenericRecord>> genericWriter(int id) {
        SchemaVersion version = schemasById.get(id);
        return version == null ? Optional.empty()
            : Optional.of(genericWriters.computeIfAbsent(id, ignored -> new GenericDatumWriter<>(version.schema())));
    }

    /** The highest global schema id seen, 0 when none. */
    public int maximumSchemaId() {
        return maximumSchemaId;
    }

    /** Counts ids up to {@code id} as taken, so the next id handed out is above it (see {@link FramedSchemaIds}). */
    synchronized void reserveSchemaIdsThrough(int id) {
        if (id > maximumSchemaId) {
            maximumSchemaId = id;
        }
    }

    public int schemaVersionCount() {
        return schemasById.size();
    }

    public int datasetVersionCount() {
        int count = 0;
        for (NavigableMap<Integer, DatasetVersion> versions : datasetsByName.values()) {
            count += versions.size();
        }
        return count;
    }

    /** Records applied so far (entries and tombstones), for progress reporting. */
    public long appliedRecordCount() {
        return appliedRecords;
    }

    /** Records that were not canonical metadata entries and were skipped. */
    public long skippedRecordCount() {
        return skippedRecords.get();
    }

    /** An independent copy with the same entries (parsed schemas are shared, they are immutable in use). */
    public synchronized MetadataCatalog copy() {
        MetadataCatalog copy = new MetadataCatalog();
        schemasBySubject.forEach((subject, versions) ->
            copy.schemasBySubject.put(subject, new ConcurrentSkipListMap<>(versions)));
        copy.schemasById.putAll(schemasById);
        datasetsByName.forEach((name, versions) -> copy.datasetsByName.put(name, new ConcurrentSkipListMap<>(versions)));
        copy.datasetNameByTopic.putAll(datasetNameByTopic);
        copy.maximumSchemaId = maximumSchemaId;
        copy.appliedRecords = appliedRecords;
        return copy;
    }
}
