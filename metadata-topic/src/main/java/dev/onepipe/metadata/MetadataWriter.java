package dev.onepipe.metadata;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of the metadata topic: a fenced transactional producer that reads to the end before it writes.
 *
 * <p>Every writer, on every machine, uses the same {@code transactional.id} ({@code <topic>-writer} by default).
 * {@code initTransactions()} gives this writer a new producer epoch, which fences every other writer (their next
 * send or commit fails) and completes or aborts any transaction left open. The writer then reads the topic to its
 * last committed offset ({@code read_committed}), plans the entries with {@link RegistrationPlanner}, and writes them
 * in one transaction. A commit can only succeed if no other writer initialized since this one did, so nothing else
 * was committed between the read and the commit: two registrations can never take the same id or version. After its
 * own commit the writer reads on until the commit is visible, since the last stable offset trails a commit by the
 * time the commit markers take to land; without that a quick second registration could reuse an id. A fenced
 * writer starts over with a new producer after a randomized, growing pause, up to a bounded number of attempts.
 * Re-planning after an unknown commit outcome is safe: an entry that did commit is found again as "already registered".
 *
 * <p>One writer serves one registration at a time; create one per process.
 */
public final class MetadataWriter implements AutoCloseable {

    public static final String TRANSACTIONAL_ID_SUFFIX = "-writer";
    public static final int DEFAULT_MAXIMUM_ATTEMPTS = 30;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(20);
    public static final Duration DEFAULT_MAXIMUM_BACKOFF = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(MetadataWriter.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final Duration COMMIT_VISIBILITY_TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, Object> clientConfig;
    private final String topic;
    private final TopicPartition partition;
    private final String transactionalId;
    private final RegistrationPlanner planner;
    private final int maximumAttempts;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final MetadataCatalog state = new MetadataCatalog();
    private KafkaProducer<byte[], byte[]> producer;
    private long lastWrittenOffset = -1;
    private long fencedCount;
    private boolean idsOfFramedRecordsReserved;

    /**
     * @param clientConfig Kafka client settings, at least {@code bootstrap.servers}
     * @param topic        the metadata topic (it must exist, see {@link MetadataTopic#ensureExists})
     */
    public MetadataWriter(Map<String, Object> clientConfig, String topic) {
        this(clientConfig, topic, topic + TRANSACTIONAL_ID_SUFFIX, new RegistrationPlanner(), DEFAULT_MAXIMUM_ATTEMPTS);
    }

    public MetadataWriter(Map<String, Object> clientConfig, String topic, String transactionalId,
                          RegistrationPlanner planner, int maximumAttempts) {
        this.clientConfig = Map.copyOf(clientConfig);
        this.topic = topic;
        this.partition = MetadataTopic.partition(topic);
        this.transactionalId = transactionalId;
        this.planner = planner;
        this.maximumAttempts = maximumAttempts;
        Map<String, Object> consumerConfig = MetadataCatalogReader.consumerConfig(clientConfig);
        // the writer only reads to catch up, and waits for its own commit markers; a broker holding each fetch for
        // the default 500 ms would cost that much per registration
        consumerConfig.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
        this.consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.consumer.assign(List.of(partition));
        this.consumer.seekToBeginning(List.of(partition));
    }

    /** Registers one request; see {@link #register(List)}. */
    public RegistrationResult register(RegistrationRequest request) {
        return register(List.of(request)).result();
    }

    /**
     * Plans the requests against the committed state of the topic and writes the entries of the accepted ones in one
     * transaction. Rejected requests write nothing and do not stop the others.
     *
     * @throws RegistrationFailedException when it could not commit within the attempt limit
     */
    public synchronized RegistrationPlan register(List<RegistrationRequest> requests) {
        KafkaException lastFailure = null;
        for (int attempt = 1; attempt <= maximumAttempts; attempt++) {
            try {
                if (producer == null) {
                    producer = new KafkaProducer<>(producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
                    producer.initTransactions();
                }
                readToEnd();
                reserveIdsOfFramedRecords();
                RegistrationPlan plan = planner.plan(state, requests);
                if (plan.entries().isEmpty()) {
                    return plan;
                }
                producer.beginTransaction();
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (MetadataRecord record : plan.records()) {
                    sent.add(producer.send(new ProducerRecord<>(topic, MetadataTopic.PARTITION, record.key(), record.value())));
                }
                producer.commitTransaction();
                lastWrittenOffset = sent.get(sent.size() - 1).get().offset();
                readPast(lastWrittenOffset);
                return plan;
            } catch (InvalidConfigurationException exception) {
                // authorization, authentication and version failures are configuration errors: retrying cannot fix them
                closeProducer();
                throw new RegistrationFailedException("Kafka refused the metadata writer: " + exception.getMessage(),
                    exception);
            } catch (KafkaException exception) {
                lastFailure = exception;
                fencedCount++;
                closeProducer();
                LOG.debug("Metadata write attempt {} of {} failed ({}); starting over", attempt, maximumAttempts,
                    exception.toString());
                pause(attempt);
            } catch (ExecutionException exception) {
                throw new IllegalStateException("A send of a committed transaction failed", exception.getCause());
            } catch (InterruptedException exception) {
                Thread.currentThread().interrupt();
                closeProducer();
                throw new RegistrationFailedException("Interrupted while registering", exception);
            }
        }
        throw new RegistrationFailedException("Gave up registering after " + maximumAttempts
            + " attempts; other writers kept fencing this one or Kafka kept failing: "
            + (lastFailure == null ? "" : lastFailure.getMessage()), lastFailure);
    }

    /** A dry run: plans the requests against the committed state of the topic and writes nothing. */
    public synchronized RegistrationPlan check(List<RegistrationRequest> requests) {
        readToEnd();
        reserveIdsOfFramedRecords();
        return planner.plan(state, requests);
    }

    /**
     * An empty registry never hands out an id that records on the topics may carry already: before its first id, every
     * id up to the highest found on the topics ({@link FramedSchemaIds}) is reserved, once per writer.
     */
    private void reserveIdsOfFramedRecords() {
        if (idsOfFramedRecordsReserved || state.maximumSchemaId() > 0) {
            return;
        }
        int highest = FramedSchemaIds.highest(clientConfig, topic);
        idsOfFramedRecordsReserved = true;
        if (highest > 0) {
            LOG.warn("The registry {} holds no schema, but records on the topics carry schema ids up to {}: new ids start at {}",
                topic, highest, highest + 1);
            state.reserveSchemaIdsThrough(highest);
        }
    }

    /** Reads the topic to its last committed offset and returns a copy of the state it holds. */
    public synchronized MetadataCatalog readCatalog() {
        readToEnd();
        return state.copy();
    }

    /** The offset of the last record this writer committed, or -1. */
    public synchronized long lastWrittenOffset() {
        return lastWrittenOffset;
    }

    /** How many attempts failed and were retried (mostly: fenced by another writer). */
    public synchronized long retriedAttemptCount() {
        return fencedCount;
    }

    /**
     * Waits until the state holds this writer's own commit. {@code commitTransaction()} returns before the commit
     * markers reach the partition, so the last stable offset can briefly lag behind a commit that did succeed; the
     * next plan must not be made from a state without it. Other writers' commits need no such wait: the
     * {@code initTransactions()} that lets a writer in completes every earlier transaction first.
     */
    private void readPast(long offset) {
        long deadline = System.nanoTime() + COMMIT_VISIBILITY_TIMEOUT.toNanos();
        while (consumer.position(partition) <= offset) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("Committed metadata at offset " + offset
                    + " did not become readable within " + COMMIT_VISIBILITY_TIMEOUT);
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT)) {
                state.apply(record.key(), record.value());
            }
        }
    }

    private void readToEnd() {
        long end = consumer.endOffsets(List.of(partition)).get(partition);
        while (consumer.position(partition) < end) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT)) {
                state.apply(record.key(), record.value());
            }
        }
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        config.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        config.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, transactionalId + "-" + ProcessHandle.current().pid()
            + "-" + System.identityHashCode(this));
        return config;
    }

    private void pause(int attempt) {
        long ceiling = Math.min(DEFAULT_MAXIMUM_BACKOFF.toMillis(),
            DEFAULT_INITIAL_BACKOFF.toMillis() << Math.min(attempt, 16));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
        } catch (InterruptedException exception) {
            Thread.currentThread().interrupt();
            throw new RegistrationFailedException("Interrupted while waiting to retry a registration", exception);
        }
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (KafkaException exception) {
                LOG.debug("Closing a fenced producer failed", exception);
            }
            producer = null;
        }
    }

    @Override
    public synchronized void close() {
        closeProducer();
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
