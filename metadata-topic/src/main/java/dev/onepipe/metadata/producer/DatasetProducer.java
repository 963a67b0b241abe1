package dev.onepipe.metadata.producer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
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
    public DatasetProducer(final Map<String, Object> clientConfig, final MetadataCatalog catalog) {
        this(clientConfig, catalog, null);
    }

    private DatasetProducer(final Map<String, Object> clientConfig, final MetadataCatalog catalog,
                            final MetadataCatalogReader ownedReader) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.ownedReader = ownedReader;
        this.producer = new KafkaProducer<>(producerConfig(clientConfig), new ByteArraySerializer(),
            new ByteArraySerializer());
    }

    /** A producer with its own catalog reader on the default metadata topic, ready when returned. */
    public static DatasetProducer connect(final Map<String, Object> clientConfig) throws InterruptedException {
        return connect(clientConfig, MetadataTopic.DEFAULT_NAME, Duration.ofSeconds(60));
    }

    /**
     * A producer with its own catalog reader, ready when returned.
     *
     * @throws IllegalStateException when the catalog is not ready within {@code readyTimeout}
     */
    public static DatasetProducer connect(final Map<String, Object> clientConfig, final String metadataTopic,
                                          final Duration readyTimeout) throws InterruptedException {
        final MetadataCatalogReader reader = MetadataCatalogReader.start(clientConfig, metadataTopic);
        try {
            if (!reader.awaitReady(readyTimeout)) {
                throw new IllegalStateException("Metadata topic " + metadataTopic + " was not read within " + readyTimeout);
            }
            return new DatasetProducer(clientConfig, reader.catalog(), reader);
        } catch (final RuntimeException | InterruptedException exception) {
            reader.close();
            throw exception;
        }
    }

    static Map<String, Object> producerConfig(final Map<String, Object> clientConfig) {
        final Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        return config;
    }

    /** Sends a record keyed by the dataset's unique key. */
    public Future<RecordMetadata> send(final String dataset, final IndexedRecord record) {
        return send(dataset, null, record, null);
    }

    /** Sends a record keyed by the dataset's unique key; the callback runs when the broker acknowledges it. */
    public Future<RecordMetadata> send(final String dataset, final IndexedRecord record, final Callback callback) {
        return send(dataset, null, record, callback);
    }

    /**
     * Sends a record with an explicit key (its UTF-8 bytes), or keyed by the unique key when {@code key} is null.
     *
     * @throws WireFormatException when the record is not valid for a registered schema of the dataset; nothing is sent
     */
    public Future<RecordMetadata> send(final String dataset, final String key, final IndexedRecord record,
                                       final Callback callback) {
        return send(dataset, key, record, null, callback);
    }

    /**
     * Sends a record with an explicit key (or the unique key when {@code key} is null) and record timestamp (or the
     * producer's clock when {@code timestampMillis} is null), e.g. the event's own time when republishing history.
     *
     * @throws WireFormatException when the record is not valid for a registered schema of the dataset; nothing is sent
     */
    public Future<RecordMetadata> send(final String dataset, final String key, final IndexedRecord record,
                                       final Long timestampMillis, final Callback callback) {
        Objects.requireNonNull(record, "record");
        final DatasetVersion version = dataset(dataset);
        final String topic = version.metadata().topic();
        final byte[] value = serializer(dataset).serialize(topic, record);
        final byte[] keyBytes;
        if (key != null) {
            keyBytes = key.getBytes(StandardCharsets.UTF_8);
        } else {
            try {
                keyBytes = keyEncoder(version).encodeToBytes(record);
            } catch (final IllegalArgumentException exception) {
                throw new WireFormatException(WireFormatException.Reason.INVALID_FOR_SCHEMA, topic, null, null,
                    exception.getMessage(), exception);
            }
        }
        return producer.send(new ProducerRecord<>(topic, null, timestampMillis, keyBytes, value), callback);
    }

    /**
     * Converts natural JSON with the dataset's latest schema and sends it.
     *
     * @throws JsonConversionException naming the field when the JSON does not fit; nothing is sent
     */
    public Future<RecordMetadata> sendJson(final String dataset, final String json, final Callback callback) {
        return send(dataset, null, fromJson(dataset, json), callback);
    }

    public Future<RecordMetadata> sendJson(final String dataset, final String json) {
        return sendJson(dataset, json, null);
    }

    /** Converts natural JSON to a record of the dataset's latest schema, without sending. */
    public GenericRecord fromJson(final String dataset, final String json) {
        final SchemaVersion latest = catalog.latestSchemaVersion(dataset(dataset).metadata().valueSubject())
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

    private DatasetVersion dataset(final String dataset) {
        return catalog.dataset(dataset).orElseThrow(() -> new WireFormatException(
            WireFormatException.Reason.UNKNOWN_DATASET, null, null, null,
            "dataset '" + dataset + "' is not registered", null));
    }

    private DatasetSerializer<IndexedRecord> serializer(final String dataset) {
        return serializers.computeIfAbsent(dataset, name -> new DatasetSerializer<>(catalog, name));
    }

    private UniqueKeyEncoder keyEncoder(final DatasetVersion version) {
        final KeyEncoding current = keyEncoders.get(version.name());
        if (current != null && current.version == version) {
            return current.encoder;
        }
        final KeyEncoding created = new KeyEncoding(version, UniqueKeyEncoder.forDataset(version.metadata()));
        keyEncoders.put(version.name(), created);
        return created.encoder;
    }

    private static final class KeyEncoding {

        private final DatasetVersion version;
        private final UniqueKeyEncoder encoder;

        KeyEncoding(final DatasetVersion version, final UniqueKeyEncoder encoder) {
            this.version = version;
            this.encoder = encoder;
        }
    }
}
