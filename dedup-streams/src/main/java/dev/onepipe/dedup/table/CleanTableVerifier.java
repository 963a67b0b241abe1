package dev.onepipe.dedup.table;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.SortOrderComparators;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;

/**
 * Checks a clean table's current snapshot against its contract: exactly one row per unique key in the whole table,
 * every data file sorted by the table's sort order (the ordering fields), every row in the partition of its event-time
 * day, and no delete files. Reads every data file once, file by file.
 */
public final class CleanTableVerifier {

    /** How many offending keys, files or rows a report lists (the counts are always complete). */
    public static final int LISTED = 20;

    private CleanTableVerifier() {
    }

    /** What {@link #verify} found. */
    public record Report(String table, Long snapshotId, Map<Integer, Long> offsets, long files, long rows, long keys,
                         Map<String, List<String>> duplicateKeys, long duplicateKeyCount,
                         List<String> unsortedFiles, List<String> misplacedRows, long misplacedRowCount,
                         List<String> deleteFiles) {

        /** Whether the snapshot meets the contract. */
        public boolean ok() {
            return duplicateKeyCount == 0 && unsortedFiles.isEmpty() && misplacedRowCount == 0 && deleteFiles.isEmpty();
        }

        public void print(PrintWriter out) {
            out.printf("table %s, snapshot %s: %d data files, %d rows, %d unique keys%n", table,
                    snapshotId == null ? "(none)" : snapshotId, files, rows, keys);
            out.printf("input offsets covered: %s%n", offsets.isEmpty() ? "(none)" : offsets);
            if (duplicateKeyCount > 0) {
                out.printf("VIOLATION: %d keys are in the table more than once, e.g.:%n", duplicateKeyCount);
                duplicateKeys.forEach((key, files) -> out.printf("  key %s in %s%n", key, files));
            }
            if (!unsortedFiles.isEmpty()) {
                out.printf("VIOLATION: %d data files are not sorted by the ordering fields:%n", unsortedFiles.size());
                unsortedFiles.stream().limit(LISTED).forEach(file -> out.printf("  %s%n", file));
            }
            if (misplacedRowCount > 0) {
                out.printf("VIOLATION: %d rows are not in the partition of their event-time day, e.g.:%n", misplacedRowCount);
                misplacedRows.forEach(row -> out.printf("  %s%n", row));
            }
            if (!deleteFiles.isEmpty()) {
                out.printf("VIOLATION: the snapshot has delete files (a clean table is copy-on-write):%n");
                deleteFiles.stream().limit(LISTED).forEach(file -> out.printf("  %s%n", file));
            }
            if (ok()) {
                out.println("OK: one row per unique key, every file sorted, every row in its event-time day's partition");
            }
            out.flush();
        }
    }

    /** Verifies {@code table}'s current snapshot. */
    public static Report verify(Table table, CleanTableLayout layout) {
        table.refresh();
        Snapshot snapshot = table.currentSnapshot();
        Map<Integer, Long> offsets = IcebergCleanTable.offsets(table, snapshot);
        if (snapshot == null) {
            return new Report(table.name(), null, offsets, 0, 0, 0, Map.of(), 0, List.of(), List.of(), 0, List.of());
        }
        Schema schema = table.schema();
        SortOrder sortOrder = table.sortOrder();
        Comparator<StructLike> ordering = sortOrder.isUnsorted() ? (left, right) -> 0 : SortOrderComparators.forSchema(schema, sortOrder);
        InternalRecordWrapper previousWrapper = new InternalRecordWrapper(schema.asStruct());
        InternalRecordWrapper currentWrapper = new InternalRecordWrapper(schema.asStruct());
        InternalRecordWrapper partitionWrapper = new InternalRecordWrapper(schema.asStruct());
        Map<String, String> firstFileOfKey = new HashMap<>();
        Map<String, List<String>> duplicates = new LinkedHashMap<>();
        long duplicateCount = 0;
        List<String> unsorted = new ArrayList<>();
        List<String> misplaced = new ArrayList<>();
        long misplacedCount = 0;
        List<String> deletes = new ArrayList<>();
        long files = 0;
        long rows = 0;
        try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
            for (FileScanTask task : tasks) {
                DataFile file = task.file();
                files++;
                task.deletes().forEach(delete -> deletes.add(delete.location()));
                PartitionSpec spec = table.specs().get(file.specId());
                Optional<LocalDate> fileDay = CleanTableLayout.dayOf(spec, file.partition());
                PartitionKey rowPartition = new PartitionKey(spec, schema);
                Record previous = null;
                long fileRow = 0;
                boolean sorted = true;
                try (CloseableIterable<Record> records = Parquet.read(table.io().newInputFile(file.location())).project(schema)
                        .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema)).build()) {
                    for (Record record : records) {
                        rows++;
                        fileRow++;
                        String key = layout.keyOf(record);
                        String first = firstFileOfKey.putIfAbsent(key, file.location());
                        if (first != null) {
                            if (!duplicates.containsKey(key)) {
                                duplicateCount++;
                                if (duplicates.size() < LISTED) {
                                    duplicates.put(key, new ArrayList<>(List.of(first)));
                                }
                            }
                            List<String> where = duplicates.get(key);
                            if (where != null) {
                                where.add(file.location());
                            }
                        }
                        rowPartition.partition(partitionWrapper.wrap(record));
                        Optional<LocalDate> rowDay = CleanTableLayout.dayOf(spec, rowPartition);
                        if (!rowDay.equals(fileDay)) {
                            misplacedCount++;
                            if (misplaced.size() < LISTED) {
                                misplaced.add("key " + key + " of day " + rowDay.map(LocalDate::toString).orElse("(none)")
                                        + " in partition " + fileDay.map(LocalDate::toString).orElse("(none)") + ": " + file.location());
                            }
                        }
                        if (sorted && previous != null
                                && ordering.compare(previousWrapper.wrap(previous), currentWrapper.wrap(record)) > 0) {
                            sorted = false;
                            unsorted.add(file.location() + " (row " + fileRow + ", key " + key + ")");
                        }
                        previous = record.copy();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the clean table " + table.name(), e);
        }
        return new Report(table.name(), snapshot.snapshotId(), offsets, files, rows, firstFileOfKey.size(), duplicates,
                duplicateCount, unsorted, misplaced, misplacedCount, deletes);
    }
}
