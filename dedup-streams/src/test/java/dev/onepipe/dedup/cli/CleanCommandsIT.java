package dev.onepipe.dedup.cli;

import static dev.onepipe.dedup.table.CleanTableFixture.DAY_1;
import static dev.onepipe.dedup.table.CleanTableFixture.DAY_2;
import static dev.onepipe.dedup.table.CleanTableFixture.widget;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import dev.onepipe.core.cli.OnepipeCommand;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.s3.S3Settings;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.dedup.table.CleanRow;
import dev.onepipe.dedup.table.CleanRowMerge;
import dev.onepipe.dedup.table.CleanTableCatalog;
import dev.onepipe.dedup.table.CleanTableFixture;
import dev.onepipe.dedup.table.CleanTableFixture.Widget;
import dev.onepipe.dedup.table.IcebergCleanTable;
import dev.onepipe.dedup.table.IcebergCleanTables;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code onepipe clean show} and {@code onepipe clean verify} as a user runs them (in-process through picocli), on
 * clean tables on the embedded S3 endpoint: verify passes a table the committer wrote, and fails, naming the key or the
 * file, on tables the test corrupts through plain Iceberg APIs.
 */
class CleanCommandsIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    @TempDir
    static Path stateRoot;

    static OnepipeConfig config;
    static Catalog catalog;

    @BeforeAll
    static void configure() {
        config = CleanTableFixture.config(RUNTIME.s3Settings(), stateRoot);
        catalog = CleanTableCatalog.open(config);
    }

    @AfterAll
    static void closeCatalog() throws Exception {
        ((AutoCloseable) catalog).close();
    }

    @Test
    void showPrintsRowsByKeyAndDateAndVerifyPassesAGoodTable() {
        String dataset = written("shown");
        StringWriter out = new StringWriter();
        assertEquals(0, run(out, "clean", "verify", "--dataset", dataset), out.toString());
        assertTrue(out.toString().contains("4 rows, 4 unique keys"), out.toString());
        assertTrue(out.toString().contains("OK: one row per unique key"), out.toString());
        assertTrue(out.toString().contains("{0=4}"), "the offsets covered: " + out);

        StringWriter byKey = new StringWriter();
        assertEquals(0, run(byKey, "clean", "show", "--dataset", dataset, "--key", "b"));
        List<String> lines = byKey.toString().lines().toList();
        assertEquals(1, lines.size(), byKey.toString());
        assertTrue(lines.get(0).contains("\"widget_id\": \"b\"") && lines.get(0).contains("\"version\": 2"), lines.get(0));

        StringWriter byDate = new StringWriter();
        assertEquals(0, run(byDate, "clean", "show", "--dataset", dataset, "--date", DAY_2.toString()));
        assertEquals(2, byDate.toString().lines().count(), byDate.toString());
        assertTrue(byDate.toString().contains("\"widget_id\": \"b\"") && byDate.toString().contains("\"widget_id\": \"c\""), byDate.toString());

        StringWriter limited = new StringWriter();
        assertEquals(0, run(limited, "clean", "show", "--dataset", dataset, "--limit", "3"));
        assertEquals(3, limited.toString().lines().count(), limited.toString());
    }

    @Test
    void verifyNamesADuplicateKeyAppendedThroughIceberg() throws IOException {
        String dataset = written("duplicated");
        Table table = table(dataset);
        DataFile copy = writeFile(table, List.of(widget("a", 9, DAY_1, 5)));
        table.newAppend().appendFile(copy).commit();
        StringWriter out = new StringWriter();
        assertEquals(1, run(out, "clean", "verify", "--dataset", dataset), out.toString());
        assertTrue(out.toString().contains("1 keys are in the table more than once"), out.toString());
        assertTrue(out.toString().contains("key a in ") && out.toString().contains(copy.location()), out.toString());
    }

    @Test
    void verifyNamesAnUnsortedFileAndARowInTheWrongDay() throws IOException {
        String dataset = written("unsorted");
        Table table = table(dataset);
        // two new keys of day 1, later one first
        DataFile unsorted = writeFile(table, List.of(widget("y", 1, DAY_1, 600), widget("x", 1, DAY_1, 60)));
        table.newAppend().appendFile(unsorted).commit();
        StringWriter out = new StringWriter();
        assertEquals(1, run(out, "clean", "verify", "--dataset", dataset), out.toString());
        assertTrue(out.toString().contains("1 data files are not sorted") && out.toString().contains(unsorted.location()), out.toString());

        String misplacedDataset = written("misplaced");
        Table misplacedTable = table(misplacedDataset);
        // a day-1 row in a file of day 2's partition
        DataFile misplaced = writeFile(misplacedTable, List.of(widget("m", 1, DAY_1, 60)), widget("n", 1, DAY_2, 60));
        misplacedTable.newAppend().appendFile(misplaced).commit();
        StringWriter misplacedOut = new StringWriter();
        assertEquals(1, run(misplacedOut, "clean", "verify", "--dataset", misplacedDataset), misplacedOut.toString());
        assertTrue(misplacedOut.toString().contains("1 rows are not in the partition of their event-time day")
                && misplacedOut.toString().contains("key m of day " + DAY_1 + " in partition " + DAY_2), misplacedOut.toString());
    }

    @Test
    void verifyOfAMissingTableExitsWithThree() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(3, run(out, err, "clean", "verify", "--dataset", "never-written"));
        assertTrue(err.toString().contains("There is no clean table clean.never-written"), err.toString());
    }

    /** A table holding a..d after two commits (b updated), as the dedup topology would leave it. */
    private static String written(String prefix) {
        String dataset = RUNTIME.uniqueName(prefix);
        try (IcebergCleanTable table = new IcebergCleanTables(metadata -> CleanRowMerge.INCOMING_WINS).open(config, CleanTableFixture.widgets(dataset), CleanTableFixture.WIDGET_SCHEMA)) {
            table.commit(0, 3, List.of(widget("a", 1, DAY_1, 10).row(), widget("b", 1, DAY_1, 20).row(), widget("c", 1, DAY_2, 30).row()));
            List<CleanRow> second = List.of(widget("b", 2, DAY_2, 20).row(Set.of(DAY_1), true), widget("d", 1, DAY_1, 40).row());
            table.commit(0, 4, second);
        }
        return dataset;
    }

    private static Table table(String dataset) {
        return catalog.loadTable(CleanTableCatalog.tableIdentifier(dataset));
    }

    /** One Parquet data file of {@code rows} in the order given, in the partition of {@code partitionOf}'s day (default: the first row's). */
    private static DataFile writeFile(Table table, List<Widget> rows, Widget... partitionOf) throws IOException {
        GenericFileWriterFactory writers = new GenericFileWriterFactory.Builder(table).dataFileFormat(FileFormat.PARQUET).build();
        OutputFileFactory files = OutputFileFactory.builderFor(table, 0, 0).format(FileFormat.PARQUET).operationId(UUID.randomUUID().toString()).build();
        PartitionKey partition = new PartitionKey(table.spec(), table.schema());
        Widget partitionRow = partitionOf.length > 0 ? partitionOf[0] : rows.get(0);
        partition.partition(new InternalRecordWrapper(table.schema().asStruct()).wrap(icebergRow(table, partitionRow)));
        DataWriter<Record> writer = writers.newDataWriter(files.newOutputFile(table.spec(), partition), table.spec(), partition);
        try (writer) {
            for (Widget row : rows) {
                writer.write(icebergRow(table, row));
            }
        }
        return writer.toDataFile();
    }

    /** The widget as an Iceberg row, built by hand with Iceberg's value types (the spec's generic representation). */
    private static Record icebergRow(Table table, Widget widget) {
        Record record = GenericRecord.create(table.schema());
        record.setField("widget_id", widget.id());
        record.setField("version", widget.version());
        record.setField("updated_at", java.time.Instant.ofEpochMilli(widget.updatedAtMillis()).atOffset(ZoneOffset.UTC).toLocalDateTime());
        record.setField("name", widget.name());
        record.setField("price", widget.price());
        record.setField("status", widget.status());
        record.setField("tags", new ArrayList<>(widget.tags()));
        record.setField("description", widget.description());
        return record;
    }

    private static int run(StringWriter out, String... arguments) {
        return run(out, new StringWriter(), arguments);
    }

    private static int run(StringWriter out, StringWriter err, String... arguments) {
        S3Settings s3 = RUNTIME.s3Settings();
        List<String> command = new ArrayList<>(List.of(arguments));
        command.addAll(List.of("--s3-endpoint", s3.endpoint().orElseThrow().toString(), "--s3-bucket", s3.bucket(),
                "--set", "onepipe.s3.access.key=" + s3.accessKey().orElseThrow(),
                "--set", "onepipe.s3.secret.key=" + s3.secretKey().orElseThrow(),
                "--set", TopologyRunner.STATE_ROOT + "=" + stateRoot));
        CommandLine commandLine = OnepipeCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(command.toArray(String[]::new));
    }
}
