package dev.onepipe.dedup.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotAncestryValidator;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.SortOrderComparators;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.avro.AvroSchemaUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.InclusiveMetricsEvaluator;
import org.apache.iceberg.io.ClusteredDataWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dataset's clean table on Iceberg: upserts by unique key, copy-on-write per day partition, exactly once per input
 * offset.
 *
 * <p>A {@link #commit} runs against the table's current snapshot (the base):
 * <ol>
 *   <li>When the base's summary records {@code onepipe.offset.<p>} at or above the commit's offset, return: the rows
 *       are already in (a retried or replayed commit).</li>
 *   <li>Read every row of each day the commit touches: each row's own day and its previous days; for rows of unknown
 *       state, also every other day holding the key (found through column bounds and bloom filters of the key).</li>
 *   <li>Remove the committed keys from those days; put each row under the day of its event time, a row of unknown
 *       state first merged with the row the table held for its key ({@link CleanRowMerge}).</li>
 *   <li>Write each changed day's rows as new Parquet files sorted by the ordering fields (the unique key breaking ties)
 *       and commit one overwrite snapshot deleting the days' old files and adding the new ones. Its summary carries
 *       every {@code onepipe.offset.*} of the base and sets this partition's. The commit is only valid on top of the
 *       base itself (a snapshot-ancestry check): when another committer won the race, Iceberg refuses, the written
 *       files are deleted, and the commit is redone from step 1 on the new snapshot, up to the configured attempts.</li>
 * </ol>
 * Not thread-safe: one committer per stream thread; several committers (threads, processes) may share a table.
 */
public final class IcebergCleanTable implements CleanTableCommitter {

    /** Snapshot summary property holding the next input offset covered for input partition {@code p}. */
    public static final String OFFSET_PREFIX = "onepipe.offset.";
    static final long TARGET_FILE_SIZE_BYTES = 128L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(IcebergCleanTable.class);

    private final Catalog catalog;
    private final Table table;
    private final CleanRowMerge merge;
    private final int maxAttempts;
    private final Set<Schema> evolvedSchemas = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private CleanTableLayout layout;
    private long commits;
    private long retries;

    IcebergCleanTable(Catalog catalog, Table table, CleanTableLayout layout, CleanRowMerge merge, int maxAttempts) {
        this.catalog = catalog;
        this.table = table;
        this.layout = layout;
        this.merge = merge;
        this.maxAttempts = Math.max(1, maxAttempts);
    }

    /** The Iceberg table written. */
    public Table table() {
        return table;
    }

    /** Commits made (snapshots created) and commits redone after a lost race, since this committer opened. */
    public long commitCount() {
        return commits;
    }

    public long retryCount() {
        return retries;
    }

    @Override
    public long committedOffset(int inputPartition) {
        table.refresh();
        return offsetOf(table.currentSnapshot(), inputPartition);
    }

    /** The offset {@code snapshot} records for {@code inputPartition}, -1 when none. */
    public static long offsetOf(Snapshot snapshot, int inputPartition) {
        if (snapshot == null || snapshot.summary() == null) {
            return -1;
        }
        String value = snapshot.summary().get(OFFSET_PREFIX + inputPartition);
        return value == null ? -1 : Long.parseLong(value);
    }

    @Override
    public void commit(int inputPartition, long nextOffset, Collection<CleanRow> rows) {
        for (int attempt = 1; ; attempt++) {
            List<DataFile> written = new ArrayList<>();
            try {
                table.refresh();
                Snapshot base = table.currentSnapshot();
                if (offsetOf(base, inputPartition) >= nextOffset) {
                    return;
                }
                for (CleanRow row : rows) {
                    evolveSchema(row.row().getSchema());
                }
                table.refresh();
                base = table.currentSnapshot();
                if (offsetOf(base, inputPartition) >= nextOffset) {
                    return;
                }
                commitOnto(base, inputPartition, nextOffset, rows, written);
                commits++;
                return;
            } catch (ValidationException | CommitFailedException lostRace) {
                deleteQuietly(written);
                if (attempt >= maxAttempts) {
                    throw new CleanTableException("Cannot commit to the clean table " + table.name() + " for input partition "
                            + inputPartition + " up to offset " + nextOffset + ": other committers won " + attempt
                            + " races in a row (" + lostRace.getMessage() + ")", lostRace);
                }
                retries++;
                backOff(attempt);
            } catch (CommitStateUnknownException unknown) {
                // The snapshot may have been committed: keep its files; the next attempt finds out from the offsets.
                if (attempt >= maxAttempts) {
                    throw new CleanTableException("The commit to the clean table " + table.name() + " has an unknown state: "
                            + unknown.getMessage(), unknown);
                }
                backOff(attempt);
            } catch (CleanTableException e) {
                deleteQuietly(written);
                throw e;
            } catch (RuntimeException e) {
                deleteQuietly(written);
                throw new CleanTableException("Cannot commit to the clean table " + table.name() + ": " + e.getMessage(), e);
            }
        }
    }

    private void commitOnto(Snapshot base, int inputPartition, long nextOffset, Collection<CleanRow> rows, List<DataFile> written) {
        org.apache.iceberg.Schema schema = table.schema();
        PartitionSpec spec = table.spec();
        Types.StructType struct = schema.asStruct();
        Map<Optional<LocalDate>, List<DataFile>> filesByDay = base == null ? Map.of() : filesByDay(base, spec);
        DayRows days = new DayRows(filesByDay, schema);

        Map<String, CleanRow> incoming = new LinkedHashMap<>();
        Map<String, Set<LocalDate>> previousDays = new HashMap<>();
        for (CleanRow row : rows) {
            incoming.remove(row.uniqueKey());
            incoming.put(row.uniqueKey(), row);
            Set<LocalDate> previous = previousDays.computeIfAbsent(row.uniqueKey(), key -> new LinkedHashSet<>());
            previous.addAll(row.previousDays());
            previous.add(row.eventDay());
        }
        PartitionKey partitionKey = new PartitionKey(spec, schema);
        InternalRecordWrapper wrapper = new InternalRecordWrapper(struct);
        Map<String, Record> converted = new LinkedHashMap<>();
        for (CleanRow row : incoming.values()) {
            Record record = convert(row, struct);
            converted.put(row.uniqueKey(), record);
            days.load(dayOf(spec, partitionKey, wrapper, record));
            previousDays.get(row.uniqueKey()).forEach(day -> days.load(dayKey(spec, day)));
        }
        Set<String> unknownKeys = new LinkedHashSet<>();
        incoming.values().stream().filter(row -> !row.stateKnown()).forEach(row -> unknownKeys.add(row.uniqueKey()));
        if (!unknownKeys.isEmpty()) {
            days.loadDaysHolding(unknownKeys, converted);
        }

        for (CleanRow row : incoming.values()) {
            String key = row.uniqueKey();
            Record record = converted.get(key);
            Record existing = null;
            if (row.stateKnown()) {
                for (LocalDate day : previousDays.get(key)) {
                    days.remove(dayKey(spec, day), key);
                }
                days.remove(dayOf(spec, partitionKey, wrapper, record), key);
            } else {
                existing = days.removeEverywhere(key);
            }
            Record winner = record;
            if (existing != null) {
                GenericRecord merged = merge.merge(IcebergRows.toAvro(existing, row.row().getSchema()), row.row());
                winner = merged == row.row() ? record : IcebergRows.toIceberg(merged, struct);
            }
            Optional<LocalDate> day = dayOf(spec, partitionKey, wrapper, winner);
            days.load(day);
            days.put(day, key, winner);
        }

        OverwriteFiles overwrite = table.newOverwrite();
        written.addAll(write(days.changed(), spec, partitionKey, wrapper));
        days.changedFiles().forEach(overwrite::deleteFile);
        written.forEach(overwrite::addFile);
        if (base != null) {
            base.summary().forEach((property, value) -> {
                if (property.startsWith(OFFSET_PREFIX)) {
                    overwrite.set(property, value);
                }
            });
            overwrite.validateFromSnapshot(base.snapshotId())
                    .conflictDetectionFilter(Expressions.alwaysTrue())
                    .validateNoConflictingData()
                    .validateNoConflictingDeletes();
        }
        overwrite.set(OFFSET_PREFIX + inputPartition, Long.toString(nextOffset));
        overwrite.validateWith(parentIs(base));
        overwrite.commit();
        LOG.debug("{}: committed {} rows for input partition {} up to offset {}, rewrote {} days", table.name(),
                incoming.size(), inputPartition, nextOffset, days.changed().size());
    }

    /** Valid only when the new snapshot's parent is {@code base}: the summary's offsets were computed from it. */
    private static SnapshotAncestryValidator parentIs(Snapshot base) {
        Long baseId = base == null ? null : base.snapshotId();
        return new SnapshotAncestryValidator() {
            @Override
            public boolean validate(Iterable<Snapshot> ancestry) {
                Iterator<Snapshot> snapshots = ancestry.iterator();
                Long parent = snapshots.hasNext() ? snapshots.next().snapshotId() : null;
                return java.util.Objects.equals(parent, baseId);
            }

            @Override
            public String errorMessage() {
                return "another commit landed since snapshot " + baseId;
            }
        };
    }

    private Record convert(CleanRow row, Types.StructType struct) {
        try {
            return IcebergRows.toIceberg(row.row(), struct);
        } catch (RuntimeException e) {
            throw new CleanTableException("The row of key '" + row.uniqueKey() + "' does not fit the clean table "
                    + table.name() + ": " + e.getMessage(), e);
        }
    }

    private Map<Optional<LocalDate>, List<DataFile>> filesByDay(Snapshot base, PartitionSpec spec) {
        Map<Optional<LocalDate>, List<DataFile>> files = new HashMap<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(base.snapshotId()).planFiles()) {
            for (FileScanTask task : tasks) {
                if (!task.deletes().isEmpty()) {
                    throw new CleanTableException("The clean table " + table.name() + " has delete files (e.g. "
                            + task.deletes().get(0).location() + "); onepipe rewrites days copy-on-write and cannot apply them");
                }
                PartitionSpec fileSpec = table.specs().get(task.file().specId());
                files.computeIfAbsent(CleanTableLayout.dayOf(fileSpec, task.file().partition()), day -> new ArrayList<>()).add(task.file());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static Optional<LocalDate> dayOf(PartitionSpec spec, PartitionKey partitionKey, InternalRecordWrapper wrapper, Record record) {
        if (spec.isUnpartitioned()) {
            return Optional.empty();
        }
        partitionKey.partition(wrapper.wrap(record));
        return CleanTableLayout.dayOf(spec, partitionKey);
    }

    private static Optional<LocalDate> dayKey(PartitionSpec spec, LocalDate day) {
        return spec.isUnpartitioned() ? Optional.empty() : Optional.ofNullable(day);
    }

    private List<DataFile> write(Map<Optional<LocalDate>, Map<String, Record>> changed, PartitionSpec spec,
                                 PartitionKey partitionKey, InternalRecordWrapper wrapper) {
        org.apache.iceberg.Schema schema = table.schema();
        SortOrder sortOrder = table.sortOrder();
        Comparator<StructLike> ordering = sortOrder.isUnsorted() ? (left, right) -> 0 : SortOrderComparators.forSchema(schema, sortOrder);
        InternalRecordWrapper leftWrapper = new InternalRecordWrapper(schema.asStruct());
        InternalRecordWrapper rightWrapper = new InternalRecordWrapper(schema.asStruct());
        GenericFileWriterFactory writers = new GenericFileWriterFactory.Builder(table)
                .dataFileFormat(FileFormat.PARQUET).dataSchema(schema).dataSortOrder(sortOrder).build();
        OutputFileFactory files = OutputFileFactory.builderFor(table, 0, System.nanoTime())
                .format(FileFormat.PARQUET).operationId(UUID.randomUUID().toString()).build();
        ClusteredDataWriter<Record> writer = new ClusteredDataWriter<>(writers, files, table.io(), TARGET_FILE_SIZE_BYTES);
        List<Optional<LocalDate>> dayOrder = new ArrayList<>(changed.keySet());
        dayOrder.sort(Comparator.comparing((Optional<LocalDate> day) -> day.orElse(LocalDate.MIN)));
        try {
            for (Optional<LocalDate> day : dayOrder) {
                List<Map.Entry<String, Record>> rows = new ArrayList<>(changed.get(day).entrySet());
                rows.sort((left, right) -> {
                    int compared = ordering.compare(leftWrapper.wrap(left.getValue()), rightWrapper.wrap(right.getValue()));
                    return compared != 0 ? compared : left.getKey().compareTo(right.getKey());
                });
                for (Map.Entry<String, Record> row : rows) {
                    partitionKey.partition(wrapper.wrap(row.getValue()));
                    writer.write(row.getValue(), spec, partitionKey);
                }
            }
        } finally {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write the clean table " + table.name() + "'s data files", e);
            }
        }
        return writer.result().dataFiles();
    }

    /**
     * Evolves the table's schema to hold {@code rowSchema}'s columns (Iceberg's {@code unionByNameWith}: new optional
     * columns, widened types; old data files are not rewritten) when it has columns the table lacks.
     */
    void evolveSchema(Schema rowSchema) {
        if (!evolvedSchemas.add(rowSchema)) {
            return;
        }
        org.apache.iceberg.Schema wanted = AvroSchemaUtil.toIceberg(rowSchema);
        org.apache.iceberg.Schema current = table.schema();
        if (covers(current.asStruct(), wanted.asStruct())) {
            return;
        }
        table.updateSchema().unionByNameWith(wanted).commit();
        CleanTableLayout evolved = layout.withAvroSchema(rowSchema);
        table.updateProperties().set(CleanTableLayout.AVRO_SCHEMA, rowSchema.toString()).commit();
        layout = evolved;
        table.refresh();
        LOG.info("{}: schema evolved to {}", table.name(), table.schema());
    }

    /** Whether every column of {@code wanted} (by name, recursively) is already in {@code current}. */
    private static boolean covers(Types.StructType current, Types.StructType wanted) {
        for (Types.NestedField field : wanted.fields()) {
            Types.NestedField existing = current.field(field.name());
            if (existing == null) {
                return false;
            }
            if (field.type().isStructType() && existing.type().isStructType()
                    && !covers(existing.type().asStructType(), field.type().asStructType())) {
                return false;
            }
            if (field.type().isPrimitiveType() && !field.type().equals(existing.type())
                    && !(existing.type().typeId() == Type.TypeID.LONG && field.type().typeId() == Type.TypeID.INTEGER)
                    && !(existing.type().typeId() == Type.TypeID.DOUBLE && field.type().typeId() == Type.TypeID.FLOAT)) {
                return false;
            }
        }
        return true;
    }

    private void deleteQuietly(List<DataFile> files) {
        for (DataFile file : files) {
            try {
                table.io().deleteFile(file.location());
            } catch (RuntimeException e) {
                LOG.warn("{}: cannot delete the uncommitted data file {}: {}", table.name(), file.location(), e.getMessage());
            }
        }
        files.clear();
    }

    private static void backOff(int attempt) {
        long ceiling = Math.min(2_000L, 25L << Math.min(attempt, 6));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CleanTableException("Interrupted while retrying a commit", e);
        }
    }

    @Override
    public void close() {
        closeQuietly(catalog);
    }

    static void closeQuietly(Catalog catalog) {
        if (catalog instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("Cannot close the Iceberg catalog: {}", e.getMessage());
            }
        }
    }

    /** The rows of the days a commit reads, by day and key, with each day's files and whether it changed. */
    private final class DayRows {
        private final Map<Optional<LocalDate>, List<DataFile>> filesByDay;
        private final org.apache.iceberg.Schema schema;
        private final Map<Optional<LocalDate>, Map<String, Record>> rows = new HashMap<>();
        private final Set<Optional<LocalDate>> changed = new HashSet<>();

        DayRows(Map<Optional<LocalDate>, List<DataFile>> filesByDay, org.apache.iceberg.Schema schema) {
            this.filesByDay = filesByDay;
            this.schema = schema;
        }

        Map<String, Record> load(Optional<LocalDate> day) {
            Map<String, Record> dayRows = rows.get(day);
            if (dayRows == null) {
                dayRows = new LinkedHashMap<>();
                for (DataFile file : filesByDay.getOrDefault(day, List.of())) {
                    for (Record record : read(file, Expressions.alwaysTrue())) {
                        dayRows.put(layout.keyOf(record), record);
                    }
                }
                rows.put(day, dayRows);
            }
            return dayRows;
        }

        /** Loads every not yet loaded day whose files hold one of {@code keys}. */
        void loadDaysHolding(Set<String> keys, Map<String, Record> converted) {
            Set<String> unseen = new HashSet<>(keys);
            rows.values().forEach(dayRows -> unseen.removeAll(dayRows.keySet()));
            if (unseen.isEmpty()) {
                return;
            }
            Expression filter = keyFilter(unseen, converted);
            InclusiveMetricsEvaluator metrics = new InclusiveMetricsEvaluator(schema, filter);
            for (Map.Entry<Optional<LocalDate>, List<DataFile>> day : filesByDay.entrySet()) {
                if (rows.containsKey(day.getKey())) {
                    continue;
                }
                boolean holds = false;
                for (DataFile file : day.getValue()) {
                    if (!holds && metrics.eval(file)) {
                        for (Record record : read(file, filter)) {
                            if (unseen.contains(layout.keyOf(record))) {
                                holds = true;
                                break;
                            }
                        }
                    }
                }
                if (holds) {
                    load(day.getKey());
                }
            }
        }

        /** {@code first key field IN (...)} when that column can be filtered on; else no filter. */
        private Expression keyFilter(Set<String> keys, Map<String, Record> converted) {
            String field = layout.uniqueKey().get(0);
            Types.NestedField column = schema.findField(field);
            if (column == null || !(column.type().typeId() == Type.TypeID.STRING || column.type().typeId() == Type.TypeID.INTEGER
                    || column.type().typeId() == Type.TypeID.LONG)) {
                return Expressions.alwaysTrue();
            }
            Set<Object> values = new HashSet<>();
            for (String key : keys) {
                Object value = converted.get(key).getField(field);
                values.add(value instanceof CharSequence text ? text.toString() : value);
            }
            return Expressions.in(field, values);
        }

        private List<Record> read(DataFile file, Expression filter) {
            List<Record> records = new ArrayList<>();
            try (CloseableIterable<Record> reader = Parquet.read(table.io().newInputFile(file.location()))
                    .project(schema)
                    .filter(filter)
                    .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema))
                    .build()) {
                reader.forEach(records::add);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + file.location(), e);
            }
            return records;
        }

        Record remove(Optional<LocalDate> day, String key) {
            Record removed = load(day).remove(key);
            if (removed != null) {
                changed.add(day);
            }
            return removed;
        }

        /** Removes {@code key} from every loaded day; returns one of the rows removed (there is at most one). */
        Record removeEverywhere(String key) {
            Record found = null;
            for (Map.Entry<Optional<LocalDate>, Map<String, Record>> day : rows.entrySet()) {
                Record removed = day.getValue().remove(key);
                if (removed != null) {
                    changed.add(day.getKey());
                    found = found == null ? removed : found;
                }
            }
            return found;
        }

        void put(Optional<LocalDate> day, String key, Record record) {
            load(day).put(key, record);
            changed.add(day);
        }

        Map<Optional<LocalDate>, Map<String, Record>> changed() {
            Map<Optional<LocalDate>, Map<String, Record>> result = new HashMap<>();
            changed.forEach(day -> result.put(day, rows.get(day)));
            return result;
        }

        List<DataFile> changedFiles() {
            List<DataFile> files = new ArrayList<>();
            changed.forEach(day -> files.addAll(filesByDay.getOrDefault(day, List.of())));
            return files;
        }
    }
}
