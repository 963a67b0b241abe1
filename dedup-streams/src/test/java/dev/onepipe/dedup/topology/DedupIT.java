package dev.onepipe.dedup.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.CloseOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dedup topology on the real embedded broker and S3 endpoint over 200,000 generated widget records in 4 partitions
 * (10 % exact re-sends, about ten versions per widget, out-of-order and late versions, corrupt records): the clean
 * topic, read as its compacted view with {@code read_committed}, and the Iceberg clean table, read with Iceberg's
 * generic reader and as plain Parquet files, equal the generator's own final state per widget exactly; the topic holds
 * exactly one record per change of a merged state, and every corrupt record is in the dead-letter topic.
 */
class DedupIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    @TempDir
    Path temporary;

    @Test
    void theCleanTopicAndTheCleanTableEqualTheGeneratorsFinalStatePerKey() throws Exception {
        WidgetRun run = new WidgetRun(RUNTIME, RUNTIME.uniqueName("widgets"), 42);
        run.registerAndProduce();
        Map<String, String> settings = run.tableSettings(temporary.resolve("one").toString(), temporary.resolve("catalog.sqlite"));
        try (TopologyRunner dedup = start(run, settings)) {
            run.awaitDrained();
            assertEquals(run.generator.tally().distinctKeyCount(), DedupMetrics.total(dedup.streams().metrics(), DedupMetrics.KEYS_KEPT),
                    "the state size metric counts every widget once");
            run.assertCleanTableIsTheTally(settings, temporary.resolve("parquet"));
        }
        assertCleanTopicIsTheTally(run);
        assertEquals(run.generator.tally().corruptCount(), run.readCommitted(run.dataset + ".dlq").size(), "every corrupt record is a dead letter");
    }

    /**
     * Two instances share the input and one clean table (one catalog); the second stops cleanly a third of the way in,
     * the first then drains the input and stops cleanly too. The table's cadence (an hour) never fires: every row
     * reaches the table through clean stops and tasks handed over at rebalances, so the table equal to the tally
     * proves that a clean stop commits the pending rows, and that handing tasks over neither loses nor repeats a key.
     */
    @Test
    void twoInstancesSharingTheInputWithOneStoppedMidRunGiveTheSameCleanTopicAndTable() throws Exception {
        WidgetRun run = new WidgetRun(RUNTIME, RUNTIME.uniqueName("shared-widgets"), 7);
        run.registerAndProduce();
        Path catalog = temporary.resolve("shared-catalog.sqlite");
        Map<String, String> first = new HashMap<>(run.tableSettings(temporary.resolve("first").toString(), catalog));
        Map<String, String> second = new HashMap<>(run.tableSettings(temporary.resolve("second").toString(), catalog));
        first.put(DedupSettings.TABLE_COMMIT_INTERVAL_MS, String.valueOf(Duration.ofHours(1).toMillis()));
        second.put(DedupSettings.TABLE_COMMIT_INTERVAL_MS, String.valueOf(Duration.ofHours(1).toMillis()));
        try (TopologyRunner one = start(run, first);
             TopologyRunner two = start(run, second)) {
            WidgetRun.awaitTrue(() -> run.committedInput() >= run.records.size() / 3, "a third of the input processed");
            assertTrue(two.streams().close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(60))), "the second instance did not stop within a minute");
            run.awaitDrained();
            assertTrue(one.stateHistory().contains(org.apache.kafka.streams.KafkaStreams.State.RUNNING));
            assertTrue(one.streams().close(Duration.ofSeconds(120)), "the first instance did not stop within two minutes");
        }
        assertCleanTopicIsTheTally(run);
        run.assertCleanTableIsTheTally(first, temporary.resolve("parquet-shared"));
    }

    static void assertCleanTopicIsTheTally(WidgetRun run) {
        List<ConsumerRecord<byte[], byte[]>> clean = run.readCommitted(run.cleanTopic());
        assertEquals(run.expectedView(), run.cleanView(clean));
        assertEquals(run.expectedChanges(), clean.size(), "one clean record per change of a merged state, none twice");
    }

    private static TopologyRunner start(WidgetRun run, Map<String, String> flags) {
        OnepipeConfig config = TopologyRunner.configure(new DedupTopology(), Map.of(), Map.of(), flags);
        TopologyContext context = new TopologyContext(DedupTopology.NAME, Optional.of(run.dataset), run.dataset, config, RegisteredDatasets.load(config));
        return TopologyRunner.start(new DedupTopology(), context);
    }
}
