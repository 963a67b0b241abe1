package dev.onepipe.metadata.producer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;

import dev.onepipe.metadata.DatasetVersion;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataCatalogReader;
import dev.onepipe.metadata.MetadataTopic;
import dev.onepipe.metadata.SchemaVersion;
import dev.onepipe.metadata.serde.DatasetSerializer;
import dev.onepipe.metadata.serde.UniqueKeyEncoder;
import dev.onepipe.metadata.serde.WireFormatException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The one way applications publish to a registered dataset. It takes Avro records (generic or specific) or natural
 * JSON, validates each against the dataset's registered schema before anything is sent (an invalid record throws
 * {@link WireFormatException} or {@link JsonConversionException} from {@code send}, and nothing reaches the topic),
 * writes the wire format, keys the record by the dataset's unique key ({@link UniqueKeyEncoder}) unless a key is
 * given, and sends with idempotence and {@code acks=all}, to the dataset's topic. Thread-safe.
 *
 * <p><b>Record timestamp.</b> Unless a timestamp is given, a record of a dataset with an {@code eventTimeField} is
 * stamped with that field's value in epoch milliseconds ({@code timestamp-micros}/{@code -nanos} divided down, rounding
 * towards the past; {@code local-timestamp-*} read as UTC), so everything that works by record time (the raw archive's
 * {@code dt=}/{@code hour=} layout, {@code replay --from/--to}, windows) sees when the event happened, not when it was
 * published. A dataset without an event-time field, or a record whose event time is null, gets the producer's clock,
 * as Kafka does. An event time before 1970 cannot be a Kafka timestamp and is refused.
 */
public final class DatasetProducer implements AutoCloseable {

    private final Producer<byte[], byte[]> producer;
    private final MetadataCatalog catalog;
    private final MetadataCatalogReader ownedReader;
    private final Map<String, DatasetSerializer<IndexedRecord>> serializers = new ConcurrentHashMap<>();
    private final Map<String, KeyEncoding> keyEncoders = new ConcurrentHashMap<>();

    /**
     * A producer resolving datasets from a catalog the caller keeps up to date.
     *
     * @param clientConfig Kafka producer settings, at least {@code bootstrap.servers}; idempotence and
     *                     {@code acks=all} are always set
     */
    public DatasetProducer(Map<String, Object> clientConfig, MetadataCatalog catalog) {
        this(clientConfig, catalog, null);
    }

    private DatasetProducer(Map<String, Object> clientConfig, MetadataCatalog catalog,
                            MetadataCatalogReader ownedReader) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.ownedReader = ownedReader;
        this.producer = new KafkaProducer<>(producerConfig(clientConfig), new ByteArraySerializer(),
            new ByteArraySerializer());
    }

    /** A producer with its own catalog reader on the default metadata topic, ready when returned. */
    public static DatasetProducer connect(Map<String, Object> clientConfig) throws InterruptedException {
        return connect(clientConfig, MetadataTopic.DEFAULT_NAME, Duration.ofSeconds(60));
    }

    /**
     * A producer with its own catalog reader, ready when returned.
     *
     * @throws IllegalStateException when the catalog is not ready within {@code readyTimeout}
     */
    public static DatasetProducer connect(Map<String, Object> clientConfig, String metadataTopic,
                                          Duration readyTimeout) throws InterruptedException {
        MetadataCatalogReader reader = MetadataCatalogReader.start(clientConfig, metadataTopic);
        try {
            if (!reader.awaitReady(readyTimeout)) {
                throw new IllegalStateException("Metadata topic " + metadataTopic + " was not read within " + readyTimeout);
            }
            return new DatasetProducer(clientConfig, reader.catalog(), reader);
        } catch (RuntimeException | InterruptedException exception) {
            reader.close();
            throw exception;
        }
    }

    static Map<String, Object> producerConfig(Map<String, Object> clientConfig) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        return config;
    }

    /** Sends a record keyed by the dataset's unique key. */
    public Future<RecordMetadata> send(String dataset, IndexedRecord record) {
        return send(dataset, null, record, null);
    }

    /** Sends a record keyed by the dataset's unique key; the callback runs when the broker acknowledges it. */
    public Future<RecordMetadata> send(String dataset, IndexedRecord record, Callback callback) {
        return send(dataset, null, record, callback);
    }

    /**
     * Sends a record with an explicit key (its UTF-8 bytes), or keyed by the unique key when {@code key} is null.
     *
     * @throws WireFormatException when the record is not valid for a registered schema of the dataset; nothing is sent
     */
    public Future<RecordMetadata> send(String dataset, String key, IndexedRecord record,
                                       Callback callback) {
        return send(dataset, key, record, null, callback);
    }

    /**
     * Sends a record with an explicit key (or the unique key when {@code key} is null) and record timestamp (when
     * {@code timestampMillis} is null: the record's event time, or the producer's clock for a dataset without one).
     *
     * @throws WireFormatException when the record is not valid for a registered schema of the dataset, or its event
     *                             time is before 1970; nothing is sent
     */
    public Future<RecordMetadata> send(String dataset, String key, IndexedRecord record,
                                       Long timestampMillis, Callback callback) {
        return producer.send(producerRecord(dataset, key, record, timestampMillis), callback);
    }

    /**
     * The Kafka record {@link #send(String, String, IndexedRecord, Long, Callback)} would send, for a caller that sends
     * through its own producer (e.g. a transactional one): topic, key, value and timestamp, no partition (the default
     * partitioner hashes the key, as for every record sent here).
     *
     * @throws WireFormatException when the record is not valid for a registered schema of the dataset, or its event
     *                             time is before 1970
     */
    public ProducerRecord<byte[], byte[]> producerRecord(String dataset, String key, IndexedRecord record,
                                                         Long timestampMillis) {
        Objects.requireNonNull(record, "record");
        DatasetVersion version = dataset(dataset);
        String topic = version.metadata().topic();
        byte[] value = serializer(dataset).serialize(topic, record);
        byte[] keyBytes;
        if (key != null) {
            keyBytes = key.getBytes(StandardCharsets.UTF_8);
        } else {
            try {
                keyBytes = keyEncoder(version).encodeToBytes(record);
            } catch (IllegalArgumentException exception) {
                throw new WireFormatException(WireFormatException.Reason.INVALID_FOR_SCHEMA, topic, null, null,
                    exception.getMessage(), exception);
            }
        }
        Long timestamp = timestampMillis != null ? timestampMillis : eventTimeMillis(version, topic, record);
        return new ProducerRecord<>(topic, null, timestamp, keyBytes, value);
    }

    /**
     * The record's event time in epoch milliseconds, or {@code null} (the producer's clock) when the dataset has no
     * event-time field or the record's is null.
     *
     * @throws WireFormatException when the event time is before 1970 (Kafka refuses negative timestamps)
     */
    static Long eventTimeMillis(DatasetVersion version, String topic, IndexedRecord record) {
        Optional<String> fieldName = version.metadata().eventTimeField();
        if (fieldName.isEmpty()) {
            return null;
        }
        Schema.Field field = record.getSchema().getField(fieldName.get());
        if (field == null) {
            return null;
        }
        Object value = record.get(field.pos());
        Long millis;
        if (value instanceof Instant) {
            millis = ((Instant) value).toEpochMilli();
        } else if (value instanceof LocalDateTime) {
            millis = ((LocalDateTime) value).toInstant(ZoneOffset.UTC).toEpochMilli();
        } else if (value instanceof Long) {
            millis = toMillis((Long) value, logicalTypeName(field.schema()));
        } else {
            millis = null;
        }
        if (millis != null && millis < 0) {
            throw new WireFormatException(WireFormatException.Reason.INVALID_FOR_SCHEMA, topic, null, field.name(),
                "event time " + Instant.ofEpochMilli(millis) + " of field '" + field.name()
                    + "' is before 1970-01-01T00:00:00Z: a Kafka record timestamp cannot be negative", null);
        }
        return millis;
    }

    private static long toMillis(long value, String logicalType) {
        if (logicalType == null) {
            return value;
        }
        switch (logicalType) {
            case "timestamp-micros":
            case "local-timestamp-micros":
                return Math.floorDiv(value, 1_000L);
            case "timestamp-nanos":
            case "local-timestamp-nanos":
                return Math.floorDiv(value, 1_000_000L);
            default:
                return value;
        }
    }

    /** The logical type of a long, or of the non-null branch of a nullable long. */
    private static String logicalTypeName(Schema schema) {
        if (schema.getType() == Schema.Type.UNION) {
            for (Schema branch : schema.getTypes()) {
                if (branch.getType() == Schema.Type.LONG) {
                    return logicalTypeName(branch);
                }
            }
            return null;
        }
        return schema.getLogicalType() == null ? null : schema.getLogicalType().getName();
    }

    /**
     * Converts natural JSON with the dataset's latest schema and sends it.
     *
     * @throws JsonConversionException naming the field when the JSON does not fit; nothing is sent
     */
    public Future<RecordMetadata> sendJson(String dataset, String json, Callback callback) {
        return send(dataset, null, fromJson(dataset, json), callback);
    }

    public Future<RecordMetadata> sendJson(String dataset, String json) {
        return sendJson(dataset, json, null);
    }

    /** Converts natural JSON to a record of the dataset's latest schema, without sending. */
    public GenericRecord fromJson(String dataset, String json) {
        SchemaVersion latest = catalog.latestSchemaVersion(dataset(dataset).metadata().valueSubject())
            .orElseThrow(() -> new WireFormatException(WireFormatException.Reason.UNKNOWN_DATASET, null, null, null,
                "dataset '" + dataset + "' has no active schema version", null));
        return JsonRecordConverter.convert(latest.schema(), json);
    }

    public MetadataCatalog catalog() {
        return catalog;
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
        if (ownedReader != null) {
            ownedReader.close();
        }
    }

    private DatasetVersion dataset(String dataset) {
        return catalog.dataset(dataset).orElseThrow(() -> new WireFormatException(
            WireFormatException.Reason.UNKNOWN_DATASET, null, null, null,
            "dataset '" + dataset + "' is not registered", null));
    }

    private DatasetSerializer<IndexedRecord> serializer(String dataset) {
        return serializers.computeIfAbsent(dataset, name -> new DatasetSerializer<>(catalog, name));
    }

    private UniqueKeyEncoder keyEncoder(DatasetVersion version) {
        KeyEncoding current = keyEncoders.get(version.name());
        if (current != null && current.version == version) {
            return current.encoder;
        }
        KeyEncoding created = new KeyEncoding(version, UniqueKeyEncoder.forDataset(version.metadata()));
        keyEncoders.put(version.name(), created);
        return created.encoder;
    }

    private static final class KeyEncoding {

        private final DatasetVersion version;
        private final UniqueKeyEncoder encoder;

        KeyEncoding(DatasetVersion version, UniqueKeyEncoder encoder) {
            this.version = version;
            this.encoder = encoder;
        }
    }
}
