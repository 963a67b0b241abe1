package dev.onepipe.metadata;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a {@link MetadataCatalog} from the metadata topic for clients that are not Kafka Streams topologies
 * (producers, the CLI): a plain consumer on a background thread reads the topic from the beginning (committed
 * entries only), signals ready once it has reached the end offset it saw at start, and keeps tailing the topic
 * until closed.
 */
public final class MetadataCatalogReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataCatalogReader.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final MetadataCatalog catalog;
    private final TopicPartition partition;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final long startNanos;
    private volatile boolean running = true;
    private volatile long position;
    private volatile long readyNanos = -1;
    private volatile RuntimeException failure;

    private MetadataCatalogReader(Map<String, Object> clientConfig, String topic,
                                  MetadataCatalog catalog) {
        this.catalog = catalog;
        this.partition = MetadataTopic.partition(topic);
        this.consumer = new KafkaConsumer<>(consumerConfig(clientConfig), new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
        this.startNanos = System.nanoTime();
        this.thread = new Thread(this::run, "onepipe-metadata-reader-" + INSTANCES.incrementAndGet());
        this.thread.setDaemon(true);
    }

    /**
     * Starts reading into a new catalog.
     *
     * @param clientConfig Kafka client settings, at least {@code bootstrap.servers}; consumer-only settings are set here
     */
    public static MetadataCatalogReader start(Map<String, Object> clientConfig, String topic) {
        return start(clientConfig, topic, new MetadataCatalog());
    }

    /** Starts reading into the given catalog. */
    public static MetadataCatalogReader start(Map<String, Object> clientConfig, String topic,
                                              MetadataCatalog catalog) {
        MetadataCatalogReader reader = new MetadataCatalogReader(clientConfig, topic, catalog);
        reader.thread.start();
        return reader;
    }

    static Map<String, Object> consumerConfig(Map<String, Object> clientConfig) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        // a new schema version should reach readers quickly; the topic is small and quiet, so short fetch waits are cheap
        config.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        config.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 * 1024 * 1024);
        config.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        return config;
    }

    private void run() {
        try {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long endAtStart = consumer.endOffsets(List.of(partition)).get(partition);
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    catalog.apply(record.key(), record.value());
                }
                position = consumer.position(partition);
                if (readyNanos < 0 && position >= endAtStart) {
                    readyNanos = System.nanoTime();
                    LOG.info("Metadata catalog ready: {} schema versions, {} dataset versions from {} in {} ms",
                        catalog.schemaVersionCount(), catalog.datasetVersionCount(), partition,
                        timeToReady().orElseThrow().toMillis());
                    ready.countDown();
                }
            }
        } catch (WakeupException exception) {
            if (running) {
                failure = new IllegalStateException("Metadata reader woken up unexpectedly", exception);
            }
        } catch (RuntimeException exception) {
            failure = exception;
            LOG.error("Metadata reader for {} stopped", partition, exception);
        } finally {
            ready.countDown();
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    public MetadataCatalog catalog() {
        return catalog;
    }

    public boolean isReady() {
        return readyNanos >= 0;
    }

    /**
     * Waits until the catalog holds every entry committed when the reader started.
     *
     * @return whether it is ready
     * @throws IllegalStateException when the reader failed
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        throwIfFailed();
        return isReady();
    }

    /** Waits until the reader has read past the given offset of the metadata topic (e.g. the last one just written). */
    public boolean awaitOffset(long offset, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (position <= offset) {
            throwIfFailed();
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** How long the reader took from start to ready, once ready. */
    public Optional<Duration> timeToReady() {
        long readyAt = readyNanos;
        return readyAt < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(readyAt - startNanos));
    }

    /** The next offset the reader will read. */
    public long position() {
        return position;
    }

    private void throwIfFailed() {
        RuntimeException cause = failure;
        if (cause != null) {
            throw new IllegalStateException("Metadata reader for " + partition + " failed: " + cause.getMessage(), cause);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException exception) {
            Thread.currentThread().interrupt();
        }
    }
}
