package dev.onepipe.dedup.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import dev.onepipe.dedup.table.CleanTableFixture;
import dev.onepipe.dedup.table.CleanTableFixture.Widget;
import dev.onepipe.dedup.table.CleanTableReader;
import dev.onepipe.metadata.serde.DatasetSerdes;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.iceberg.expressions.Expressions;
import org.apache.kafka.common.serialization.Deserializer;
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
    void theCleanTopicAndTheCleanTableEqualTheGeneratorsFinalStatePerKeyAndFollowANewSchemaVersion() throws Exception {
        WidgetRun run = new WidgetRun(RUNTIME, RUNTIME.uniqueName("widgets"), 42);
        run.registerAndProduce();
        Map<String, String> settings = run.tableSettings(temporary.resolve("one").toString(), temporary.resolve("catalog.sqlite"));
        try (TopologyRunner dedup = start(run, settings)) {
            run.awaitDrained();
            assertEquals(run.generator.tally().distinctKeyCount(), DedupMetrics.total(dedup.streams().metrics(), DedupMetrics.KEYS_KEPT),
                    "the state size metric counts every widget once");
            run.assertCleanTableIsTheTally(settings, temporary.resolve("parquet"));
            assertCleanTopicIsTheTally(run);
            followsANewCompatibleSchemaVersionWithoutARestart(run, OnepipeConfig.of(settings));
            assertEquals(org.apache.kafka.streams.KafkaStreams.State.RUNNING, dedup.streams().state(), "the same run, still running");
        }
        assertEquals(run.generator.tally().corruptCount(), run.readCommitted(run.dataset + ".dlq").size(), "every corrupt record is a dead letter");
    }

    /**
     * While the topology runs: a new version of the widgets schema with an optional {@code color} (default null) is
     * registered and new widgets are produced with it, on today's date (a day without rows yet). The clean dataset and
     * the Iceberg table gain the column, the new rows carry their colors (table and clean topic), the rows written
     * before read back with null, and every data file of the snapshot before is still in the new snapshot (nothing
     * rewritten).
     */
    private static void followsANewCompatibleSchemaVersionWithoutARestart(WidgetRun run, OnepipeConfig config) throws Exception {
        Set<String> filesBefore;
        Map<String, Widget> rowsBefore = CleanTableFixture.readWithIceberg(config, run.dataset);
        try (CleanTableReader reader = CleanTableReader.open(config, run.dataset)) {
            filesBefore = dataFiles(reader.table());
        }
        Schema v1 = SampleDatasets.schema(SampleDatasets.WIDGETS);
        List<Schema.Field> fields = new ArrayList<>();
        v1.getFields().forEach(field -> fields.add(new Schema.Field(field, field.schema())));
        fields.add(new Schema.Field("color", Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)), "added in version 2",
                org.apache.avro.JsonProperties.NULL_VALUE));
        Schema v2 = Schema.createRecord(v1.getName(), v1.getDoc(), v1.getNamespace(), false, fields);
        long today = System.currentTimeMillis();
        Map<String, String> colors = new TreeMap<>();
        List<GenericRecord> evolved = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            GenericRecord widget = new GenericData.Record(v2);
            widget.put("widget_id", String.format("evolved-%02d", i));
            widget.put("version", 1L);
            widget.put("updated_at", today + i);
            widget.put("name", "evolved " + i);
            widget.put("price", 1.5 * i);
            widget.put("status", new GenericData.EnumSymbol(v2.getField("status").schema(), "ACTIVE"));
            widget.put("tags", List.of());
            widget.put("description", null);
            widget.put("color", "color-" + i);
            colors.put(widget.get("widget_id").toString(), "color-" + i);
            evolved.add(widget);
        }
        run.registerVersionAndProduce(v2, evolved);

        AtomicReference<Map<String, Object>> colorsRead = new AtomicReference<>(Map.of());
        WidgetRun.awaitTrue(() -> {
            try (CleanTableReader reader = CleanTableReader.open(config, run.dataset)) {
                if (reader.table().schema().findField("color") == null) {
                    return false;
                }
                Map<String, Object> read = new TreeMap<>();
                reader.forEach(Expressions.alwaysTrue(), row -> read.put(reader.keyOf(row), row.getField("color")));
                colorsRead.set(read);
                return colors.keySet().stream().allMatch(read::containsKey);
            }
        }, "the new widgets in the clean table");
        Map<String, Object> expectedColors = new TreeMap<>();
        rowsBefore.keySet().forEach(key -> expectedColors.put(key, null));
        expectedColors.putAll(colors);
        assertEquals(expectedColors, colorsRead.get(), "new rows carry their color, rows written before read back as null");
        try (CleanTableReader reader = CleanTableReader.open(config, run.dataset)) {
            assertTrue(reader.table().schema().findField("color").isOptional());
            Set<String> filesAfter = dataFiles(reader.table());
            assertTrue(filesAfter.containsAll(filesBefore), "every data file written before the new version is still in the table, not rewritten");
            assertTrue(filesAfter.size() > filesBefore.size(), "the new rows are in new files");
        }
        Map<String, Widget> rowsAfter = new TreeMap<>(CleanTableFixture.readWithIceberg(config, run.dataset));
        rowsAfter.keySet().removeAll(colors.keySet());
        assertEquals(rowsBefore, rowsAfter, "the rows written before are unchanged");

        dev.onepipe.metadata.MetadataCatalog catalog = RegisteredDatasets.load(OnepipeConfig.of(Map.of("bootstrap.servers", RUNTIME.bootstrapServers())));
        Schema clean = catalog.latestSchemaForDataset(run.cleanTopic()).orElseThrow().schema();
        assertEquals(v2.getField("color").schema(), clean.getField("color").schema(), "the clean dataset's latest schema has the new field");
        Deserializer<GenericRecord> cleanValues = DatasetSerdes.generic(catalog, run.cleanTopic()).deserializer();
        Map<String, String> cleanColors = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : run.readCommitted(run.cleanTopic())) {
            String key = new String(record.key(), StandardCharsets.UTF_8);
            if (colors.containsKey(key)) {
                cleanColors.put(key, cleanValues.deserialize(run.cleanTopic(), record.value()).get("color").toString());
            }
        }
        assertEquals(colors, cleanColors, "the clean topic carries the new field");
    }

    private static Set<String> dataFiles(org.apache.iceberg.Table table) throws java.io.IOException {
        Set<String> files = new java.util.HashSet<>();
        try (org.apache.iceberg.io.CloseableIterable<org.apache.iceberg.FileScanTask> tasks = table.newScan().planFiles()) {
            tasks.forEach(task -> files.add(task.file().location()));
        }
        return files;
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
