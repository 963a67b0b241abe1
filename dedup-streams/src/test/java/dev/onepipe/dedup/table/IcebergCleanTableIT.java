package dev.onepipe.dedup.table;

import static dev.onepipe.dedup.table.CleanTableFixture.DAY_1;
import static dev.onepipe.dedup.table.CleanTableFixture.DAY_2;
import static dev.onepipe.dedup.table.CleanTableFixture.DAY_3;
import static dev.onepipe.dedup.table.CleanTableFixture.widget;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.dedup.table.CleanTableFixture.Widget;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The Iceberg clean table on the real in-process S3 endpoint with the default JdbcCatalog on SQLite: upserts across
 * days and input partitions, idempotent re-commits, keys moving between days, racing committers, merges of rows of
 * unknown state, schema evolution. Every check compares the table, read by Iceberg's generic reader and by a plain
 * Parquet reader of its current data files, with the test's own model of what it must hold.
 */
class IcebergCleanTableIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    @TempDir
    static Path stateRoot;

    @TempDir
    Path scratch;

    static OnepipeConfig config;

    @BeforeAll
    static void configure() {
        config = CleanTableFixture.config(RUNTIME.s3Settings(), stateRoot);
    }

    @Test
    void commitsRowsOfSeveralDaysAndPartitionsAndRecordsTheirOffsets() {
        String dataset = RUNTIME.uniqueName("widgets");
        List<Widget> partition0 = List.of(widget("a", 1, DAY_1, 10), widget("b", 1, DAY_2, 20), widget("c", 1, DAY_3, 30));
        List<Widget> partition1 = List.of(widget("d", 1, DAY_1, 5), widget("e", 2, DAY_1, 1), widget("f", 1, DAY_2, 0));
        try (IcebergCleanTable table = open(dataset)) {
            assertEquals(-1, table.committedOffset(0));
            table.commit(0, 3, rows(partition0));
            table.commit(1, 3, rows(partition1));
            // a second batch of partition 0: a new version of a, and a new key on day 2
            List<Widget> later = List.of(widget("a", 2, DAY_1, 50), widget("g", 1, DAY_2, 40));
            table.commit(0, 5, rows(later));

            List<Widget> all = new ArrayList<>(partition0);
            all.addAll(partition1);
            all.addAll(later);
            assertTableHolds(table.table(), CleanTableFixture.upserted(all));
            assertEquals(5, table.committedOffset(0));
            assertEquals(3, table.committedOffset(1));
            assertEquals(-1, table.committedOffset(2));
        }
    }

    @Test
    void aRecommitOfACoveredOffsetChangesNothing() {
        String dataset = RUNTIME.uniqueName("widgets");
        List<Widget> first = List.of(widget("a", 1, DAY_1, 10), widget("b", 1, DAY_2, 20));
        try (IcebergCleanTable table = open(dataset)) {
            table.commit(0, 10, rows(first));
            Snapshot before = currentSnapshot(table.table());
            table.commit(0, 10, rows(List.of(widget("a", 7, DAY_3, 1))));
            table.commit(0, 4, rows(List.of(widget("z", 1, DAY_3, 1))));
            assertEquals(before.snapshotId(), currentSnapshot(table.table()).snapshotId(), "a covered offset must write nothing");
            assertTableHolds(table.table(), CleanTableFixture.upserted(first));
            // input that changed no key (e.g. only exact re-sends) still moves the offset, and leaves the rows alone
            table.commit(0, 12, List.of());
            assertEquals(12, table.committedOffset(0));
            assertTableHolds(table.table(), CleanTableFixture.upserted(first));
        }
        try (IcebergCleanTable reopened = open(dataset)) {
            assertEquals(12, reopened.committedOffset(0), "the offset survives a restart");
        }
    }

    @Test
    void aKeyWhoseDayChangesLeavesItsOldDay() {
        String dataset = RUNTIME.uniqueName("widgets");
        Widget first = widget("a", 1, DAY_1, 10);
        Widget neighbour = widget("b", 1, DAY_1, 20);
        Widget moved = widget("a", 2, DAY_3, 10);
        try (IcebergCleanTable table = open(dataset)) {
            table.commit(0, 2, rows(List.of(first, neighbour)));
            table.commit(0, 3, List.of(moved.row(Set.of(DAY_1), true)));
            Map<String, LocalDate> days = assertTableHolds(table.table(), CleanTableFixture.upserted(List.of(first, neighbour, moved)));
            assertEquals(DAY_3, days.get("a"));
            assertEquals(DAY_1, days.get("b"));
            // the last key leaves day 1: the day has no file left
            table.commit(0, 4, List.of(widget("b", 2, DAY_2, 5).row(Set.of(DAY_1), true)));
            days = assertTableHolds(table.table(), CleanTableFixture.upserted(List.of(moved, widget("b", 2, DAY_2, 5))));
            assertTrue(!days.containsValue(DAY_1), "day 1 must be empty: " + days);
        }
    }

    @Test
    void rowsOfUnknownStateAreMergedWithTheTablesRowWhateverItsDay() {
        String dataset = RUNTIME.uniqueName("widgets");
        // the test's merge: the higher version wins, whichever side it is on
        CleanRowMerge higherVersion = (existing, incoming) ->
                (Long) existing.get("version") > (Long) incoming.get("version") ? existing : incoming;
        Widget keptOld = widget("a", 3, DAY_1, 10);
        Widget replacedOld = widget("b", 1, DAY_1, 20);
        try (IcebergCleanTable table = new IcebergCleanTables(any -> higherVersion)
                .open(config, CleanTableFixture.widgets(dataset), CleanTableFixture.WIDGET_SCHEMA)) {
            table.commit(0, 2, rows(List.of(keptOld, replacedOld)));
            Widget staleVersion = widget("a", 2, DAY_2, 10);
            Widget newerVersion = widget("b", 4, DAY_3, 10);
            Widget newKey = widget("c", 1, DAY_2, 10);
            table.commit(0, 5, List.of(staleVersion.row(Set.of(), false), newerVersion.row(Set.of(), false), newKey.row(Set.of(), false)));
            Map<String, LocalDate> days = assertTableHolds(table.table(),
                    CleanTableFixture.upserted(List.of(keptOld, newerVersion, newKey)));
            assertEquals(DAY_1, days.get("a"), "the table's newer row stays where it was");
            assertEquals(DAY_3, days.get("b"), "the incoming newer row moves the key to its day");
        }
    }

    @Test
    void racingCommittersBothSucceedWithOneRowPerKey() throws Exception {
        String dataset = RUNTIME.uniqueName("widgets");
        int batches = 8;
        int keysPerBatch = 15;
        List<Widget> all = new ArrayList<>();
        List<List<List<Widget>>> work = new ArrayList<>();
        for (int partition = 0; partition < 2; partition++) {
            List<List<Widget>> partitionBatches = new ArrayList<>();
            for (int batch = 0; batch < batches; batch++) {
                List<Widget> rows = new ArrayList<>();
                for (int index = 0; index < keysPerBatch; index++) {
                    // every batch rewrites versions of the partition's keys on the same three days, so commits collide
                    String id = "p" + partition + "-k" + index;
                    LocalDate day = List.of(DAY_1, DAY_2, DAY_3).get((index + batch) % 3);
                    rows.add(widget(id, batch + 1, day, index));
                }
                partitionBatches.add(rows);
                all.addAll(rows);
            }
            work.add(partitionBatches);
        }
        open(dataset).close();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        List<IcebergCleanTable> committers = List.of(open(dataset), open(dataset));
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int partition = 0; partition < 2; partition++) {
                int inputPartition = partition;
                IcebergCleanTable committer = committers.get(partition);
                done.add(threads.submit(() -> {
                    Map<String, LocalDate> lastDay = new TreeMap<>();
                    for (int batch = 0; batch < batches; batch++) {
                        List<CleanRow> rows = new ArrayList<>();
                        for (Widget widget : work.get(inputPartition).get(batch)) {
                            LocalDate previous = lastDay.put(widget.id(), widget.day());
                            rows.add(widget.row(previous == null || previous.equals(widget.day()) ? Set.of() : Set.of(previous), previous != null));
                        }
                        committer.commit(inputPartition, (batch + 1) * 100L, rows);
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(5, TimeUnit.MINUTES);
            }
            assertTableHolds(committers.get(0).table(), CleanTableFixture.upserted(all));
            assertEquals(batches * 100L, committers.get(0).committedOffset(0));
            assertEquals(batches * 100L, committers.get(0).committedOffset(1));
            assertOffsetsNeverRegress(committers.get(0).table(), 2 * batches);
            System.out.printf("racing committers: %d commits, %d redone after a lost race%n",
                    committers.get(0).commitCount() + committers.get(1).commitCount(),
                    committers.get(0).retryCount() + committers.get(1).retryCount());
        } finally {
            threads.shutdownNow();
            committers.forEach(IcebergCleanTable::close);
        }
    }

    @Test
    void manyKeysFromFourPartitionsCommittingAtOnceEqualTheGeneratorsModel() throws Exception {
        String dataset = RUNTIME.uniqueName("widgets");
        int partitions = 4;
        int keysPerPartition = 500;
        int batches = 6;
        List<LocalDate> days = List.of(DAY_1, DAY_2, DAY_3, DAY_3.plusDays(1), DAY_3.plusDays(2));
        // the generator: per partition, batches of new versions of random keys on random days; about one key in ten
        // arrives with its state forgotten (stateKnown=false, no previous days), as after the dedup horizon
        java.util.Random random = new java.util.Random(12);
        Map<String, Widget> expected = new TreeMap<>();
        List<List<List<CleanRow>>> work = new ArrayList<>();
        for (int partition = 0; partition < partitions; partition++) {
            Map<String, Widget> sent = new TreeMap<>();
            List<List<CleanRow>> partitionBatches = new ArrayList<>();
            for (int batch = 0; batch < batches; batch++) {
                Map<String, CleanRow> rows = new java.util.LinkedHashMap<>();
                for (int index = 0; index < keysPerPartition / 2; index++) {
                    String id = "p" + partition + "-" + random.nextInt(keysPerPartition);
                    Widget previous = sent.get(id);
                    Widget next = widget(id, previous == null ? 1 : previous.version() + 1, days.get(random.nextInt(days.size())),
                            random.nextInt(24 * 60));
                    boolean forgotten = previous != null && random.nextInt(10) == 0;
                    Set<LocalDate> previousDays = previous == null || forgotten || previous.day().equals(next.day())
                            ? Set.of() : Set.of(previous.day());
                    CleanRow earlier = rows.get(id);
                    if (earlier != null && !earlier.previousDays().isEmpty()) {
                        Set<LocalDate> union = new HashSet<>(earlier.previousDays());
                        union.addAll(previousDays);
                        union.remove(next.day());
                        previousDays = union;
                    }
                    // one row per key per commit, as the topology sends it: state known as of the batch's start
                    boolean stateKnown = earlier != null ? earlier.stateKnown() : previous != null && !forgotten;
                    rows.remove(id);
                    rows.put(id, next.row(previousDays, stateKnown));
                    sent.put(id, next);
                    expected.put(id, next);
                }
                partitionBatches.add(new ArrayList<>(rows.values()));
            }
            work.add(partitionBatches);
        }
        open(dataset).close();
        ExecutorService threads = Executors.newFixedThreadPool(partitions);
        List<IcebergCleanTable> committers = new ArrayList<>();
        List<Long> commitMillis = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int partition = 0; partition < partitions; partition++) {
                int inputPartition = partition;
                IcebergCleanTable committer = open(dataset);
                committers.add(committer);
                done.add(threads.submit(() -> {
                    for (int batch = 0; batch < batches; batch++) {
                        long started = System.nanoTime();
                        committer.commit(inputPartition, (batch + 1) * 1_000L, work.get(inputPartition).get(batch));
                        commitMillis.add((System.nanoTime() - started) / 1_000_000);
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(10, TimeUnit.MINUTES);
            }
            assertTableHolds(committers.get(0).table(), expected);
            for (int partition = 0; partition < partitions; partition++) {
                assertEquals(batches * 1_000L, committers.get(0).committedOffset(partition));
            }
            assertOffsetsNeverRegress(committers.get(0).table(), partitions * batches);
            List<Long> sorted = new ArrayList<>(commitMillis);
            sorted.sort(null);
            System.out.printf("%d keys, %d commits of ~%d rows from %d partitions at once: commit ms median %d, max %d; %d redone%n",
                    expected.size(), sorted.size(), keysPerPartition / 2, partitions, sorted.get(sorted.size() / 2),
                    sorted.get(sorted.size() - 1), committers.stream().mapToLong(IcebergCleanTable::retryCount).sum());
        } finally {
            threads.shutdownNow();
            committers.forEach(IcebergCleanTable::close);
        }
    }

    @Test
    void aCommitterWithAStaleViewOfItsPartitionNeitherRegressesNorDuplicates() {
        String dataset = RUNTIME.uniqueName("widgets");
        try (IcebergCleanTable first = open(dataset); IcebergCleanTable zombie = open(dataset)) {
            first.commit(0, 1, rows(List.of(widget("a", 1, DAY_1, 10))));
            // the zombie read the table at offset 1; the new owner commits twice meanwhile
            Snapshot seenByZombie = currentSnapshot(zombie.table());
            first.commit(0, 5, rows(List.of(widget("a", 2, DAY_2, 10), widget("b", 1, DAY_1, 10))));
            first.commit(0, 9, rows(List.of(widget("c", 1, DAY_1, 10))));
            // a replay of offsets the table already covers writes nothing, whichever committer sends it
            zombie.commit(0, 5, List.of(widget("a", 1, DAY_1, 10).row(Set.of(), true)));
            assertEquals(9, zombie.committedOffset(0));
            assertTableHolds(first.table(), CleanTableFixture.upserted(List.of(widget("a", 2, DAY_2, 10), widget("b", 1, DAY_1, 10),
                    widget("c", 1, DAY_1, 10))));
            // a newer offset from the stale view is redone against the newest snapshot: no copy of 'a' survives on day 1
            zombie.commit(0, 12, List.of(widget("a", 3, DAY_3, 10).row(Set.of(DAY_2), true)));
            assertTrue(seenByZombie.snapshotId() != currentSnapshot(zombie.table()).snapshotId());
            assertTableHolds(first.table(), CleanTableFixture.upserted(List.of(widget("a", 3, DAY_3, 10), widget("b", 1, DAY_1, 10),
                    widget("c", 1, DAY_1, 10))));
        }
    }

    @Test
    void aCommitOfTheSamePartitionLandingMidCommitForcesARedoAndOneOfAnotherPartitionDoesNot() {
        String dataset = RUNTIME.uniqueName("widgets");
        try (IcebergCleanTable other = open(dataset)) {
            other.commit(0, 1, rows(List.of(widget("a", 1, DAY_1, 10))));
            // The merge function runs inside a commit, after the base snapshot was read and before Iceberg commits:
            // there, another committer lands a commit — first of another input partition, then of the same one.
            List<Runnable> meanwhile = new ArrayList<>(List.of(
                    () -> other.commit(1, 40, rows(List.of(widget("q", 1, DAY_1, 30)))),
                    () -> other.commit(0, 3, rows(List.of(widget("b", 1, DAY_1, 20))))));
            CleanRowMerge interrupting = (existing, incoming) -> {
                if (!meanwhile.isEmpty()) {
                    meanwhile.remove(0).run();
                }
                return incoming;
            };
            try (IcebergCleanTable racing = new IcebergCleanTables(any -> interrupting)
                    .open(config, CleanTableFixture.widgets(dataset), CleanTableFixture.WIDGET_SCHEMA)) {
                racing.commit(0, 2, List.of(widget("a", 2, DAY_2, 10).row(Set.of(), false)));
                assertEquals(0, racing.retryCount(), "another partition's commit meanwhile forces no redo");
                racing.commit(0, 5, List.of(widget("a", 3, DAY_2, 11).row(Set.of(), false)));
                assertEquals(1, racing.retryCount(), "the same partition's commit meanwhile forces one redo");
                assertTrue(meanwhile.isEmpty());
                assertEquals(5, racing.committedOffset(0));
                assertEquals(40, racing.committedOffset(1), "partition 1's offset is carried into the racing commit's snapshot");
                assertTableHolds(racing.table(), CleanTableFixture.upserted(List.of(widget("a", 3, DAY_2, 11), widget("b", 1, DAY_1, 20),
                        widget("q", 1, DAY_1, 30))));
                assertOffsetsNeverRegress(racing.table(), 5);
            }
        }
    }

    @Test
    void aNewerSchemaAddsAColumnWithoutRewritingOldFiles() {
        String dataset = RUNTIME.uniqueName("widgets");
        Widget old = widget("a", 1, DAY_1, 10);
        Widget untouched = widget("b", 1, DAY_2, 10);
        Schema evolved = SchemaBuilder.record("Widget").namespace("dev.onepipe.testdata").fields()
                .name("widget_id").type().stringType().noDefault()
                .name("version").type().longType().noDefault()
                .name("updated_at").type(CleanTableFixture.WIDGET_SCHEMA.getField("updated_at").schema()).noDefault()
                .name("name").type().stringType().noDefault()
                .name("price").type().doubleType().noDefault()
                .name("status").type(CleanTableFixture.WIDGET_SCHEMA.getField("status").schema()).noDefault()
                .name("tags").type(CleanTableFixture.WIDGET_SCHEMA.getField("tags").schema()).noDefault()
                .name("description").type().optional().stringType()
                .name("color").type().optional().stringType()
                .endRecord();
        try (IcebergCleanTable table = open(dataset)) {
            table.commit(0, 2, rows(List.of(old, untouched)));
            Set<String> filesBefore = dataFiles(table.table());
            Widget colored = widget("c", 1, DAY_1, 30);
            GenericRecord coloredRow = colored.toAvro(evolved);
            coloredRow.put("color", "blue");
            table.commit(0, 3, List.of(new CleanRow("c", coloredRow, DAY_1, Set.of(), true)));

            assertTrue(table.table().schema().findField("color") != null, table.table().schema().toString());
            assertTableHolds(table.table(), CleanTableFixture.upserted(List.of(old, untouched, colored)));
            Set<String> filesAfter = dataFiles(table.table());
            assertEquals(1, filesBefore.stream().filter(filesAfter::contains).count(),
                    "day 2's file must be kept as it was: before " + filesBefore + ", after " + filesAfter);
            try (CleanTableReader reader = CleanTableReader.open(config, dataset)) {
                Map<String, Object> colors = new TreeMap<>();
                reader.forEach(Expressions.alwaysTrue(), row -> colors.put(row.getField("widget_id").toString(), row.getField("color")));
                assertEquals("blue", colors.get("c"));
                assertNull(colors.get("a"));
                assertNull(colors.get("b"));
                assertEquals(3, colors.size());
            }
        }
    }

    @Test
    void theOldSchemasRowsStillCommitAfterAnEvolution() {
        String dataset = RUNTIME.uniqueName("widgets");
        Schema evolved = SchemaBuilder.record("Widget").namespace("dev.onepipe.testdata").fields()
                .name("widget_id").type().stringType().noDefault()
                .name("version").type().longType().noDefault()
                .name("updated_at").type(CleanTableFixture.WIDGET_SCHEMA.getField("updated_at").schema()).noDefault()
                .name("name").type().stringType().noDefault()
                .name("price").type().doubleType().noDefault()
                .name("status").type(CleanTableFixture.WIDGET_SCHEMA.getField("status").schema()).noDefault()
                .name("tags").type(CleanTableFixture.WIDGET_SCHEMA.getField("tags").schema()).noDefault()
                .name("description").type().optional().stringType()
                .name("weight").type().optional().doubleType()
                .endRecord();
        try (IcebergCleanTable table = new IcebergCleanTables(metadata -> CleanRowMerge.INCOMING_WINS).open(config, CleanTableFixture.widgets(dataset), evolved)) {
            Widget current = widget("a", 1, DAY_1, 10);
            GenericRecord heavy = current.toAvro(evolved);
            heavy.put("weight", 2.5);
            table.commit(0, 1, List.of(new CleanRow("a", heavy, DAY_1, Set.of(), true)));
            Widget oldSchema = widget("b", 1, DAY_1, 20);
            table.commit(0, 2, List.of(oldSchema.row()));
            assertTableHolds(table.table(), CleanTableFixture.upserted(List.of(current, oldSchema)));
        }
    }

    /**
     * Walking the history from the first snapshot: each snapshot records every partition an earlier one recorded, never
     * a lower offset; {@code expectedCommits} snapshots carry offsets.
     */
    private static void assertOffsetsNeverRegress(Table table, int expectedCommits) {
        table.refresh();
        List<Snapshot> history = new ArrayList<>();
        for (Snapshot snapshot = table.currentSnapshot(); snapshot != null;
             snapshot = snapshot.parentId() == null ? null : table.snapshot(snapshot.parentId())) {
            history.add(0, snapshot);
        }
        Map<String, Long> previous = new TreeMap<>();
        int withOffsets = 0;
        for (Snapshot snapshot : history) {
            Map<String, Long> offsets = new TreeMap<>();
            snapshot.summary().forEach((property, value) -> {
                if (property.startsWith("onepipe.offset.")) {
                    offsets.put(property, Long.parseLong(value));
                }
            });
            if (offsets.isEmpty()) {
                continue;
            }
            withOffsets++;
            for (Map.Entry<String, Long> before : previous.entrySet()) {
                assertTrue(offsets.containsKey(before.getKey()) && offsets.get(before.getKey()) >= before.getValue(),
                        "snapshot " + snapshot.snapshotId() + " has " + offsets + " after " + previous);
            }
            previous = offsets;
        }
        assertEquals(expectedCommits, withOffsets);
    }

    /**
     * A retention of 2 snapshots and no minimum age, expiring after every commit: five commits rewriting day 1 leave
     * the newest two snapshots; the data files replaced by the expired snapshots 2 and 3 (those of snapshots 1 and 2)
     * are deleted from S3 (Iceberg's cleanup deletes a file once the snapshot that replaced it is expired), the files of
     * the kept snapshots are not, and the table still reads as the upsert of every version with its offsets.
     */
    @Test
    void expiresSnapshotsBeyondTheRetentionAndDeletesTheFilesOnlyTheyReferenced() {
        String dataset = RUNTIME.uniqueName("widgets");
        OnepipeConfig retaining = config.with("test", Map.of(IcebergCleanTables.SNAPSHOTS_MAX_AGE_MS, "0", IcebergCleanTables.SNAPSHOTS_KEEP, "2",
                IcebergCleanTables.SNAPSHOTS_EXPIRE_INTERVAL_MS, "1"));
        List<Widget> versions = new ArrayList<>();
        List<Set<String>> filesOfSnapshot = new ArrayList<>();
        try (IcebergCleanTable table = new IcebergCleanTables(metadata -> CleanRowMerge.INCOMING_WINS)
                .open(retaining, CleanTableFixture.widgets(dataset), CleanTableFixture.WIDGET_SCHEMA)) {
            for (int commit = 1; commit <= 5; commit++) {
                List<Widget> batch = List.of(widget("a", commit, DAY_1, commit), widget("k" + commit, 1, DAY_1, 100 + commit));
                versions.addAll(batch);
                table.commit(0, commit * 2L, rows(batch));
                filesOfSnapshot.add(dataFiles(currentSnapshot(table.table()), table.table()));
            }
            Table iceberg = table.table();
            iceberg.refresh();
            List<Snapshot> snapshots = new ArrayList<>();
            iceberg.snapshots().forEach(snapshots::add);
            assertEquals(2, snapshots.size(), "the newest two snapshots are kept");
            assertEquals(5, table.expiryCount());
            Set<String> kept = new HashSet<>(filesOfSnapshot.get(3));
            kept.addAll(filesOfSnapshot.get(4));
            kept.forEach(file -> assertTrue(iceberg.io().newInputFile(file).exists(), file + " is in a kept snapshot and must exist"));
            for (Set<String> files : filesOfSnapshot.subList(0, 2)) {
                files.stream().filter(file -> !kept.contains(file))
                        .forEach(file -> assertFalse(iceberg.io().newInputFile(file).exists(), file + " was replaced by an expired snapshot and must be deleted"));
            }
            assertTrue(filesOfSnapshot.get(0).stream().anyMatch(file -> !kept.contains(file)), "day 1 was rewritten");
            assertEquals(10, table.committedOffset(0), "the offsets survive the expiry");
        }
        assertEquals(CleanTableFixture.upserted(versions), CleanTableFixture.readWithIceberg(retaining, dataset));
    }

    private static Set<String> dataFiles(Snapshot snapshot, Table table) {
        Set<String> files = new HashSet<>();
        try (org.apache.iceberg.io.CloseableIterable<org.apache.iceberg.FileScanTask> tasks = table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
            tasks.forEach(task -> files.add(task.file().location()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return files;
    }

    private IcebergCleanTable open(String dataset) {
        return new IcebergCleanTables(metadata -> CleanRowMerge.INCOMING_WINS).open(config, CleanTableFixture.widgets(dataset), CleanTableFixture.WIDGET_SCHEMA);
    }

    private static List<CleanRow> rows(List<Widget> widgets) {
        return widgets.stream().map(Widget::row).toList();
    }

    private static Snapshot currentSnapshot(Table table) {
        table.refresh();
        return table.currentSnapshot();
    }

    private static Set<String> dataFiles(Table table) {
        table.refresh();
        Set<String> files = new HashSet<>();
        try (var tasks = table.newScan().planFiles()) {
            tasks.forEach(task -> files.add(task.file().location()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return files;
    }

    /**
     * The table, read with Iceberg's generic reader and file by file with parquet-avro, equals {@code expected}; every
     * file is sorted by (updated_at, version) and holds only rows of its partition's day. Returns each key's day.
     */
    private Map<String, LocalDate> assertTableHolds(Table table, Map<String, Widget> expected) {
        assertEquals(expected, CleanTableFixture.readWithIceberg(config, table.name().substring(table.name().lastIndexOf('.') + 1)));
        try (S3Client s3 = RUNTIME.newS3Client()) {
            Map<DataFile, List<Widget>> files = CleanTableFixture.readDataFilesWithParquet(table, s3, scratch);
            assertEquals(expected, CleanTableFixture.byKey(files));
            Comparator<Widget> ordering = Comparator.comparingLong(Widget::updatedAtMillis).thenComparingLong(Widget::version);
            files.forEach((file, rows) -> {
                List<Widget> sorted = new ArrayList<>(rows);
                sorted.sort(ordering);
                assertEquals(sorted, rows, "file " + file.location() + " is not sorted by the ordering fields");
            });
            Map<String, LocalDate> days = CleanTableFixture.partitionDays(table, files);
            expected.values().forEach(widget -> assertEquals(widget.day(), days.get(widget.id()),
                    "key " + widget.id() + " is not in its event-time day's partition"));
            return days;
        }
    }
}
