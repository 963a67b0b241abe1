package dev.onepipe.reconciliation;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import dev.onepipe.core.cli.ProgressLine;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;

/**
 * Reads the retained range of a topic once, every partition from its earliest retained offset up to its last stable
 * offset as of the start of the read, with {@code isolation.level=read_committed} (so aborted records and
 * transaction markers, which the archive never holds either, are skipped), into a {@link RawRecords}.
 *
 * <p>Keys and values are taken with {@link ByteBufferDeserializer}, whose {@code deserialize(topic, headers,
 * ByteBuffer)} (KIP-863) returns the consumer's view of the fetched bytes as is: each record is hashed straight from
 * the fetch buffer ({@link RawRecords#addBuffers}), without the two {@code byte[]} copies a {@code ByteArrayDeserializer}
 * makes per record. The views are only read before the next {@code poll}.
 *
 * <p>The partitions are shared out among several consumers, each on its own thread ({@link #defaultReaders()}).
 */
public final class TopicReader {

    private static final Duration POLL = Duration.ofMillis(500);

    /**
     * Consumer settings for reading a whole retained range once, above the client's defaults (1 MiB per partition,
     * 50 MiB per fetch, 64 KiB socket receive buffer): fewer, larger fetches cost the consumer and the broker less CPU
     * per byte (measured with {@code onepipe bench reconcile}, reconciliation-streams/README.md "Benchmark"). At most
     * {@code fetch.max.bytes} is held per fetch response.
     */
    public static final Map<String, Object> FETCH_SETTINGS = Map.of(
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20,
            ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20,
            ConsumerConfig.RECEIVE_BUFFER_CONFIG, 1 << 20,
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);

    private TopicReader() {
    }

    /**
     * What was read: the retained offset range of each partition.
     *
     * @param start the earliest retained offset per partition (the log start offset)
     * @param end   the last stable offset per partition when the read began (exclusive)
     */
    public record Range(Map<Integer, Long> start, Map<Integer, Long> end) {

        /** Offsets in the retained range of all partitions (records, markers and aborted records). */
        public long offsets() {
            return end.entrySet().stream().mapToLong(entry -> entry.getValue() - start.getOrDefault(entry.getKey(), 0L)).sum();
        }
    }

    /**
     * Consumers {@link #read(Map, String, RawRecords, PrintStream)} reads with at once: one per processor, at most 8
     * (never more than the partitions that hold records).
     */
    public static int defaultReaders() {
        return Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Reads {@code topic} into {@code records}, with {@link #defaultReaders()} consumers at once.
     *
     * @param clientConfig bootstrap servers and client settings; group, deserializers and isolation are set here
     * @param progress     where to print a progress line, null for none
     * @throws IllegalArgumentException when the topic does not exist
     */
    public static Range read(Map<String, Object> clientConfig, String topic, RawRecords records, PrintStream progress) {
        return read(clientConfig, topic, records, progress, defaultReaders());
    }

    /**
     * Reads {@code topic} into {@code records} with up to {@code readers} consumers at once, each on its own share of
     * the partitions (dealt round robin) and its own thread (the first on the calling thread), each into its own
     * {@link RawRecords}, which are taken into {@code records} at the end. A partition's buckets come from one
     * consumer only, so the result is the same whatever the number of readers.
     *
     * <p>Why more than one: hashing every record on the thread that also parses the fetched batches made the topic
     * read the reconcile pass's critical path, with a processor idle beside it (reconciliation-streams/README.md,
     * "Benchmark").
     *
     * @param readers consumers at most, at least 1
     * @throws IllegalArgumentException when the topic does not exist or {@code readers} is below 1
     * @throws org.apache.kafka.common.KafkaException when a consumer fails (the others are stopped)
     */
    public static Range read(Map<String, Object> clientConfig, String topic, RawRecords records, PrintStream progress, int readers) {
        if (readers < 1) {
            throw new IllegalArgumentException("readers must be at least 1, not " + readers);
        }
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.putAll(FETCH_SETTINGS);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<ByteBuffer, ByteBuffer> first = consumer(config)) {
            List<PartitionInfo> infos = first.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("Topic '" + topic + "' does not exist");
            }
            List<TopicPartition> partitions = new ArrayList<>();
            infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            partitions.sort(Comparator.comparingInt(TopicPartition::partition));
            Map<TopicPartition, Long> beginnings = first.beginningOffsets(partitions);
            Map<TopicPartition, Long> ends = first.endOffsets(partitions);
            Map<Integer, Long> start = new HashMap<>();
            Map<Integer, Long> end = new HashMap<>();
            beginnings.forEach((partition, offset) -> start.put(partition.partition(), offset));
            ends.forEach((partition, offset) -> end.put(partition.partition(), offset));
            Range range = new Range(start, end);
            // end offsets by partition number: looked up per record, without a TopicPartition and a hash per record
            long[] endOf = new long[partitions.get(partitions.size() - 1).partition() + 1];
            end.forEach((partition, offset) -> endOf[partition] = offset);

            List<TopicPartition> toRead = partitions.stream().filter(partition -> beginnings.get(partition) < ends.get(partition)).toList();
            int count = Math.max(1, Math.min(readers, toRead.size()));
            List<List<TopicPartition>> shares = new ArrayList<>();
            for (int index = 0; index < count; index++) {
                shares.add(new ArrayList<>());
            }
            for (int index = 0; index < toRead.size(); index++) {
                shares.get(index % count).add(toRead.get(index));
            }
            Progress shared = new Progress(progress == null ? null
                    : new ProgressLine(progress, "reading topic " + topic + ", offsets", range.offsets()));
            List<RawRecords> parts = new ArrayList<>();
            for (int index = 0; index < count; index++) {
                parts.add(records.emptyCopy());
            }
            ExecutorService others = count == 1 ? null : Executors.newFixedThreadPool(count - 1, runnable -> {
                Thread thread = new Thread(runnable, "onepipe-topic-read");
                thread.setDaemon(true);
                return thread;
            });
            try {
                List<Future<?>> reads = new ArrayList<>();
                for (int index = 1; index < count; index++) {
                    List<TopicPartition> share = shares.get(index);
                    RawRecords part = parts.get(index);
                    reads.add(others.submit(() -> {
                        try (KafkaConsumer<ByteBuffer, ByteBuffer> consumer = consumer(config)) {
                            readShare(consumer, share, beginnings, endOf, part, shared, false);
                        }
                    }));
                }
                readShare(first, shares.get(0), beginnings, endOf, parts.get(0), shared, true);
                for (Future<?> read : reads) {
                    await(read, shared);
                }
            } finally {
                if (others != null) {
                    others.shutdownNow();
                }
            }
            parts.forEach(records::addAll);
            shared.finish(range.offsets());
            return range;
        }
    }

    private static KafkaConsumer<ByteBuffer, ByteBuffer> consumer(Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteBufferDeserializer(), new ByteBufferDeserializer());
    }

    /** Reads {@code share} from the beginnings up to the end offsets into {@code records}; prints progress when asked. */
    private static void readShare(KafkaConsumer<ByteBuffer, ByteBuffer> consumer, List<TopicPartition> share, Map<TopicPartition, Long> beginnings,
                                  long[] endOf, RawRecords records, Progress progress, boolean prints) {
        List<TopicPartition> remaining = new ArrayList<>(share);
        consumer.assign(remaining);
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition partition : remaining) {
            consumer.seek(partition, beginnings.get(partition));
            positions.put(partition, beginnings.get(partition));
        }
        while (!remaining.isEmpty()) {
            for (ConsumerRecord<ByteBuffer, ByteBuffer> record : consumer.poll(POLL)) {
                if (record.offset() < endOf[record.partition()]) {
                    records.addBuffers(record.partition(), record.offset(), record.timestamp(), record.key(), record.value(), record.headers());
                }
            }
            long advanced = 0;
            for (TopicPartition partition : remaining) {
                long position = Math.min(consumer.position(partition), endOf[partition.partition()]);
                advanced += position - positions.put(partition, position);
            }
            progress.add(advanced, prints);
            if (remaining.removeIf(partition -> positions.get(partition) >= endOf[partition.partition()])) {
                consumer.assign(remaining);
            }
        }
    }

    /** Waits for another reader, printing progress meanwhile; rethrows its failure. */
    private static void await(Future<?> read, Progress progress) {
        try {
            while (true) {
                try {
                    read.get(POLL.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException stillReading) {
                    progress.add(0, true);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading the topic", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Offsets read by every reader; printed by the calling thread only ({@link ProgressLine} is not thread-safe). */
    private static final class Progress {
        private final ProgressLine line;
        private final AtomicLong done = new AtomicLong();

        Progress(ProgressLine line) {
            this.line = line;
        }

        void add(long offsets, boolean print) {
            long now = done.addAndGet(offsets);
            if (print && line != null) {
                line.update(now);
            }
        }

        void finish(long total) {
            if (line != null) {
                line.finish(total);
            }
        }
    }
}
