package dev.onepipe.core.deadletter;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record whose bytes cannot be read (wrong magic byte, unknown schema id, truncated, undecodable) to
 * {@code <topic>.dlq} with its original key and value bytes and the headers of {@link DeadLetterHeaders},
 * and lets the application go on. The dead-letter record is returned to Kafka Streams (KIP-1034), which sends it
 * with the task's producer, inside the task's transaction under exactly-once.
 *
 * <p>Kafka's built-in {@code errors.dead.letter.queue.topic.name} sends every failure to one topic and names neither
 * a reason code nor a time, hence this handler. Set as {@code deserialization.exception.handler} by onepipe's runner
 * and test kit.
 */
public final class DeadLetterDeserializationExceptionHandler implements DeserializationExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDeserializationExceptionHandler.class);

    private String applicationId;

    @Override
    public void configure(Map<String, ?> configs) {
        Object configured = configs.get(StreamsConfig.APPLICATION_ID_CONFIG);
        applicationId = configured == null ? null : configured.toString();
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        String deadLetterTopic = DeadLetterTopics.of(record.topic());
        DeadLetterRecords.Failure failure = new DeadLetterRecords.Failure(DeadLetterStage.DESERIALIZATION, exception,
                record.topic(), record.partition(), record.offset(), record.timestamp(), record.headers())
                .processor(context.processorNodeId())
                .bytes(record.key(), record.value(), DeadLetterPayload.SOURCE_RECORD);
        ProducerRecord<byte[], byte[]> deadLetter = DeadLetterRecords.build(deadLetterTopic, failure, applicationId, Instant.now());
        LOG.debug("Dead-lettering {}-{}@{} to {}: {}", record.topic(), record.partition(), record.offset(), deadLetterTopic,
                exception.getMessage());
        return Response.resume(List.of(deadLetter));
    }
}
