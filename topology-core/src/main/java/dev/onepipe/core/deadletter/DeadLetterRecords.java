package dev.onepipe.core.deadletter;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

import dev.onepipe.metadata.serde.WireFormatException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/** Builds the dead-letter records the exception handlers hand back to Kafka Streams. */
final class DeadLetterRecords {

    static final String DESERIALIZATION_FAILED = "DESERIALIZATION_FAILED";
    static final String SERIALIZATION_FAILED = "SERIALIZATION_FAILED";
    static final String PRODUCTION_FAILED = "PRODUCTION_FAILED";

    private DeadLetterRecords() {
    }

    /** What failed, where, and the bytes to keep. */
    static final class Failure {
        private final DeadLetterStage stage;
        private final Exception exception;
        private final String sourceTopic;
        private final int sourcePartition;
        private final long sourceOffset;
        private final long timestamp;
        private final Headers originalHeaders;
        private String targetTopic;
        private String processor;
        private byte[] key;
        private byte[] value;
        private DeadLetterPayload payload = DeadLetterPayload.SOURCE_RECORD;

        Failure(DeadLetterStage stage, Exception exception, String sourceTopic, int sourcePartition, long sourceOffset,
                long timestamp, Headers originalHeaders) {
            this.stage = Objects.requireNonNull(stage, "stage");
            this.exception = Objects.requireNonNull(exception, "exception");
            this.sourceTopic = sourceTopic;
            this.sourcePartition = sourcePartition;
            this.sourceOffset = sourceOffset;
            this.timestamp = timestamp;
            this.originalHeaders = originalHeaders;
        }

        static Failure at(DeadLetterStage stage, Exception exception, ErrorHandlerContext context) {
            return new Failure(stage, exception, context.topic(), context.partition(), context.offset(), context.timestamp(),
                    context.headers()).processor(context.processorNodeId());
        }

        Failure bytes(byte[] recordKey, byte[] recordValue, DeadLetterPayload recordPayload) {
            this.key = recordKey;
            this.value = recordValue;
            this.payload = recordPayload;
            return this;
        }

        /** The source record's bytes if Kafka Streams still holds them, else {@code failed} rendered as text. */
        Failure sourceBytesOrRendered(ErrorHandlerContext context, Object failedKey, Object failedValue) {
            if (context.sourceRawKey() != null || context.sourceRawValue() != null) {
                return bytes(context.sourceRawKey(), context.sourceRawValue(), DeadLetterPayload.SOURCE_RECORD);
            }
            return bytes(failedKey == null ? null : failedKey.toString().getBytes(StandardCharsets.UTF_8),
                    failedValue == null ? null : failedValue.toString().getBytes(StandardCharsets.UTF_8),
                    DeadLetterPayload.RENDERED_RECORD);
        }

        Failure targetTopic(String topic) {
            this.targetTopic = topic;
            return this;
        }

        Failure processor(String processorNodeId) {
            this.processor = processorNodeId;
            return this;
        }

        String sourceTopic() {
            return sourceTopic;
        }
    }

    /** The reason code of a failure: the wire-format reason, the topology's own code, or one per stage. */
    static String reason(DeadLetterStage stage, Exception exception) {
        for (Throwable current = exception; current != null; current = current.getCause()) {
            if (current instanceof WireFormatException) {
                return ((WireFormatException) current).reason().name();
            }
            if (current instanceof DeadLetterException) {
                return ((DeadLetterException) current).reason();
            }
        }
        switch (stage) {
            case DESERIALIZATION:
                return DESERIALIZATION_FAILED;
            case SERIALIZATION:
                return SERIALIZATION_FAILED;
            case PRODUCTION:
                return PRODUCTION_FAILED;
            default:
                return exception.getClass().getSimpleName();
        }
    }

    static ProducerRecord<byte[], byte[]> build(String deadLetterTopic, Failure failure, String applicationId, Instant time) {
        Headers headers = new RecordHeaders();
        if (failure.originalHeaders != null) {
            for (Header header : failure.originalHeaders) {
                headers.add(header);
            }
        }
        Throwable described = describedException(failure.exception);
        add(headers, DeadLetterHeaders.REASON, reason(failure.stage, failure.exception));
        add(headers, DeadLetterHeaders.MESSAGE, String.valueOf(described.getMessage()));
        add(headers, DeadLetterHeaders.EXCEPTION, described.getClass().getName());
        add(headers, DeadLetterHeaders.STAGE, failure.stage.name());
        add(headers, DeadLetterHeaders.SOURCE_TOPIC, failure.sourceTopic);
        if (failure.sourceTopic != null) {
            add(headers, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(failure.sourcePartition));
            add(headers, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(failure.sourceOffset));
        }
        add(headers, DeadLetterHeaders.TARGET_TOPIC, failure.targetTopic);
        add(headers, DeadLetterHeaders.PAYLOAD, failure.payload.name());
        if (described instanceof WireFormatException) {
            WireFormatException wireFormat = (WireFormatException) described;
            wireFormat.schemaId().ifPresent(id -> add(headers, DeadLetterHeaders.SCHEMA_ID, Integer.toString(id)));
            wireFormat.fieldPath().ifPresent(field -> add(headers, DeadLetterHeaders.FIELD, field));
        }
        add(headers, DeadLetterHeaders.APPLICATION_ID, applicationId);
        add(headers, DeadLetterHeaders.PROCESSOR, failure.processor);
        add(headers, DeadLetterHeaders.TIME, time.toString());
        // The original timestamp keeps event time intact when the record is replayed.
        Long timestamp = failure.timestamp >= 0 ? failure.timestamp : null;
        return new ProducerRecord<>(deadLetterTopic, null, timestamp, failure.key, failure.value, headers);
    }

    /** The exception that says what went wrong: the wire-format or dead-letter exception inside any wrapper. */
    private static Throwable describedException(Exception exception) {
        for (Throwable current = exception; current != null; current = current.getCause()) {
            if (current instanceof WireFormatException || current instanceof DeadLetterException) {
                return current;
            }
        }
        return exception;
    }

    private static void add(Headers headers, String key, String value) {
        if (value != null) {
            headers.add(key, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
