package dev.onepipe.dedup.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.s3.S3Settings;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Widget rows for clean-table tests, and the table's content read two independent ways (Iceberg's generic reader, and
 * each current data file fetched with a plain S3 GET and read by parquet-avro), each normalized to {@link Widget}.
 */
public final class CleanTableFixture {

    public static final Schema WIDGET_SCHEMA = SampleDatasets.schema(SampleDatasets.WIDGETS);
    public static final LocalDate DAY_1 = LocalDate.parse("2026-03-01");
    public static final LocalDate DAY_2 = LocalDate.parse("2026-03-02");
    public static final LocalDate DAY_3 = LocalDate.parse("2026-03-03");

    private CleanTableFixture() {
    }

    /** One widget version as the test sees it: plain Java values, event time in epoch milliseconds. */
    public record Widget(String id, long version, long updatedAtMillis, String name, double price, String status,
                  List<String> tags, String description) {

        public LocalDate day() {
            return Instant.ofEpochMilli(updatedAtMillis).atZone(ZoneOffset.UTC).toLocalDate();
        }

        public GenericRecord toAvro(Schema schema) {
            GenericData.Record record = new GenericData.Record(schema);
            record.put("widget_id", id);
            record.put("version", version);
            record.put("updated_at", updatedAtMillis);
            record.put("name", name);
            record.put("price", price);
            record.put("status", new GenericData.EnumSymbol(schema.getField("status").schema(), status));
            record.put("tags", new GenericData.Array<>(schema.getField("tags").schema(), tags));
            record.put("description", description);
            return record;
        }

        public CleanRow row(Set<LocalDate> previousDays, boolean stateKnown) {
            return new CleanRow(id, toAvro(WIDGET_SCHEMA), day(), previousDays, stateKnown);
        }

        public CleanRow row() {
            return row(Set.of(), true);
        }
    }

    /** A widget version at {@code minuteOfDay} on {@code day}. */
    public static Widget widget(String id, long version, LocalDate day, int minuteOfDay) {
        long millis = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() + minuteOfDay * 60_000L + version;
        return new Widget(id, version, millis, "widget " + id + " v" + version, version * 1.25 + id.length(),
                version % 2 == 0 ? "ACTIVE" : "DRAFT", List.of("t" + version, id), version % 3 == 0 ? null : "d" + version);
    }

    public static DatasetMetadata widgets(String name) {
        return DatasetMetadata.builder(name).uniqueKey("widget_id").ordering("updated_at", "version").eventTimeField("updated_at").build();
    }

    public static OnepipeConfig config(S3Settings s3, Path stateRoot) {
        Map<String, String> values = new LinkedHashMap<>(s3.toConfig());
        values.put(TopologyRunner.STATE_ROOT, stateRoot.toString());
        return OnepipeConfig.of(values);
    }

    /** The expected table after upserting {@code versions} in order: the independent model every test compares to. */
    public static Map<String, Widget> upserted(Collection<Widget> versions) {
        Map<String, Widget> expected = new TreeMap<>();
        versions.forEach(widget -> expected.put(widget.id(), widget));
        return expected;
    }

    /** Every row of the current snapshot through Iceberg's generic reader, by key; fails on a key seen twice. */
    public static Map<String, Widget> readWithIceberg(OnepipeConfig config, String dataset) {
        try (CleanTableReader reader = CleanTableReader.open(config, dataset)) {
            Map<String, Widget> rows = new TreeMap<>();
            reader.forEach(org.apache.iceberg.expressions.Expressions.alwaysTrue(), record -> {
                Widget widget = fromIceberg(record);
                if (rows.put(widget.id(), widget) != null) {
                    throw new AssertionError("key " + widget.id() + " is in the table twice");
                }
            });
            return rows;
        }
    }

    public static Widget fromIceberg(Record record) {
        LocalDateTime updatedAt = (LocalDateTime) record.getField("updated_at");
        List<String> tags = new ArrayList<>();
        ((List<?>) record.getField("tags")).forEach(tag -> tags.add(tag.toString()));
        Object description = record.getField("description");
        return new Widget(record.getField("widget_id").toString(), (Long) record.getField("version"),
                updatedAt.toInstant(ZoneOffset.UTC).toEpochMilli(), record.getField("name").toString(), (Double) record.getField("price"),
                record.getField("status").toString(), tags, description == null ? null : description.toString());
    }

    /** The current data files, each with its rows in file order as parquet-avro reads them after a plain S3 GET. */
    public static Map<DataFile, List<Widget>> readDataFilesWithParquet(Table table, S3Client s3, Path scratch) {
        table.refresh();
        Map<DataFile, List<Widget>> files = new LinkedHashMap<>();
        if (table.currentSnapshot() == null) {
            return files;
        }
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            for (FileScanTask task : tasks) {
                URI location = URI.create(task.file().location());
                Path local = Files.createTempFile(scratch, "clean", ".parquet");
                Files.delete(local);
                s3.getObject(request -> request.bucket(location.getHost()).key(location.getPath().substring(1)), local);
                List<Widget> rows = new ArrayList<>();
                try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(local))
                        .withDataModel(GenericData.get()).build()) {
                    for (GenericRecord record = reader.read(); record != null; record = reader.read()) {
                        rows.add(fromParquet(record));
                    }
                }
                files.put(task.file(), rows);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static Widget fromParquet(GenericRecord record) {
        Object updatedAt = record.get("updated_at");
        long millis = updatedAt instanceof LocalDateTime local ? local.toInstant(ZoneOffset.UTC).toEpochMilli() : ((Long) updatedAt) / 1_000L;
        List<String> tags = new ArrayList<>();
        for (Object tag : (Collection<?>) record.get("tags")) {
            tags.add(tag instanceof GenericRecord element ? element.get(0).toString() : tag.toString());
        }
        Object description = record.get("description");
        return new Widget(record.get("widget_id").toString(), (Long) record.get("version"), millis, record.get("name").toString(),
                (Double) record.get("price"), record.get("status").toString(), tags, description == null ? null : description.toString());
    }

    /** Every row of every current data file, by key; fails on a key seen twice. */
    public static Map<String, Widget> byKey(Map<DataFile, List<Widget>> files) {
        Map<String, Widget> rows = new TreeMap<>();
        files.values().forEach(list -> list.forEach(widget -> {
            if (rows.put(widget.id(), widget) != null) {
                throw new AssertionError("key " + widget.id() + " is in the data files twice");
            }
        }));
        return rows;
    }

    /** Which days the data files hold each key under, from the files' partition tuples. */
    public static Map<String, LocalDate> partitionDays(Table table, Map<DataFile, List<Widget>> files) {
        Map<String, LocalDate> days = new HashMap<>();
        files.forEach((file, rows) -> {
            // day(updated_at) partition values are days since 1970-01-01 (Iceberg spec, partition transforms)
            LocalDate day = LocalDate.ofEpochDay(file.partition().get(0, Integer.class));
            rows.forEach(row -> days.put(row.id(), day));
        });
        return days;
    }
}
