package dev.onepipe.core.deadletter;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead-letters records that cannot be written, to the dead-letter topic of the topic the input record was read from
 * ({@code <source topic>.dlq}, the one every dead letter of that input goes to), with
 * {@code onepipe.dlq.target.topic} naming the topic the record was going to. Only topics a topology reads have a
 * dead-letter topic: an output topic gets none, and a dead-letter or late-records topic it writes never gets a
 * {@code .dlq} of its own.
 * <ul>
 *   <li>a record that is not valid for the schema of the dataset it is written to (its serializer refuses it): with the
 *       bytes of the input record it came from, so the input can be replayed once the topology is fixed;</li>
 *   <li>a serialized record that Kafka refuses for good (too large, invalid): with those bytes. Retriable errors are
 *       retried, as by Kafka's default handler.</li>
 * </ul>
 * A record a punctuator wrote has no source topic, so no dead-letter topic to name: its failure fails the task, as a
 * bug in the topology's logic does (see {@link DeadLetterProcessingExceptionHandler}).
 * Dead-letter records are returned to Kafka Streams (KIP-1034), which sends them with the task's producer. Set as
 * {@code production.exception.handler} by onepipe's runner and test kit.
 */
public final class DeadLetterProductionExceptionHandler implements ProductionExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProductionExceptionHandler.class);

    private String applicationId;

    @Override
    public void configure(Map<String, ?> configs) {
        Object configured = configs.get(StreamsConfig.APPLICATION_ID_CONFIG);
        applicationId = configured == null ? null : configured.toString();
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RetriableException) {
            return Response.retry();
        }
        DeadLetterRecords.Failure failure = DeadLetterRecords.Failure.at(DeadLetterStage.PRODUCTION, exception, context)
                .targetTopic(record.topic())
                .bytes(record.key(), record.value(), DeadLetterPayload.FAILED_RECORD);
        return deadLetter(context, record.topic(), failure, exception);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                             SerializationExceptionOrigin origin) {
        DeadLetterRecords.Failure failure = DeadLetterRecords.Failure.at(DeadLetterStage.SERIALIZATION, exception, context)
                .targetTopic(record.topic())
                .sourceBytesOrRendered(context, record.key(), record.value());
        return deadLetter(context, record.topic(), failure, exception);
    }

    private Response deadLetter(ErrorHandlerContext context, String targetTopic, DeadLetterRecords.Failure failure,
                                Exception exception) {
        if (context.topic() == null) {
            LOG.error("A record for {} written outside of processing an input record (a punctuator) failed: {}", targetTopic,
                    exception.getMessage());
            return Response.fail();
        }
        String deadLetterTopic = DeadLetterTopics.of(context.topic());
        ProducerRecord<byte[], byte[]> deadLetter = DeadLetterRecords.build(deadLetterTopic, failure, applicationId, Instant.now());
        LOG.debug("Dead-lettering a record for {} to {}: {}", targetTopic, deadLetterTopic, exception.getMessage());
        return Response.resume(List.of(deadLetter));
    }
}
