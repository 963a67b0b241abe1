package dev.onepipe.dedup.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.testkit.DatasetInputTopic;
import dev.onepipe.core.testkit.DatasetOutputTopic;
import dev.onepipe.core.testkit.OnepipeTestDriver;
import dev.onepipe.dedup.table.CleanRow;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MergeStrategy;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

class DedupTopologyTest {

    private static final Instant T0 = Instant.parse("2024-03-01T10:00:00Z");
    private static final Schema ITEM = new Schema.Parser().parse(resource("datasets/items.avsc"));
    private static final ObjectMapper JSON = new ObjectMapper();

    // ---- fixtures

    private static OnepipeTestDriver items(MergeStrategy strategy, Duration horizon, RecordingCleanTable table) {
        DatasetMetadata items = DatasetMetadata.builder("items").uniqueKey("id").ordering("updated_at", "version")
                .eventTimeField("updated_at").merge(strategy).dedupHorizon(horizon).build();
        return OnepipeTestDriver.builder(new DedupTopology(table))
                .registerDataset(items, ITEM)
                .registerDataset(CleanDataset.metadataOf(items), ITEM)
                .dataset("items")
                .set(DedupSettings.PROVISION, false)
                .set(DedupSettings.EXPIRY_INTERVAL_MS, 60_000)
                .set(DedupSettings.TABLE_COMMIT_INTERVAL_MS, 60_000)
                .build();
    }

    private static OnepipeTestDriver items(MergeStrategy strategy) {
        return items(strategy, Duration.ofDays(7), new RecordingCleanTable());
    }

    private static GenericRecord item(String id, long version, Instant updatedAt, String name, Double price) {
        return item(id, version, updatedAt, name, price, null);
    }

    private static GenericRecord item(String id, long version, Instant updatedAt, String name, Double price, Map<String, Long> clock) {
        GenericRecord record = new GenericData.Record(ITEM);
        record.put("id", id);
        record.put("version", version);
        record.put("updated_at", updatedAt.toEpochMilli());
        record.put("name", name);
        record.put("price", price);
        record.put("clock", clock);
        return record;
    }

    /** Pipes {@code item} with its event time as the record timestamp, as onepipe producers do. */
    private static void pipe(DatasetInputTopic input, GenericRecord item) {
        input.pipe(item, Instant.ofEpochMilli((Long) item.get("updated_at")));
    }

    /** The clean topic as "key v<version> <name> <price>" lines. */
    private static List<String> clean(OnepipeTestDriver driver) {
        return driver.output("items-clean").readKeyValuesToList().stream()
                .map(keyValue -> keyValue.key + " v" + keyValue.value.get("version") + " " + keyValue.value.get("name") + " " + keyValue.value.get("price"))
                .toList();
    }

    private static long metric(OnepipeTestDriver driver, String name) {
        return DedupMetrics.total(driver.metrics(), name);
    }

    // ---- merge strategies

    @Test
    void latestByFieldWritesEachNewHighestVersionOnceAndNothingForReSendsOrStaleVersions() {
        try (OnepipeTestDriver driver = OnepipeTestDriver.builder(new DedupTopology(new RecordingCleanTable()))
                .registerDatasetResources("onepipe/datasets/widgets.json", "onepipe/datasets/widgets.avsc")
                .registerDataset(CleanDataset.metadataOf(DatasetMetadata.fromJson(SampleDatasets.metadataJson("widgets"))), SampleDatasets.schema("widgets"))
                .dataset("widgets")
                .set(DedupSettings.PROVISION, false)
                .build()) {
            DatasetInputTopic widgets = driver.input("widgets");
            pipeWidget(widgets, "w-1", 1, "2024-01-01T10:00:00Z", 10.0);
            pipeWidget(widgets, "w-1", 3, "2024-01-01T10:03:00Z", 30.0);
            pipeWidget(widgets, "w-1", 2, "2024-01-01T10:02:00Z", 20.0);   // out of order: stale
            pipeWidget(widgets, "w-1", 3, "2024-01-01T10:03:00Z", 30.0);   // exact re-send
            pipeWidget(widgets, "w-2", 1, "2024-01-01T11:00:00Z", 5.0);
            pipeWidget(widgets, "w-1", 4, "2024-01-01T09:00:00Z", 40.0);   // older event time, higher version: wins

            List<TestRecord<String, GenericRecord>> written = driver.output("widgets-clean").readRecordsToList();
            assertEquals(List.of("w-1 1", "w-1 3", "w-2 1", "w-1 4"),
                    written.stream().map(record -> record.key() + " " + record.value().get("version")).toList());
            assertEquals(Instant.parse("2024-01-01T09:00:00Z"), written.get(3).getRecordTime(), "a clean record carries its state's event time");
            assertEquals(40.0, written.get(3).value().get("price"));
            assertEquals(2, metric(driver, DedupMetrics.KEYS_KEPT));
            assertEquals(4, metric(driver, DedupMetrics.STATE_CHANGES + "-total"));
            assertEquals(2, metric(driver, DedupMetrics.UNCHANGED_RECORDS + "-total"));
            assertTrue(driver.deadLetters("widgets").isEmpty());
        }
    }

    private static void pipeWidget(DatasetInputTopic widgets, String id, long version, String updatedAt, double price) {
        widgets.pipeJson(widget(id, version, updatedAt, price), Instant.parse(updatedAt));
    }

    private static String widget(String id, long version, String updatedAt, double price) {
        return "{\"widget_id\": \"" + id + "\", \"version\": " + version + ", \"updated_at\": \"" + updatedAt + "\", \"name\": \"Gizmo\","
                + " \"price\": " + price + ", \"status\": \"ACTIVE\", \"tags\": [], \"description\": null}";
    }

    @Test
    void latestByFieldBreaksTiesByTheOrderingFieldsThenByTheBinaryEncoding() {
        try (OnepipeTestDriver driver = items(MergeStrategy.latestByField("version"))) {
            DatasetInputTopic items = driver.input("items");
            pipe(items, item("k", 5, T0, "b", 1.0));
            pipe(items, item("k", 5, T0.minusSeconds(1), "z", 1.0));   // same version, earlier updated_at: loses
            pipe(items, item("k", 5, T0, "a", 1.0));                    // full tie: "a" encodes before "b", loses
            pipe(items, item("k", 5, T0, "c", 1.0));                    // full tie: "c" encodes after "b", wins
            pipe(items, item("k", 5, T0.plusSeconds(1), "a", 1.0));     // later updated_at wins
            assertEquals(List.of("k v5 b 1.0", "k v5 c 1.0", "k v5 a 1.0"), clean(driver));
        }
    }

    @Test
    void firstSeenKeepsTheFirstVersionInLogOrder() {
        try (OnepipeTestDriver driver = items(MergeStrategy.firstSeen())) {
            DatasetInputTopic items = driver.input("items");
            pipe(items, item("k", 2, T0, "second", 2.0));
            pipe(items, item("k", 1, T0.minusSeconds(60), "first", 1.0));
            pipe(items, item("k", 3, T0.plusSeconds(60), "third", 3.0));
            assertEquals(List.of("k v2 second 2.0"), clean(driver));
        }
    }

    @Test
    void lastSeenKeepsTheLastVersionInLogOrderAndSkipsExactReSends() {
        try (OnepipeTestDriver driver = items(MergeStrategy.lastSeen())) {
            DatasetInputTopic items = driver.input("items");
            pipe(items, item("k", 2, T0, "two", 2.0));
            pipe(items, item("k", 1, T0.minusSeconds(60), "one", 1.0));   // older, but last in the log: wins
            pipe(items, item("k", 1, T0.minusSeconds(60), "one", 1.0));   // exact re-send
            pipe(items, item("k", 3, T0.plusSeconds(60), "three", 3.0));
            assertEquals(List.of("k v2 two 2.0", "k v1 one 1.0", "k v3 three 3.0"), clean(driver));
        }
    }

    @Test
    void fieldMergeKeepsTheNonNullFieldsOfTheLaterVersionAndFillsItsNullsFromTheEarlierOne() {
        try (OnepipeTestDriver driver = items(MergeStrategy.fieldMerge())) {
            DatasetInputTopic items = driver.input("items");
            pipe(items, item("k", 1, T0, "first", 1.0));
            pipe(items, item("k", 2, T0.plusSeconds(10), null, 2.0));       // name stays "first"
            pipe(items, item("k", 4, T0.plusSeconds(40), "fourth", null));  // price stays 2.0
            pipe(items, item("k", 3, T0.plusSeconds(30), "third", 3.0));    // out of order: sorts earlier, fills nothing
            pipe(items, item("k", 2, T0.plusSeconds(10), null, 2.0));       // exact re-send
            assertEquals(List.of("k v1 first 1.0", "k v2 first 2.0", "k v4 fourth 2.0"), clean(driver));
            pipe(items, item("other", 1, T0, null, null));
            pipe(items, item("other", 0, T0.minusSeconds(10), "older", 9.0)); // sorts earlier: fills both nulls
            assertEquals(List.of("other v1 null null", "other v1 older 9.0"), clean(driver));
        }
    }

    @Test
    void concurrentVectorClocksResolveDeterministicallyAndGoToTheConflictsTopicWithBothVersions() throws IOException {
        try (OnepipeTestDriver driver = items(MergeStrategy.vectorClock("clock"))) {
            DatasetInputTopic items = driver.input("items");
            pipe(items, item("k", 1, T0, "base", 1.0, Map.of("a", 1L)));
            pipe(items, item("k", 2, T0.plusSeconds(10), "from a", 2.0, Map.of("a", 2L)));
            pipe(items, item("k", 2, T0.plusSeconds(5), "from b", 3.0, Map.of("a", 1L, "b", 1L)));   // concurrent with {a:2}: earlier updated_at loses
            pipe(items, item("k", 1, T0, "base", 1.0, Map.of("a", 1L)));                                // dominated re-send
            pipe(items, item("k", 3, T0.plusSeconds(1), "merged", 4.0, Map.of("a", 2L, "b", 1L)));    // dominates both, earlier updated_at irrelevant
            assertEquals(List.of("k v1 base 1.0", "k v2 from a 2.0", "k v3 merged 4.0"), clean(driver));

            TestOutputTopic<String, String> conflicts = driver.testDriver().createOutputTopic("items-clean-conflicts", new StringDeserializer(), new StringDeserializer());
            List<String> reports = conflicts.readValuesToList();
            assertEquals(1, reports.size());
            JsonNode report = JSON.readTree(reports.get(0));
            assertEquals("k", report.get("key").asText());
            assertEquals("from a", report.get("kept").get("name").asText());
            assertEquals("from b", report.get("rejected").get("name").asText());
            assertFalse(report.get("kept_incoming").asBoolean());
            assertEquals(1, metric(driver, DedupMetrics.CONFLICTS + "-total"));
        }
    }

    // ---- keying

    @Test
    void recordsNotKeyedByTheirUniqueKeyAreRekeyedAndMergedWithTheOthers() {
        try (OnepipeTestDriver driver = items(MergeStrategy.latestByField("version"))) {
            DatasetInputTopic items = driver.input("items");
            pipe(items, item("k", 1, T0, "one", 1.0));
            items.pipe("not-the-unique-key", item("k", 2, T0.plusSeconds(1), "two", 2.0), T0.plusSeconds(1));
            items.pipe("k", item("k", 1, T0, "one", 1.0), T0.plusSeconds(2));
            items.pipeBytes("k".getBytes(StandardCharsets.UTF_8), null, T0.plusSeconds(3));   // a tombstone: ignored
            assertEquals(List.of("k v1 one 1.0", "k v2 two 2.0"), clean(driver));
            assertTrue(driver.deadLetters("items").isEmpty());
        }
    }

    // ---- bounded state

    @Test
    void aKeyIsForgottenTheHorizonAfterItsEventTimeAndStartsAfreshWhenSeenAgain() {
        RecordingCleanTable table = new RecordingCleanTable();
        try (OnepipeTestDriver driver = items(MergeStrategy.latestByField("version"), Duration.ofDays(1), table)) {
            DatasetInputTopic items = driver.input("items");
            pipe(items, item("old", 5, T0, "five", 5.0));
            pipe(items, item("kept", 1, T0.plus(Duration.ofHours(23)), "one", 1.0));
            assertEquals(2, metric(driver, DedupMetrics.KEYS_KEPT));
            // stream time moves a day and two minutes past "old": the next expiry punctuation forgets it, not "kept"
            pipe(items, item("clock", 1, T0.plus(Duration.ofDays(1)).plusSeconds(120), "tick", 0.0));
            assertEquals(2, metric(driver, DedupMetrics.KEYS_KEPT), "\"old\" forgotten, \"clock\" added");
            assertEquals(1, metric(driver, DedupMetrics.FORGOTTEN_KEYS + "-total"));
            clean(driver);

            // a re-send of the forgotten version, older than the horizon: not in the clean topic, to the table only
            pipe(items, item("old", 5, T0, "five", 5.0));
            assertEquals(List.of(), clean(driver));
            assertEquals(1, metric(driver, DedupMetrics.BEYOND_HORIZON_RECORDS + "-total"));
            // a version within the horizon starts a new state, even an older version number (the state was forgotten)
            pipe(items, item("old", 4, T0.plus(Duration.ofDays(1)), "four", 4.0));
            assertEquals(List.of("old v4 four 4.0"), clean(driver));
            assertEquals(3, metric(driver, DedupMetrics.KEYS_KEPT));

            driver.advanceWallClockTime(Duration.ofMinutes(1));
            CleanRow old = table.commits.get(0).rows().stream().filter(row -> row.uniqueKey().equals("old")).findFirst().orElseThrow();
            assertEquals(5L, old.row().get("version"), "the table gets the merge of the beyond-horizon version and the new state");
            assertEquals(LocalDate.parse("2024-03-01"), old.eventDay());
            assertEquals(Set.of(), old.previousDays(), "no earlier state of the key was committed under another day");
            assertFalse(old.stateKnown(), "the table must merge with the row it holds");
        }
    }

    @Test
    void aKeyChangedToALaterEventTimeIsKeptUntilTheHorizonPassesItsLatestEventTimeAndOneToAnEarlierTimeIsForgottenByIt() {
        try (OnepipeTestDriver driver = items(MergeStrategy.latestByField("version"), Duration.ofDays(1), new RecordingCleanTable())) {
            DatasetInputTopic items = driver.input("items");
            pipe(items, item("later", 1, T0, "one", 1.0));
            pipe(items, item("later", 2, T0.plus(Duration.ofHours(20)), "two", 2.0));
            pipe(items, item("earlier", 1, T0.plus(Duration.ofHours(10)), "one", 1.0));
            // version 2 with an earlier event time wins by version: the key's event time moves back to T0
            pipe(items, item("earlier", 2, T0, "two", 2.0));
            // stream time a day and two minutes past T0: "earlier" (event time T0) goes, "later" (T0 + 20 h) stays
            pipe(items, item("clock", 1, T0.plus(Duration.ofDays(1)).plusSeconds(120), "tick", 0.0));
            assertEquals(1, metric(driver, DedupMetrics.FORGOTTEN_KEYS + "-total"));
            assertEquals(2, metric(driver, DedupMetrics.KEYS_KEPT), "\"later\" and \"clock\" kept");
            clean(driver);
            pipe(items, item("later", 2, T0.plus(Duration.ofHours(20)), "two", 2.0));
            assertEquals(List.of(), clean(driver), "\"later\" still known: its re-send changes nothing");
            // a day and two minutes past T0 + 20 h: "later" goes too
            pipe(items, item("clock", 2, T0.plus(Duration.ofHours(44)).plusSeconds(120), "tock", 0.0));
            assertEquals(2, metric(driver, DedupMetrics.FORGOTTEN_KEYS + "-total"));
            assertEquals(1, metric(driver, DedupMetrics.KEYS_KEPT), "only \"clock\" kept");
        }
    }

    // ---- clean table hand-over

    @Test
    void changedRowsGoToTheCleanTableOnTheCommitCadenceWithTheirDaysAndWhetherTheStateWasKnown() {
        RecordingCleanTable table = new RecordingCleanTable();
        try (OnepipeTestDriver driver = items(MergeStrategy.latestByField("version"), Duration.ofDays(7), table)) {
            DatasetInputTopic items = driver.input("items");
            Instant dayOne = Instant.parse("2024-03-01T23:00:00Z");
            Instant dayTwo = Instant.parse("2024-03-02T01:00:00Z");
            pipe(items, item("a", 1, dayOne, "a1", 1.0));
            pipe(items, item("b", 1, dayOne, "b1", 1.0));
            assertTrue(table.commits.isEmpty(), "nothing before the cadence");
            driver.advanceWallClockTime(Duration.ofMinutes(1));
            assertEquals(1, table.commits.size());
            RecordingCleanTable.Commit first = table.commits.get(0);
            assertEquals(0, first.partition());
            assertEquals(2, first.nextOffset(), "the offset after the last input record");
            assertEquals(List.of(new CleanRow("a", item("a", 1, dayOne, "a1", 1.0), LocalDate.parse("2024-03-01"), Set.of(), false),
                    new CleanRow("b", item("b", 1, dayOne, "b1", 1.0), LocalDate.parse("2024-03-01"), Set.of(), false)), sorted(first.rows()));

            pipe(items, item("a", 2, dayTwo, "a2", 2.0));        // a moves to day two
            pipe(items, item("b", 2, dayOne.plusSeconds(60), "b2", 2.0));
            pipe(items, item("b", 1, dayOne, "b1", 1.0));        // stale: no change
            driver.advanceWallClockTime(Duration.ofMinutes(1));
            RecordingCleanTable.Commit second = table.commits.get(1);
            assertEquals(5, second.nextOffset());
            assertEquals(List.of(new CleanRow("a", item("a", 2, dayTwo, "a2", 2.0), LocalDate.parse("2024-03-02"), Set.of(LocalDate.parse("2024-03-01")), true),
                    new CleanRow("b", item("b", 2, dayOne.plusSeconds(60), "b2", 2.0), LocalDate.parse("2024-03-01"), Set.of(), true)), sorted(second.rows()));

            // back to day one and on to day three within one cadence: both earlier days are reported
            pipe(items, item("a", 3, dayOne.plusSeconds(120), "a3", 3.0));
            pipe(items, item("a", 4, Instant.parse("2024-03-03T00:00:00Z"), "a4", 4.0));
            driver.advanceWallClockTime(Duration.ofMinutes(1));
            CleanRow a = table.commits.get(2).rows().get(0);
            assertEquals(LocalDate.parse("2024-03-03"), a.eventDay());
            assertEquals(Set.of(LocalDate.parse("2024-03-01"), LocalDate.parse("2024-03-02")), a.previousDays());
            assertTrue(a.stateKnown());

            driver.advanceWallClockTime(Duration.ofMinutes(1));
            assertEquals(3, table.commits.size(), "committed rows are not committed again");
            assertEquals(List.of("items dev.onepipe.dedup.test.Item"), table.opened);
        }
    }

    @Test
    void inputThatChangesNoKeyStillMovesTheTablesOffsetOncePerCadence() {
        RecordingCleanTable table = new RecordingCleanTable();
        Instant day = Instant.parse("2024-03-01T12:00:00Z");
        try (OnepipeTestDriver driver = items(MergeStrategy.latestByField("version"), Duration.ofDays(7), table)) {
            DatasetInputTopic items = driver.input("items");
            pipe(items, item("a", 2, day, "a2", 2.0));
            driver.advanceWallClockTime(Duration.ofMinutes(1));
            assertEquals(1, table.commits.size());
            assertEquals(1, table.commits.get(0).nextOffset());

            pipe(items, item("a", 2, day, "a2", 2.0));           // an exact re-send: no change
            pipe(items, item("a", 1, day, "a1", 1.0));           // an older version: no change
            driver.advanceWallClockTime(Duration.ofMinutes(1));
            assertEquals(2, table.commits.size(), "the offsets of unchanged input reach the table, or it never covers the partition's end");
            assertEquals(new RecordingCleanTable.Commit(0, 3, List.of()), table.commits.get(1));

            driver.advanceWallClockTime(Duration.ofMinutes(1));
            assertEquals(2, table.commits.size(), "no input since the last commit: nothing to commit");
        }
    }

    @Test
    void aCleanStopBeforeTheCadenceCommitsThePendingRowsWithTheOffsetAfterTheLastRecord() {
        RecordingCleanTable table = new RecordingCleanTable();
        Instant day = Instant.parse("2024-03-01T12:00:00Z");
        try (OnepipeTestDriver driver = items(MergeStrategy.latestByField("version"), Duration.ofDays(7), table)) {
            DatasetInputTopic items = driver.input("items");
            pipe(items, item("a", 1, day, "a1", 1.0));
            pipe(items, item("b", 1, day, "b1", 1.0));
            pipe(items, item("a", 2, day.plusSeconds(1), "a2", 2.0));
            assertTrue(table.commits.isEmpty(), "nothing before the cadence");
        }
        assertEquals(1, table.commits.size(), "closing commits what is pending");
        assertEquals(3, table.commits.get(0).nextOffset(), "the offset after the last input record, where a restart resumes");
        assertEquals(List.of(new CleanRow("a", item("a", 2, day.plusSeconds(1), "a2", 2.0), LocalDate.parse("2024-03-01"), Set.of(), false),
                new CleanRow("b", item("b", 1, day, "b1", 1.0), LocalDate.parse("2024-03-01"), Set.of(), false)), sorted(table.commits.get(0).rows()));
    }

    private static List<CleanRow> sorted(List<CleanRow> rows) {
        return rows.stream().sorted(java.util.Comparator.comparing(CleanRow::uniqueKey)).toList();
    }

    @Test
    void withTheTableDisabledNoTableIsOpenedAndTheCleanTopicIsWrittenAsBefore() {
        RecordingCleanTable table = new RecordingCleanTable();
        DatasetMetadata items = DatasetMetadata.builder("items").uniqueKey("id").ordering("updated_at").eventTimeField("updated_at")
                .merge(MergeStrategy.latestByField("version")).build();
        try (OnepipeTestDriver driver = OnepipeTestDriver.builder(new DedupTopology(table))
                .registerDataset(items, ITEM).registerDataset(CleanDataset.metadataOf(items), ITEM).dataset("items")
                .set(DedupSettings.PROVISION, false).set(DedupSettings.TABLE_ENABLED, false).build()) {
            pipe(driver.input("items"), item("k", 1, T0, "one", 1.0));
            driver.advanceWallClockTime(Duration.ofMinutes(5));
            assertEquals(List.of("k v1 one 1.0"), clean(driver));
            assertTrue(table.opened.isEmpty());
            assertTrue(table.commits.isEmpty());
        }
    }

    // ---- discovery

    @Test
    void isListedForServiceLoaderWithItsSettings() {
        OnepipeTopology dedup = ServiceLoader.load(OnepipeTopology.class).stream().map(ServiceLoader.Provider::get)
                .filter(topology -> topology.name().equals("dedup")).findFirst().orElseThrow();
        assertTrue(dedup instanceof DedupTopology);
        assertEquals(List.of(DedupSettings.PROVISION, DedupSettings.EXPIRY_INTERVAL_MS, DedupSettings.TABLE_ENABLED, DedupSettings.TABLE_FACTORY,
                DedupSettings.TABLE_COMMIT_INTERVAL_MS, DedupSettings.MAX_TASK_IDLE_MS), dedup.settings().stream().map(TopologySetting::key).toList());
    }

    private static String resource(String name) {
        try (InputStream input = DedupTopologyTest.class.getClassLoader().getResourceAsStream(name)) {
            return new String(input.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
