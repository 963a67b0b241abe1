package dev.onepipe.campaign;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.onepipe.metadata.DatasetVersion;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.serde.DatasetDeserializer;
import dev.onepipe.metadata.serde.DatasetSerdes;
import dev.onepipe.metadata.serde.WireFormat;
import dev.onepipe.metadata.serde.WireFormatException;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Ingest: reads wire-format values of a registered dataset. A value that cannot be read is counted as
 * {@link DropReason#CORRUPT} and passed on as corrupt bytes for the dead-letter topic, instead of stopping the
 * application. A readable record gets its dataset's event time as the record timestamp, so every window and join
 * downstream works in event time whatever timestamp the producer set; an event time that cannot be a record timestamp
 * (before 1970, or further ahead than the broker accepts) makes the record a dead letter too.
 *
 * <p>A schema id the catalog does not know yet gets the deserializer's short wait for the registry to catch up, once:
 * the same unknown id then fails at once for a while, in every task of the application instance ({@link UnknownSchemaIds}),
 * so records with a bogus id do not stall the stream thread for the wait on every one of them.
 */
public final class DatasetRecordDecoder implements FixedKeyProcessor<String, byte[], DecodedValue> {

    public static final String ERROR_HEADER = "onepipe.error";
    /**
     * How long a record with a schema id newer than the catalog waits for the catalog: the global store applies a new
     * registration within a poll of the metadata topic, and every other record of the task waits meanwhile.
     */
    static final Duration UNKNOWN_ID_WAIT = Duration.ofMillis(500);
    /** How far ahead of the wall clock an event time may be: the broker default of {@code log.message.timestamp.after.max.ms}. */
    static final Duration MAX_EVENT_TIME_AHEAD = Duration.ofHours(1);

    private final MetadataCatalog catalog;
    private final String dataset;
    private final String metricsLabel;
    private FixedKeyProcessorContext<String, DecodedValue> context;
    private Deserializer<GenericRecord> deserializer;
    private DropMetrics dropMetrics;
    private String eventTimeField;
    private final UnknownSchemaIds unknownSchemaIds;
    private final List<String> projectedFields;

    /** Schema ids not found in the catalog, and when; shared by the decoders of one dataset in one application instance. */
    public static final class UnknownSchemaIds {

        /** How long a schema id that was not found is refused without asking the catalog again. */
        static final long MEMORY_MILLIS = 30_000;
        private final Map<Integer, Long> refusedAt = new ConcurrentHashMap<>();
    }

    public DatasetRecordDecoder(MetadataCatalog catalog, String dataset, String metricsLabel, UnknownSchemaIds unknownSchemaIds) {
        this(catalog, dataset, metricsLabel, unknownSchemaIds, List.of());
    }

    /**
     * @param projectedFields the only fields to decode (the event-time field among them), or empty for the whole record
     */
    public DatasetRecordDecoder(MetadataCatalog catalog, String dataset, String metricsLabel, UnknownSchemaIds unknownSchemaIds,
                                List<String> projectedFields) {
        this.catalog = catalog;
        this.dataset = dataset;
        this.metricsLabel = metricsLabel;
        this.unknownSchemaIds = unknownSchemaIds;
        this.projectedFields = List.copyOf(projectedFields);
    }

    @Override
    public void init(FixedKeyProcessorContext<String, DecodedValue> context) {
        this.context = context;
        this.deserializer = projectedFields.isEmpty()
                ? DatasetSerdes.generic(catalog, dataset, UNKNOWN_ID_WAIT).deserializer()
                : DatasetDeserializer.readingProjection(catalog, dataset, projectedFields, UNKNOWN_ID_WAIT);
        this.dropMetrics = new DropMetrics(context.metrics(), metricsLabel);
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
        String topic = context.recordMetadata().map(metadata -> metadata.topic()).orElse(dataset);
        Integer knownUnknownId = recentlyUnknownSchemaId(record.value());
        if (knownUnknownId != null) {
            corrupt(record, "UNKNOWN_SCHEMA_ID: schema id " + knownUnknownId + " is not registered");
            return;
        }
        GenericRecord value;
        try {
            value = deserializer.deserialize(topic, record.value());
        } catch (WireFormatException e) {
            if (e.reason() == WireFormatException.Reason.UNKNOWN_SCHEMA_ID && e.schemaId().isPresent()) {
                unknownSchemaIds.refusedAt.put(e.schemaId().getAsInt(), System.currentTimeMillis());
            }
            corrupt(record, e.getMessage());
            return;
        } catch (SerializationException e) {
            corrupt(record, e.getMessage());
            return;
        }
        if (value == null) {
            corrupt(record, "null value");
            return;
        }
        long eventTime = eventTime(value, record.timestamp());
        Optional<String> unusable = unusableEventTime(eventTime, System.currentTimeMillis());
        if (unusable.isPresent()) {
            corrupt(record, unusable.get());
            return;
        }
        context.forward(record.withValue(DecodedValue.decoded(value)).withTimestamp(eventTime));
    }

    /**
     * Why an event time cannot become the timestamp of the record downstream, if it cannot: it is negative (a Kafka
     * record timestamp may not be, KIP-32), or further ahead of the wall clock than {@link #MAX_EVENT_TIME_AHEAD}, the
     * broker's default {@code log.message.timestamp.after.max.ms} (KIP-937), beyond which the repartition and changelog
     * topics this event would reach refuse it (the real clock, as the broker's, also under a test driver's mocked one). Such a record is one bad record: it goes to the dead-letter topic, and
     * never stops the stream thread.
     */
    static Optional<String> unusableEventTime(long eventTime, long wallClockMillis) {
        if (eventTime < 0) {
            return Optional.of("EVENT_TIME_OUT_OF_RANGE: event time " + eventTime + " ms (" + java.time.Instant.ofEpochMilli(eventTime)
                    + ") is before 1970-01-01T00:00:00Z; a Kafka record timestamp may not be negative");
        }
        if (eventTime - wallClockMillis > MAX_EVENT_TIME_AHEAD.toMillis()) {
            return Optional.of("EVENT_TIME_OUT_OF_RANGE: event time " + java.time.Instant.ofEpochMilli(eventTime) + " is more than "
                    + MAX_EVENT_TIME_AHEAD + " ahead of the clock (" + java.time.Instant.ofEpochMilli(wallClockMillis)
                    + "); Kafka brokers refuse such timestamps on the topics the event would reach");
        }
        return Optional.empty();
    }

    private Integer recentlyUnknownSchemaId(byte[] value) {
        if (unknownSchemaIds.refusedAt.isEmpty() || value == null || value.length < WireFormat.HEADER_LENGTH || value[0] != WireFormat.MAGIC_BYTE) {
            return null;
        }
        int schemaId = WireFormat.schemaId(value);
        Long refusedAt = unknownSchemaIds.refusedAt.get(schemaId);
        if (refusedAt == null) {
            return null;
        }
        if (System.currentTimeMillis() - refusedAt > UnknownSchemaIds.MEMORY_MILLIS || catalog.schemaById(schemaId).isPresent()) {
            unknownSchemaIds.refusedAt.remove(schemaId);
            return null;
        }
        return schemaId;
    }

    private void corrupt(FixedKeyRecord<String, byte[]> record, String error) {
        dropMetrics.record(DropReason.CORRUPT);
        record.headers().add(ERROR_HEADER, String.valueOf(error).getBytes(StandardCharsets.UTF_8));
        context.forward(record.withValue(DecodedValue.corrupt(record.value(), error)));
    }

    private long eventTime(GenericRecord value, long recordTimestamp) {
        if (eventTimeField == null) {
            eventTimeField = catalog.dataset(dataset).map(DatasetVersion::metadata).flatMap(metadata -> metadata.eventTimeField()).orElse("");
        }
        Object time = eventTimeField.isEmpty() || value.getSchema().getField(eventTimeField) == null ? null : value.get(eventTimeField);
        return time instanceof Long millis ? millis : recordTimestamp;
    }

    static Optional<String> field(GenericRecord record, String name) {
        Object value = record.getSchema().getField(name) == null ? null : record.get(name);
        return Optional.ofNullable(value).map(Object::toString);
    }
}
