package dev.onepipe.core.deadletter;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record the topology's own logic rejected with a {@link DeadLetterException} to the dead-letter topic of
 * the topic it was read from ({@code <topic>.dlq}), with the original bytes, and goes on. Any other exception fails,
 * as with Kafka's default handler: a bug must not quietly empty a dataset into its dead-letter topic. Set as
 * {@code processing.exception.handler} by onepipe's runner and test kit.
 */
public final class DeadLetterProcessingExceptionHandler implements ProcessingExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessingExceptionHandler.class);

    private String applicationId;

    @Override
    public void configure(Map<String, ?> configs) {
        Object configured = configs.get(StreamsConfig.APPLICATION_ID_CONFIG);
        applicationId = configured == null ? null : configured.toString();
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        Optional<DeadLetterException> rejection = DeadLetterException.in(exception);
        // Without a source topic (a punctuator's record) there is no dead-letter topic to name.
        if (rejection.isEmpty() || context.topic() == null) {
            return Response.fail();
        }
        String deadLetterTopic = DeadLetterTopics.of(context.topic());
        DeadLetterRecords.Failure failure = DeadLetterRecords.Failure.at(DeadLetterStage.PROCESSING, exception, context)
                .sourceBytesOrRendered(context, record == null ? null : record.key(), record == null ? null : record.value());
        ProducerRecord<byte[], byte[]> deadLetter = DeadLetterRecords.build(deadLetterTopic, failure, applicationId, Instant.now());
        LOG.debug("Dead-lettering {}-{}@{} to {}: {}", context.topic(), context.partition(), context.offset(), deadLetterTopic,
                rejection.get().getMessage());
        return Response.resume(List.of(deadLetter));
    }
}
