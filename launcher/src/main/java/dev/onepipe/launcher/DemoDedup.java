package dev.onepipe.launcher;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.embedded.EmbeddedRuntime;
import dev.onepipe.core.runtime.ApplicationLag;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.dedup.topology.CleanDataset;
import dev.onepipe.dedup.topology.DedupSettings;
import dev.onepipe.dedup.topology.DedupTopology;
import dev.onepipe.reconciliation.CleanTableReader;
import dev.onepipe.metadata.serde.DatasetSerdes;
import dev.onepipe.testdata.SampleDatasets;
import dev.onepipe.testdata.WidgetTally;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The demo's dedup step: the dedup topology runs for the sample widgets, as {@code onepipe run dedup --dataset widgets}
 * would, until it has consumed every record; then the clean topic, read as its compacted view, is compared with the
 * generator's own tally of the final state per widget.
 */
final class DemoDedup {

    private static final Duration COMPLETION_TIMEOUT = Duration.ofMinutes(4);

    /**
     * @param cleanRows       keys in the clean topic's compacted view
     * @param cleanRecords    records in the clean topic: one per change of a merged state
     * @param matchingRows    clean rows equal to the generator's final state of their widget
     * @param expectedRows    widgets in the generator's tally
     */
    record Result(long cleanRows, long cleanRecords, long matchingRows, long expectedRows, Duration elapsed) {
    }

    private DemoDedup() {
    }

    static Result run(EmbeddedRuntime runtime, Path stateRoot, WidgetTally tally) throws InterruptedException {
        long started = System.nanoTime();
        DedupTopology topology = new DedupTopology();
        Map<String, String> settings = new HashMap<>(runtime.clientConfig());
        settings.put(TopologyRunner.STATE_ROOT, stateRoot.toString());
        settings.put("num.stream.threads", "1");
        // The demo's traffic stops: commit the clean table every second instead of every minute, so it catches up.
        settings.put(DedupSettings.TABLE_COMMIT_INTERVAL_MS, "1000");
        OnepipeConfig config = TopologyRunner.configure(topology, Map.of(), Map.of(), settings);
        String dataset = SampleDatasets.WIDGETS;
        TopologyContext context = new TopologyContext(topology.name(), Optional.of(dataset), dataset, config, RegisteredDatasets.load(config));
        try (TopologyRunner runner = TopologyRunner.start(topology, context);
             Admin admin = Admin.create(Map.of("bootstrap.servers", runtime.bootstrapServers()))) {
            long deadline = System.nanoTime() + COMPLETION_TIMEOUT.toNanos();
            while (!drained(admin, runner.applicationId(), dataset)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("dedup did not consume the widgets within " + COMPLETION_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(500);
            }
            awaitCleanTable(runtime, config, dataset, deadline);
        }
        Map<String, GenericRecord> clean = new HashMap<>();
        long cleanRecords = readClean(runtime, config, CleanDataset.nameOf(dataset), clean);
        long matching = tally.latestRecords().entrySet().stream()
                .filter(expected -> clean.containsKey(expected.getKey()) && clean.get(expected.getKey()).toString().equals(expected.getValue().toString()))
                .count();
        return new Result(clean.size(), cleanRecords, matching, tally.distinctKeyCount(), Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * Waits until the clean table's snapshot covers every offset of the dataset topic (its {@code onepipe.offset.<p>}
     * properties, dedup-streams/README.md "Clean table"), so the demo's reconciliation compares a table that caught up;
     * gives up quietly at {@code deadline} (the reconciliation then says NOT YET ARCHIVED).
     */
    private static void awaitCleanTable(EmbeddedRuntime runtime, OnepipeConfig config, String dataset, long deadline) throws InterruptedException {
        Map<String, Object> clientConfig = Map.of("bootstrap.servers", runtime.bootstrapServers());
        Map<Integer, Long> ends = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(clientConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(dataset).stream().map(info -> new TopicPartition(dataset, info.partition())).toList();
            consumer.endOffsets(partitions).forEach((partition, end) -> ends.put(partition.partition(), end));
        }
        while (System.nanoTime() < deadline) {
            try (CleanTableReader tables = new CleanTableReader(CleanTableReader.catalogProperties(config, runtime.s3Settings()))) {
                Optional<Map<Integer, Long>> covered = tables.load(dataset).map(CleanTableReader::coveredOffsets);
                if (covered.isPresent() && ends.entrySet().stream().allMatch(end -> covered.get().getOrDefault(end.getKey(), 0L) >= end.getValue())) {
                    return;
                }
            } catch (java.io.IOException | RuntimeException notYet) {
                // The catalog or table is not there yet: poll again.
            }
            Thread.sleep(1000);
        }
    }

    private static boolean drained(Admin admin, String applicationId, String topic) throws InterruptedException {
        try {
            return ApplicationLag.total(admin, applicationId, List.of(topic)) == 0;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    /** Reads the committed clean topic into {@code lastPerKey}; returns how many records it holds. */
    private static long readClean(EmbeddedRuntime runtime, OnepipeConfig config, String cleanDataset, Map<String, GenericRecord> lastPerKey) {
        Deserializer<GenericRecord> values = DatasetSerdes.generic(RegisteredDatasets.load(config), cleanDataset).deserializer();
        Map<String, Object> consumerConfig = Map.of("bootstrap.servers", runtime.bootstrapServers(), "group.id", "demo-" + UUID.randomUUID(),
                "isolation.level", "read_committed", "enable.auto.commit", false);
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(cleanDataset).stream().map(info -> new TopicPartition(cleanDataset, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    lastPerKey.put(new String(record.key(), StandardCharsets.UTF_8), values.deserialize(cleanDataset, record.value()));
                    count++;
                }
            }
        }
        return count;
    }
}
