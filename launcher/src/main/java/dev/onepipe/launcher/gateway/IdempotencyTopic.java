package dev.onepipe.launcher.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.http.HttpRouteResponse;
import dev.onepipe.metadata.PartitionLeaders;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP producer's idempotency keys, kept in Kafka so that they survive a restart: a compacted topic of
 * {@code <user> <method> <path> <Idempotency-Key>} → {the SHA-256 of the request body, the answer, the time}, written
 * in the same Kafka transaction (KIP-98) as the request's records. So either the records and the key are both
 * committed, or neither is: a retry after a crash, a timeout or a restart either finds the key (and gets the first
 * answer back, writing nothing) or writes the records for the first time. The rule holds for readers with
 * {@code isolation.level=read_committed} (Kafka Streams with {@code exactly_once_v2}, and any consumer so configured);
 * a {@code read_uncommitted} reader may also see the records of a transaction that was aborted (a request answered
 * 503, or never answered because the service died).
 *
 * <p>Transactions go through a pool of producers whose {@code transactional.id}s are
 * {@code <prefix>-0..n-1} ({@value #TRANSACTIONAL_ID_PREFIX}): a restarted service with the same prefix fences the dead
 * one's producers and so aborts its open transactions at once (otherwise the coordinator aborts them after
 * {@code transaction.timeout.ms}). Two services running at once need different prefixes, and then do not see each
 * other's keys: send the retries of a key to the service that got the first request. At start the whole topic is read
 * (read_committed) into memory; keys older than the retention window ({@value #RETENTION_MS}, default 24 h) are
 * forgotten, in memory at once and on the topic by Kafka's retention ({@code cleanup.policy=compact,delete}).
 */
final class IdempotencyTopic implements AutoCloseable {

    static final String TOPIC = "onepipe.http.idempotency.topic";
    static final String RETENTION_MS = "onepipe.http.idempotency.retention.ms";
    static final String TRANSACTIONAL_ID_PREFIX = "onepipe.http.transactional.id.prefix";
    static final String DEFAULT_TOPIC = "_onepipe_http_idempotency";
    static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
    static final String DEFAULT_TRANSACTIONAL_ID_PREFIX = "onepipe-serve";
    /** A stored answer may be this large (offsets of a 16 MiB request); the topic and the producers allow it. */
    private static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(120);
    private static final Logger LOG = LoggerFactory.getLogger(IdempotencyTopic.class);

    /**
     * Where keys are kept and for how long.
     *
     * @param topic                 the compacted topic of keys
     * @param retention             how long a key is remembered after its request was answered
     * @param transactionalIdPrefix the prefix of the pool's {@code transactional.id}s, stable across restarts
     * @param producers             producers in the pool: transactions that can be open at once
     */
    record Settings(String topic, Duration retention, String transactionalIdPrefix, int producers) {

        static Settings defaults(int producers) {
            return new Settings(DEFAULT_TOPIC, DEFAULT_RETENTION, DEFAULT_TRANSACTIONAL_ID_PREFIX, producers);
        }

        static Settings from(OnepipeConfig config, int producers) {
            return new Settings(config.get(TOPIC).orElse(DEFAULT_TOPIC),
                    Duration.ofMillis(config.getLong(RETENTION_MS, DEFAULT_RETENTION.toMillis())),
                    config.get(TRANSACTIONAL_ID_PREFIX).orElse(DEFAULT_TRANSACTIONAL_ID_PREFIX), producers);
        }
    }

    /** A key's first answer, the digest of the body it came with, and when it was stored (epoch ms). */
    record Stored(byte[] bodyDigest, HttpRouteResponse response, long timeMs) {
    }

    private final Map<String, Object> clientConfig;
    private final Settings settings;
    private final Map<String, Stored> keys = new ConcurrentHashMap<>();
    private final BlockingQueue<KafkaProducer<byte[], byte[]>> pool;
    private final List<KafkaProducer<byte[], byte[]>> all = new CopyOnWriteArrayList<>();

    private IdempotencyTopic(Map<String, Object> clientConfig, Settings settings) {
        this.clientConfig = Map.copyOf(clientConfig);
        this.settings = settings;
        this.pool = new LinkedBlockingQueue<>();
    }

    /**
     * Creates the topic if absent, starts the producers (fencing a previous instance's with the same ids), then reads
     * every key the topic holds.
     *
     * @throws IllegalStateException when the topic cannot be created or read within 120 s
     */
    static IdempotencyTopic open(Map<String, Object> clientConfig, Settings settings) {
        IdempotencyTopic topic = new IdempotencyTopic(clientConfig, settings);
        try {
            topic.createTopic();
            for (int index = 0; index < settings.producers(); index++) {
                KafkaProducer<byte[], byte[]> producer = topic.newProducer(index);
                topic.all.add(producer);
                topic.pool.add(producer);
            }
            topic.load();
            return topic;
        } catch (RuntimeException e) {
            topic.close();
            throw e;
        }
    }

    /** The stored answer of {@code scope}, unless it is older than the retention window. */
    Optional<Stored> find(String scope) {
        Stored stored = keys.get(scope);
        if (stored != null && stored.timeMs() < System.currentTimeMillis() - settings.retention().toMillis()) {
            keys.remove(scope, stored);
            return Optional.empty();
        }
        return Optional.ofNullable(stored);
    }

    /**
     * Sends {@code records} and, when {@code acknowledge} answers 200 for them, the key with that answer, in one
     * transaction. Any other answer, or a failure, aborts the transaction: nothing is written, and the answer is 503
     * (or {@code acknowledge}'s own when it was not 200 but the transaction aborted cleanly, its offsets then void).
     *
     * @param acknowledge waits for the records' acknowledgements and builds the answer
     */
    HttpRouteResponse write(String scope, byte[] bodyDigest, List<ProducerRecord<byte[], byte[]>> records,
                            Function<List<Future<RecordMetadata>>, HttpRouteResponse> acknowledge, String errorType)
            throws InterruptedException {
        KafkaProducer<byte[], byte[]> producer = pool.take();
        int index = all.indexOf(producer);
        boolean usable = true;
        try {
            producer.beginTransaction();
            List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
            for (ProducerRecord<byte[], byte[]> record : records) {
                sent.add(producer.send(record));
            }
            producer.flush();
            HttpRouteResponse answer = acknowledge.apply(sent);
            if (answer.status() != 200) {
                producer.abortTransaction();
                return notWritten(errorType, "Kafka did not acknowledge every record");
            }
            Stored stored = new Stored(bodyDigest, answer, System.currentTimeMillis());
            producer.send(new ProducerRecord<>(settings.topic(), scope.getBytes(StandardCharsets.UTF_8), encode(stored)));
            producer.commitTransaction();
            keys.put(scope, stored);
            return answer;
        } catch (KafkaException | IllegalStateException e) {
            // The outcome of a failed commit is unknown: a producer with the same transactional.id resolves it (KIP-98:
            // initTransactions completes or aborts the previous one), then the topic tells whether the key committed.
            LOG.warn("Transaction of idempotency key {} failed, resolving it: {}", scope.substring(scope.lastIndexOf(' ') + 1), e.toString());
            usable = false;
            producer.close(Duration.ZERO);
            KafkaProducer<byte[], byte[]> replacement = newProducer(index);
            all.set(index, replacement);
            pool.add(replacement);
            load();
            Optional<Stored> committed = find(scope);
            return committed.map(Stored::response).orElseGet(() -> notWritten(errorType, e.getMessage()));
        } finally {
            if (usable) {
                pool.add(producer);
            }
        }
    }

    private static HttpRouteResponse notWritten(String errorType, String cause) {
        return GatewayResponses.error(errorType, 503, 50302, "nothing was written (" + cause + "); retry with the same Idempotency-Key")
                .withHeader("Retry-After", "1");
    }

    private KafkaProducer<byte[], byte[]> newProducer(int index) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalIdPrefix() + "-" + index);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_MESSAGE_BYTES + 1024 * 1024);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        try {
            producer.initTransactions();
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        return producer;
    }

    private void createTopic() {
        Map<String, String> configs = Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(settings.retention().toMillis()),
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_MESSAGE_BYTES + 1024 * 1024));
        try (Admin admin = Admin.create(clientConfig)) {
            admin.createTopics(List.of(new NewTopic(settings.topic(), Optional.of(1), Optional.empty()).configs(configs)))
                    .all().get(LOAD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            PartitionLeaders.await(admin, List.of(settings.topic()));
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create the idempotency topic " + settings.topic() + ": " + e.getCause().getMessage(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating the idempotency topic " + settings.topic(), e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("The idempotency topic " + settings.topic() + " was not created within " + LOAD_TIMEOUT, e);
        }
    }

    /** Reads the topic's committed keys from the beginning to its last stable offset. */
    private void load() {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        long oldest = System.currentTimeMillis() - settings.retention().toMillis();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(settings.topic(), LOAD_TIMEOUT).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, LOAD_TIMEOUT);
            long deadline = System.nanoTime() + LOAD_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The idempotency topic " + settings.topic() + " was not read within " + LOAD_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() == null) {
                        continue;
                    }
                    String scope = new String(record.key(), StandardCharsets.UTF_8);
                    if (record.value() == null) {
                        keys.remove(scope);
                        continue;
                    }
                    Stored stored = decode(record.value());
                    if (stored != null && stored.timeMs() >= oldest) {
                        keys.put(scope, stored);
                    }
                }
            }
        }
        LOG.info("{} idempotency keys read from {}", keys.size(), settings.topic());
    }

    static byte[] encode(Stored stored) {
        ObjectNode node = GatewayResponses.JSON.createObjectNode()
                .put("digest", Base64.getEncoder().encodeToString(stored.bodyDigest()))
                .put("time", stored.timeMs())
                .put("status", stored.response().status())
                .put("contentType", stored.response().contentType())
                .put("body", stored.response().bodyText());
        ObjectNode headers = node.putObject("headers");
        stored.response().headers().forEach(headers::put);
        return GatewayResponses.bytes(node);
    }

    /** The stored answer, or null for a value this version cannot read (it is then not replayed). */
    static Stored decode(byte[] value) {
        try {
            JsonNode node = GatewayResponses.JSON.readTree(value);
            Map<String, String> headers = new HashMap<>();
            node.path("headers").fields().forEachRemaining(field -> headers.put(field.getKey(), field.getValue().asText()));
            HttpRouteResponse response = new HttpRouteResponse(node.get("status").asInt(), node.get("contentType").asText(),
                    node.get("body").asText().getBytes(StandardCharsets.UTF_8), headers);
            return new Stored(Base64.getDecoder().decode(node.get("digest").asText()), response, node.get("time").asLong());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Skipping an idempotency record that does not parse: {}", e.toString());
            return null;
        }
    }

    @Override
    public void close() {
        for (KafkaProducer<byte[], byte[]> producer : all) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
