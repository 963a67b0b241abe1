package dev.onepipe.core.dataset;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.onepipe.core.deadletter.DeadLetterException;
import dev.onepipe.metadata.serde.WireFormatException;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The decode step of {@link DatasetStreams#stream(String, Ingest)}: reads wire-format values of a registered dataset,
 * optionally only some fields, and optionally stamps each record with its event time. A value that cannot be read,
 * a null value (unless the ingest keeps tombstones, which go on as null values), and an event time that cannot be a
 * record timestamp (before 1970, or further ahead than the broker accepts) are counted as {@value DroppedRecordMetrics#CORRUPT} for the stream and thrown as a
 * {@link DeadLetterException}, so the record goes to the dead-letter topic with the {@code onepipe.dlq.*} headers and
 * its original bytes, and the application goes on.
 */
final class IngestDecoder implements FixedKeyProcessor<String, byte[], GenericRecord> {

    /** How far ahead of the wall clock an event time may be: the broker default of {@code log.message.timestamp.after.max.ms}. */
    static final Duration MAX_EVENT_TIME_AHEAD = Duration.ofHours(1);

    private final Deserializer<GenericRecord> deserializer;
    private final String stream;
    private final String eventTimeField;
    private final boolean tombstones;
    private FixedKeyProcessorContext<String, GenericRecord> context;
    private DroppedRecordMetrics dropped;

    /**
     * @param deserializer   reads the values; shared by every task, so an unknown schema id is waited for once
     * @param stream         the ingest's name, for the dropped-record metrics
     * @param eventTimeField the field whose value (ms since the epoch) becomes the record timestamp; null to keep it
     * @param tombstones     whether a null value goes on as null instead of to the dead letters
     */
    IngestDecoder(Deserializer<GenericRecord> deserializer, String stream, String eventTimeField, boolean tombstones) {
        this.deserializer = deserializer;
        this.stream = stream;
        this.eventTimeField = eventTimeField;
        this.tombstones = tombstones;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, GenericRecord> context) {
        this.context = context;
        this.dropped = new DroppedRecordMetrics(context.metrics(), stream);
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse(stream);
        GenericRecord value;
        try {
            value = deserializer.deserialize(topic, record.value());
        } catch (WireFormatException e) {
            throw rejected(e.reason().name(), e.getMessage(), e);
        } catch (SerializationException e) {
            throw rejected("DESERIALIZATION_FAILED", e.getMessage(), e);
        }
        if (value == null && tombstones) {
            context.forward(record.withValue(null));
            return;
        }
        if (value == null) {
            throw rejected("NULL_VALUE", "the record has no value (a tombstone), so no event to read", null);
        }
        if (eventTimeField == null) {
            context.forward(record.withValue(value));
            return;
        }
        Object time = value.getSchema().getField(eventTimeField) == null ? null : value.get(eventTimeField);
        long eventTime = time instanceof Long millis ? millis : record.timestamp();
        Optional<String> unusable = unusableEventTime(eventTime, System.currentTimeMillis());
        if (unusable.isPresent()) {
            throw rejected("EVENT_TIME_OUT_OF_RANGE", unusable.get(), null);
        }
        context.forward(record.withValue(value).withTimestamp(eventTime));
    }

    private DeadLetterException rejected(String reason, String message, Exception cause) {
        dropped.record(DroppedRecordMetrics.CORRUPT);
        return new DeadLetterException(reason, message, cause);
    }

    /**
     * Why an event time cannot become the timestamp of the record downstream, if it cannot: it is negative (a Kafka
     * record timestamp may not be, KIP-32), or further ahead of the wall clock than {@link #MAX_EVENT_TIME_AHEAD}, the
     * broker's default {@code log.message.timestamp.after.max.ms} (KIP-937), beyond which the repartition and changelog
     * topics this event would reach refuse it (the real clock, as the broker's, also under a test driver's mocked one).
     */
    static Optional<String> unusableEventTime(long eventTime, long wallClockMillis) {
        if (eventTime < 0) {
            return Optional.of("event time " + eventTime + " ms (" + Instant.ofEpochMilli(eventTime)
                    + ") is before 1970-01-01T00:00:00Z; a Kafka record timestamp may not be negative");
        }
        if (eventTime - wallClockMillis > MAX_EVENT_TIME_AHEAD.toMillis()) {
            return Optional.of("event time " + Instant.ofEpochMilli(eventTime) + " is more than " + MAX_EVENT_TIME_AHEAD
                    + " ahead of the clock (" + Instant.ofEpochMilli(wallClockMillis) + "); Kafka brokers refuse such timestamps on the topics the event would reach");
        }
        return Optional.empty();
    }
}
