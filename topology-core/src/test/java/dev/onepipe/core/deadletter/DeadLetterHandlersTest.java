package dev.onepipe.core.deadletter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import dev.onepipe.metadata.serde.WireFormatException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/** The records the dead-letter handlers hand back to Kafka Streams: topic, bytes, timestamp and every header. */
class DeadLetterHandlersTest {

    private static final String APPLICATION_ID = "onepipe-widget-prices-widgets";
    private static final byte[] KEY = "widget-000042".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VALUE = {0x00, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x02, 0x04};
    private static final long TIMESTAMP = Instant.parse("2024-01-01T10:00:00Z").toEpochMilli();

    /** What Kafka Streams tells a handler about the record being processed. */
    private record FailedRecordContext(String topic, int partition, long offset, Headers headers, String processorNodeId,
                                       TaskId taskId, long timestamp, byte[] sourceRawKey, byte[] sourceRawValue)
            implements ErrorHandlerContext {
    }

    private static Headers originalHeaders() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "trace-7".getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    private static FailedRecordContext context(byte[] rawKey, byte[] rawValue) {
        return new FailedRecordContext("widgets", 3, 1_234L, originalHeaders(), "KSTREAM-MAPVALUES-0000000002", new TaskId(0, 3),
                TIMESTAMP, rawKey, rawValue);
    }

    private static <T extends Configurable> T configured(T handler) {
        handler.configure(Map.of("application.id", APPLICATION_ID, "bootstrap.servers", "localhost:9092"));
        return handler;
    }

    private static String text(Headers headers, String key) {
        Header header = headers.lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static void assertTimeBetween(Instant before, ProducerRecord<byte[], byte[]> deadLetter) {
        Instant time = Instant.parse(text(deadLetter.headers(), DeadLetterHeaders.TIME));
        assertFalse(time.isBefore(before), "dead-lettered at " + time + ", before the call at " + before);
        assertFalse(time.isAfter(Instant.now()), "dead-lettered in the future: " + time);
    }

    @Test
    void deserializationFailureKeepsTheOriginalBytesAndNamesTheReasonAndSource() {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("widgets", 3, 1_234L, TIMESTAMP, TimestampType.CREATE_TIME,
                KEY.length, VALUE.length, KEY, VALUE, originalHeaders(), Optional.empty());
        WireFormatException failure = new WireFormatException(WireFormatException.Reason.UNKNOWN_SCHEMA_ID, "widgets", Integer.MAX_VALUE,
                null, "schema id 2147483647 is not registered (highest known id is 2)", null);
        Instant before = Instant.now();

        DeserializationExceptionHandler.Response response = configured(new DeadLetterDeserializationExceptionHandler())
                .handleError(context(KEY, VALUE), record, failure);

        assertEquals(DeserializationExceptionHandler.Result.RESUME, response.result());
        assertEquals(1, response.deadLetterQueueRecords().size());
        ProducerRecord<byte[], byte[]> deadLetter = response.deadLetterQueueRecords().get(0);
        assertEquals("widgets.dlq", deadLetter.topic());
        assertArrayEquals(KEY, deadLetter.key());
        assertArrayEquals(VALUE, deadLetter.value());
        assertEquals(TIMESTAMP, deadLetter.timestamp());
        Headers headers = deadLetter.headers();
        assertEquals("trace-7", text(headers, "trace-id"));
        assertEquals("trace-id", headers.toArray()[0].key(), "the record's own headers come first");
        assertEquals("UNKNOWN_SCHEMA_ID", text(headers, DeadLetterHeaders.REASON));
        assertEquals(failure.getMessage(), text(headers, DeadLetterHeaders.MESSAGE));
        assertEquals(WireFormatException.class.getName(), text(headers, DeadLetterHeaders.EXCEPTION));
        assertEquals("DESERIALIZATION", text(headers, DeadLetterHeaders.STAGE));
        assertEquals("widgets", text(headers, DeadLetterHeaders.SOURCE_TOPIC));
        assertEquals("3", text(headers, DeadLetterHeaders.SOURCE_PARTITION));
        assertEquals("1234", text(headers, DeadLetterHeaders.SOURCE_OFFSET));
        assertEquals("SOURCE_RECORD", text(headers, DeadLetterHeaders.PAYLOAD));
        assertEquals(Integer.toString(Integer.MAX_VALUE), text(headers, DeadLetterHeaders.SCHEMA_ID));
        assertEquals(APPLICATION_ID, text(headers, DeadLetterHeaders.APPLICATION_ID));
        assertEquals(null, text(headers, DeadLetterHeaders.TARGET_TOPIC));
        assertTimeBetween(before, deadLetter);
    }

    @Test
    void aRecordInvalidForTheOutputSchemaGoesToItsInputsDeadLetterTopicWithTheInputBytes() {
        WireFormatException invalid = new WireFormatException(WireFormatException.Reason.INVALID_FOR_SCHEMA, "widget-prices", 2,
                "name", "null value where string is required", null);
        ProducerRecord<Object, Object> failed = new ProducerRecord<>("widget-prices", null, TIMESTAMP, "widget-000042", "a record object");

        ProductionExceptionHandler.Response response = configured(new DeadLetterProductionExceptionHandler())
                .handleSerializationError(context(KEY, VALUE), failed, invalid, ProductionExceptionHandler.SerializationExceptionOrigin.VALUE);

        assertEquals(ProductionExceptionHandler.Result.RESUME, response.result());
        ProducerRecord<byte[], byte[]> deadLetter = response.deadLetterQueueRecords().get(0);
        assertEquals("widgets.dlq", deadLetter.topic());
        assertArrayEquals(KEY, deadLetter.key());
        assertArrayEquals(VALUE, deadLetter.value());
        DeadLetter read = DeadLetter.from(deadLetter.key(), deadLetter.value(), deadLetter.timestamp(), deadLetter.headers());
        assertEquals("INVALID_FOR_SCHEMA", read.reason());
        assertEquals(DeadLetterStage.SERIALIZATION, read.stage());
        assertEquals(DeadLetterPayload.SOURCE_RECORD, read.payload());
        assertEquals(Optional.of("widget-prices"), read.targetTopic());
        assertEquals(Optional.of("widgets"), read.sourceTopic());
        assertEquals(OptionalInt.of(3), read.sourcePartition());
        assertEquals(OptionalLong.of(1_234L), read.sourceOffset());
        assertEquals(Optional.of("name"), read.header(DeadLetterHeaders.FIELD));
        assertEquals(Optional.of("KSTREAM-MAPVALUES-0000000002"), read.header(DeadLetterHeaders.PROCESSOR));
        assertEquals("trace-7", new String(read.originalHeaders().lastHeader("trace-id").value(), StandardCharsets.UTF_8));
        assertEquals(1, read.originalHeaders().toArray().length, "onepipe's headers are not original headers");
    }

    @Test
    void withoutTheSourceBytesTheFailedRecordIsRenderedAsText() {
        ProducerRecord<Object, Object> failed = new ProducerRecord<>("widget-prices", null, TIMESTAMP, "widget-000042", "{\"price\": -1}");

        ProductionExceptionHandler.Response response = configured(new DeadLetterProductionExceptionHandler())
                .handleSerializationError(context(null, null), failed, new IllegalStateException("cannot serialize"),
                        ProductionExceptionHandler.SerializationExceptionOrigin.VALUE);

        ProducerRecord<byte[], byte[]> deadLetter = response.deadLetterQueueRecords().get(0);
        assertEquals("{\"price\": -1}", new String(deadLetter.value(), StandardCharsets.UTF_8));
        assertEquals("widget-000042", new String(deadLetter.key(), StandardCharsets.UTF_8));
        assertEquals("RENDERED_RECORD", text(deadLetter.headers(), DeadLetterHeaders.PAYLOAD));
        assertEquals("SERIALIZATION_FAILED", text(deadLetter.headers(), DeadLetterHeaders.REASON));
    }

    @Test
    void aRecordKafkaRefusesKeepsItsSerializedBytesAndRetriableErrorsAreRetried() {
        ProducerRecord<byte[], byte[]> refused = new ProducerRecord<>("widget-prices", null, TIMESTAMP, KEY, VALUE);
        DeadLetterProductionExceptionHandler handler = configured(new DeadLetterProductionExceptionHandler());

        ProductionExceptionHandler.Response tooLarge = handler.handleError(context(null, null), refused,
                new RecordTooLargeException("The message is 2000000 bytes"));
        ProductionExceptionHandler.Response notEnoughReplicas = handler.handleError(context(null, null), refused,
                new NotEnoughReplicasException("1 of 2 in sync"));

        assertEquals(ProductionExceptionHandler.Result.RESUME, tooLarge.result());
        ProducerRecord<byte[], byte[]> deadLetter = tooLarge.deadLetterQueueRecords().get(0);
        assertEquals("widgets.dlq", deadLetter.topic());
        assertEquals("widget-prices", text(deadLetter.headers(), DeadLetterHeaders.TARGET_TOPIC));
        assertArrayEquals(VALUE, deadLetter.value());
        assertEquals("FAILED_RECORD", text(deadLetter.headers(), DeadLetterHeaders.PAYLOAD));
        assertEquals("PRODUCTION_FAILED", text(deadLetter.headers(), DeadLetterHeaders.REASON));
        assertEquals(RecordTooLargeException.class.getName(), text(deadLetter.headers(), DeadLetterHeaders.EXCEPTION));
        assertEquals(ProductionExceptionHandler.Result.RETRY, notEnoughReplicas.result());
        assertTrue(notEnoughReplicas.deadLetterQueueRecords().isEmpty());
    }

    @Test
    void aRecordAPunctuatorWroteHasNoInputAndSoNoDeadLetterTopicItFails() {
        FailedRecordContext punctuation = new FailedRecordContext(null, -1, -1L, originalHeaders(), "KSTREAM-MAPVALUES-0000000002",
                new TaskId(0, 3), TIMESTAMP, null, null);
        ProductionExceptionHandler.Response response = configured(new DeadLetterProductionExceptionHandler()).handleError(
                punctuation, new ProducerRecord<>("widget-prices", null, TIMESTAMP, KEY, VALUE),
                new RecordTooLargeException("The message is 2000000 bytes"));

        assertEquals(ProductionExceptionHandler.Result.FAIL, response.result());
        assertTrue(response.deadLetterQueueRecords().isEmpty());
    }

    @Test
    void aRejectionInTheTopologysLogicIsDeadLetteredAndAnyOtherExceptionFails() {
        DeadLetterProcessingExceptionHandler handler = configured(new DeadLetterProcessingExceptionHandler());
        Record<String, String> record = new Record<>("widget-000042", "a widget", TIMESTAMP);

        ProcessingExceptionHandler.Response rejected = handler.handleError(context(KEY, VALUE), record,
                new RuntimeException("wrapped", new DeadLetterException("NEGATIVE_PRICE", "price -1.0 is below zero")));
        ProcessingExceptionHandler.Response failed = handler.handleError(context(KEY, VALUE), record, new NullPointerException("bug"));

        assertEquals(ProcessingExceptionHandler.Result.RESUME, rejected.result());
        ProducerRecord<byte[], byte[]> deadLetter = rejected.deadLetterQueueRecords().get(0);
        assertEquals("widgets.dlq", deadLetter.topic());
        assertArrayEquals(VALUE, deadLetter.value());
        assertEquals("NEGATIVE_PRICE", text(deadLetter.headers(), DeadLetterHeaders.REASON));
        assertEquals("price -1.0 is below zero", text(deadLetter.headers(), DeadLetterHeaders.MESSAGE));
        assertEquals(DeadLetterException.class.getName(), text(deadLetter.headers(), DeadLetterHeaders.EXCEPTION));
        assertEquals("PROCESSING", text(deadLetter.headers(), DeadLetterHeaders.STAGE));
        assertEquals(ProcessingExceptionHandler.Result.FAIL, failed.result());
        assertEquals(List.of(), failed.deadLetterQueueRecords());
    }
}
