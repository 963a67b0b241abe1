package dev.onepipe.core.deadletter;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

import dev.onepipe.metadata.PartitionLeaders;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead letters of a global store's processor, which has no task producer: Kafka Streams 4.3 sends the dead letters an
 * exception handler returns (KIP-1034) with the task's record collector, and the global thread has none (its context is
 * no {@code RecordCollector.Supplier}), so a handler's dead letter from the global thread fails the thread. These go out
 * with a producer of their own, created at the first dead letter from the application's client settings
 * ({@code bootstrap.servers}, security), idempotent with {@code acks=all}, closed with the processor. The runner creates
 * the dead-letter topics of the topics stream tasks read, not of global ones: the first dead letter of a topic creates
 * its {@code .dlq} (with the source topic's partition count) if it is missing.
 *
 * <p>They are <b>at least once</b>, outside the application's transactions: a global store is rebuilt from its topic
 * after a restart (its processor runs again for every record since the last checkpoint, and from the start for an
 * in-memory store), so an unreadable record may be dead-lettered again. Each carries the {@code onepipe.dlq.*} headers
 * ({@link DeadLetterHeaders}) with its source topic, partition and offset, which tell repeats apart.
 *
 * <p>A test kit (no broker) puts a {@code Consumer<ProducerRecord<byte[], byte[]>>} under {@value #SINK_CONFIG} in the
 * Streams properties; dead letters then go to it instead of to a producer.
 */
public final class GlobalDeadLetters implements AutoCloseable {

    /** Streams property holding a {@code Consumer<ProducerRecord<byte[], byte[]>>} that takes the dead letters instead of a producer. */
    public static final String SINK_CONFIG = "onepipe.dead.letter.global.sink";

    private static final Logger LOG = LoggerFactory.getLogger(GlobalDeadLetters.class);

    private final ProcessorContext<?, ?> context;
    private final Map<String, Object> producerSettings;
    private final Consumer<ProducerRecord<byte[], byte[]>> sink;
    private final Set<String> topicsEnsured = new HashSet<>();
    private Producer<byte[], byte[]> producer;

    private GlobalDeadLetters(ProcessorContext<?, ?> context, Map<String, Object> producerSettings, Consumer<ProducerRecord<byte[], byte[]>> sink) {
        this.context = context;
        this.producerSettings = producerSettings;
        this.sink = sink;
    }

    /**
     * Dead letters of the global processor with {@code context}, in its {@code init}.
     *
     * @param producerSettings the application's client settings ({@code KafkaClientSettings.common}), for the producer
     */
    @SuppressWarnings("unchecked")
    public static GlobalDeadLetters of(ProcessorContext<?, ?> context, Map<String, Object> producerSettings) {
        Object sink = context.appConfigs().get(SINK_CONFIG);
        return new GlobalDeadLetters(context, Map.copyOf(producerSettings), sink instanceof Consumer<?> consumer ? (Consumer<ProducerRecord<byte[], byte[]>>) consumer : null);
    }

    /**
     * Sends {@code record} (its original bytes) to {@code <source topic>.dlq} with {@code failure}'s reason
     * ({@link DeadLetterException#reason()} or the wire-format reason) at stage {@link DeadLetterStage#DESERIALIZATION}.
     * A send that fails is logged; it does not stop the global thread.
     */
    public void send(Record<byte[], byte[]> record, Exception failure) {
        RecordMetadata metadata = context.recordMetadata().orElseThrow(() -> new IllegalStateException("No record is being processed"));
        DeadLetterRecords.Failure described = new DeadLetterRecords.Failure(DeadLetterStage.DESERIALIZATION, failure, metadata.topic(),
                metadata.partition(), metadata.offset(), record.timestamp(), record.headers())
                .bytes(record.key(), record.value(), DeadLetterPayload.SOURCE_RECORD);
        ProducerRecord<byte[], byte[]> deadLetter = DeadLetterRecords.build(DeadLetterTopics.of(metadata.topic()), described,
                context.applicationId(), Instant.now());
        if (sink != null) {
            sink.accept(deadLetter);
            return;
        }
        ensureTopic(metadata.topic(), deadLetter.topic());
        producer().send(deadLetter, (sent, error) -> {
            if (error != null) {
                LOG.error("Could not send the dead letter of {}-{}@{} to {}: {}", metadata.topic(), metadata.partition(), metadata.offset(),
                        deadLetter.topic(), error.toString());
            }
        });
    }

    /** Creates {@code deadLetterTopic} like the runner would, once per topic; a failure is logged, the send still tried. */
    private void ensureTopic(String sourceTopic, String deadLetterTopic) {
        if (!topicsEnsured.add(deadLetterTopic)) {
            return;
        }
        try (Admin admin = Admin.create(producerSettings)) {
            int partitions = admin.describeTopics(List.of(sourceTopic)).allTopicNames().get().get(sourceTopic).partitions().size();
            admin.createTopics(List.of(new NewTopic(deadLetterTopic, Optional.of(partitions), Optional.empty()))).all().get();
            PartitionLeaders.await(admin, List.of(deadLetterTopic));
            LOG.info("Created dead-letter topic {} ({} partitions)", deadLetterTopic, partitions);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.error("Could not create dead-letter topic {}: {}", deadLetterTopic, e.getCause().toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Producer<byte[], byte[]> producer() {
        if (producer == null) {
            Map<String, Object> settings = new HashMap<>(producerSettings);
            settings.put(ProducerConfig.ACKS_CONFIG, "all");
            settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            settings.put(ProducerConfig.CLIENT_ID_CONFIG, context.applicationId() + "-global-dead-letters");
            producer = new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    /** Sends what is pending and closes the producer, if one was created. */
    @Override
    public void close() {
        if (producer != null) {
            producer.close();
            producer = null;
        }
    }
}
