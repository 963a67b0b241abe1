package dev.onepipe.core.example;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic from its beginning with {@code isolation.level=read_committed}, in the background, keeping every
 * record: what a downstream consumer of an exactly-once application sees.
 */
final class CommittedTopicReader implements AutoCloseable {

    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile RuntimeException failure;

    CommittedTopicReader(String bootstrapServers, String topic, int partitions) {
        thread = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                    "bootstrap.servers", bootstrapServers,
                    "isolation.level", "read_committed",
                    "key.deserializer", ByteArrayDeserializer.class,
                    "value.deserializer", ByteArrayDeserializer.class))) {
                List<TopicPartition> assigned = new ArrayList<>();
                for (int partition = 0; partition < partitions; partition++) {
                    assigned.add(new TopicPartition(topic, partition));
                }
                consumer.assign(assigned);
                consumer.seekToBeginning(assigned);
                while (running.get()) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        synchronized (records) {
                            records.add(record);
                        }
                    }
                }
            } catch (RuntimeException e) {
                failure = e;
            }
        }, "committed-reader-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    int count() {
        synchronized (records) {
            return records.size();
        }
    }

    List<ConsumerRecord<byte[], byte[]>> records() {
        if (failure != null) {
            throw failure;
        }
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    /** Waits until at least {@code count} records have been read; false when {@code timeout} passes first. */
    boolean awaitCount(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count() < count && System.nanoTime() < deadline) {
            if (failure != null) {
                throw failure;
            }
            Thread.sleep(100);
        }
        return count() >= count;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
    }
}
