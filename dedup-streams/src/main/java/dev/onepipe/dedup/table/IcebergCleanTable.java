package dev.onepipe.dedup.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
import org.apache.iceberg.Transaction;
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
 * <p>Every data file belongs to the input partition whose committer wrote it (its name ends in
 * {@code -input<p>.parquet}). The dedup topology keys its input by unique key, so a key only ever arrives on one input
 * partition, and its row is only ever in that partition's files: committers of different input partitions never
 * rewrite the same files and do not wait for each other. Files without the mark (written by another tool) are shared:
 * every committer reads them, and rewriting one requires that nothing else committed meanwhile.
 *
 * <p>A {@link #commit} runs against the table's current snapshot (the base):
 * <ol>
 *   <li>When the base records {@code onepipe.offset.<p>} at or above the commit's offset, return: the rows are already
 *       in (a retried or replayed commit).</li>
 *   <li>Read this partition's (and the shared) rows of each day the commit touches: each row's own day and its previous
 *       days; for rows of unknown state, also every other day holding the key (found through column bounds and
 *       bloom filters of the first key field).</li>
 *   <li>Remove the committed keys from those days; put each row under the day of its event time, a row of unknown
 *       state first merged with the row the table held for its key ({@link CleanRowMerge}).</li>
 *   <li>Write each changed day's rows as new Parquet files sorted by the ordering fields (the unique key breaking ties)
 *       and commit one overwrite snapshot deleting the days' old files and adding the new ones, with summary
 *       {@code onepipe.input-partition=<p>}, {@code onepipe.offset.<p>=<next offset>} and every other partition's
 *       offset carried forward from the snapshot it lands on. The commit is valid only if every snapshot since the base
 *       came from committers of other input partitions; otherwise the written files are deleted and the commit is
 *       redone from step 1 on the new snapshot, up to the configured attempts.</li>
 * </ol>
 * Not thread-safe: one committer per stream thread; several committers (threads, processes) may share a table.
 */
public final class IcebergCleanTable implements CleanTableCommitter {

    /** Snapshot summary property holding the next input offset covered for input partition {@code p}. */
    public static final String OFFSET_PREFIX = "onepipe.offset.";
    /** Snapshot summary property naming the input partition whose commit made the snapshot. */
    public static final String INPUT_PARTITION = "onepipe.input-partition";
    /** Data files a committer writes for input partition {@code p} end in {@code -input<p>.parquet}. */
    static final Pattern OWNED_FILE = Pattern.compile(".*-input(\\d+)\\.parquet$");
    static final long TARGET_FILE_SIZE_BYTES = 128L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(IcebergCleanTable.class);

    private final Catalog catalog;
    private final Table table;
    private final CleanRowMerge merge;
    private final int maxAttempts;
    private final SnapshotRetention retention;
    private long lastExpiryMillis = Long.MIN_VALUE;
    private long expiries;
    private final Set<Schema> evolvedSchemas = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private CleanTableLayout layout;
    private long commits;
    private long retries;

    /**
     * How long replaced snapshots (and the files only they reference) are kept: after a commit, at most once per
     * {@code expireInterval}, the committer expires the snapshots older than {@code maxAge} beyond the newest
     * {@code keep} (Iceberg's {@code ExpireSnapshots}, which deletes the data files, manifests and manifest lists no
     * retained snapshot references). A zero {@code expireInterval} never expires. {@code maxAge} must exceed the time
     * a commit takes: a commit whose base snapshot was expired meanwhile is redone.
     *
     * @param maxAge         snapshots younger than this are kept
     * @param keep           the newest snapshots kept whatever their age (at least 1)
     * @param expireInterval wall-clock time between expiries by one committer; zero: never
     */
    public record SnapshotRetention(java.time.Duration maxAge, int keep, java.time.Duration expireInterval) {

        /** Never expire (the table keeps every snapshot). */
        public static final SnapshotRetention KEEP_ALL = new SnapshotRetention(java.time.Duration.ZERO, 1, java.time.Duration.ZERO);

        public SnapshotRetention {
            if (maxAge.isNegative() || expireInterval.isNegative() || keep < 1) {
                throw new IllegalArgumentException("Snapshot retention needs a max age and an interval >= 0 and keep >= 1, not "
                        + maxAge.toMillis() + " ms, " + expireInterval.toMillis() + " ms, " + keep);
            }
        }
    }

    IcebergCleanTable(Catalog catalog, Table table, CleanTableLayout layout, CleanRowMerge merge, int maxAttempts) {
        this(catalog, table, layout, merge, maxAttempts, SnapshotRetention.KEEP_ALL);
    }

    IcebergCleanTable(Catalog catalog, Table table, CleanTableLayout layout, CleanRowMerge merge, int maxAttempts, SnapshotRetention retention) {
        this.retention = retention;
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

    /** Snapshot expiries this committer ran. */
    public long expiryCount() {
        return expiries;
    }

    /**
     * Expires old snapshots when the retention's interval has passed since this committer last did. Housekeeping: a
     * failure (e.g. a lost race with another committer's expiry) is logged and tried again at the next interval.
     */
    private void expireSnapshotsWhenDue() {
        if (retention.expireInterval().isZero()) {
            return;
        }
        long now = System.currentTimeMillis();
        if (lastExpiryMillis != Long.MIN_VALUE && now - lastExpiryMillis < retention.expireInterval().toMillis()) {
            return;
        }
        lastExpiryMillis = now;
        try {
            table.expireSnapshots().expireOlderThan(now - retention.maxAge().toMillis()).retainLast(retention.keep()).commit();
            expiries++;
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot expire old snapshots now (tried again in {} ms): {}", table.name(), retention.expireInterval().toMillis(), e.toString());
        }
    }

    @Override
    public long committedOffset(int inputPartition) {
        table.refresh();
        return offsets(table, table.currentSnapshot()).getOrDefault(inputPartition, -1L);
    }

    /**
     * The input offsets {@code snapshot} covers: each partition's {@code onepipe.offset.<p>} of the newest snapshot in
     * its ancestry that records one (a snapshot written by another tool, e.g. a compaction, records none).
     */
    public static Map<Integer, Long> offsets(Table table, Snapshot snapshot) {
        Map<Integer, Long> offsets = new TreeMap<>();
        for (Snapshot current = snapshot; current != null;
             current = current.parentId() == null ? null : table.snapshot(current.parentId())) {
            if (current.summary() != null) {
                current.summary().forEach((property, value) -> {
                    if (property.startsWith(OFFSET_PREFIX)) {
                        offsets.putIfAbsent(Integer.parseInt(property.substring(OFFSET_PREFIX.length())), Long.parseLong(value));
                    }
                });
                if (current.summary().containsKey(INPUT_PARTITION)) {
                    // a onepipe commit carries every offset forward: nothing older can add one
                    break;
                }
            }
        }
        return offsets;
    }

    @Override
    public void commit(int inputPartition, long nextOffset, Collection<CleanRow> rows) {
        for (int attempt = 1; ; attempt++) {
            List<DataFile> written = new ArrayList<>();
            try {
                table.refresh();
                Snapshot base = table.currentSnapshot();
                if (offsets(table, base).getOrDefault(inputPartition, -1L) >= nextOffset) {
                    return;
                }
                for (CleanRow row : rows) {
                    evolveSchema(row.row().getSchema());
                }
                table.refresh();
                base = table.currentSnapshot();
                if (offsets(table, base).getOrDefault(inputPartition, -1L) >= nextOffset) {
                    return;
                }
                commitOnto(base, inputPartition, nextOffset, rows, written);
                commits++;
                expireSnapshotsWhenDue();
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
        DayRows days = new DayRows(base == null ? List.of() : filesOf(base, inputPartition), schema);

        Map<String, CleanRow> incoming = new LinkedHashMap<>();
        Map<String, Set<LocalDate>> listedDays = new HashMap<>();
        for (CleanRow row : rows) {
            incoming.remove(row.uniqueKey());
            incoming.put(row.uniqueKey(), row);
            Set<LocalDate> listed = listedDays.computeIfAbsent(row.uniqueKey(), key -> new LinkedHashSet<>());
            listed.addAll(row.previousDays());
            listed.add(row.eventDay());
        }
        PartitionKey partitionKey = new PartitionKey(spec, schema);
        InternalRecordWrapper wrapper = new InternalRecordWrapper(struct);
        Map<String, Record> converted = new LinkedHashMap<>();
        for (CleanRow row : incoming.values()) {
            Record record = convert(row, struct);
            converted.put(row.uniqueKey(), record);
            days.load(dayOf(spec, partitionKey, wrapper, record));
            listedDays.get(row.uniqueKey()).forEach(day -> days.load(dayKey(spec, day)));
        }
        // a key with several rows in one commit is of unknown state if any of them is
        Set<String> unknownKeys = new LinkedHashSet<>();
        rows.stream().filter(row -> !row.stateKnown()).forEach(row -> unknownKeys.add(row.uniqueKey()));
        if (!unknownKeys.isEmpty()) {
            days.loadDaysHolding(unknownKeys, converted);
        }

        for (CleanRow row : incoming.values()) {
            String key = row.uniqueKey();
            Record record = converted.get(key);
            // the listed days are loaded; the key leaves every loaded day (a stateful row ignores the table's row)
            Record existing = days.removeEverywhere(key);
            Record winner = record;
            if (existing != null && unknownKeys.contains(key)) {
                GenericRecord merged = merge.merge(IcebergRows.toAvro(existing, row.row().getSchema()), row.row());
                winner = merged == row.row() ? record : IcebergRows.toIceberg(merged, struct);
            }
            days.put(dayOf(spec, partitionKey, wrapper, winner), key, winner);
        }

        OverwriteFiles overwrite = table.newOverwrite();
        written.addAll(write(days.changedGroups(), spec, partitionKey, wrapper, inputPartition));
        days.changedFiles().forEach(overwrite::deleteFile);
        written.forEach(overwrite::addFile);
        overwrite.set(INPUT_PARTITION, Integer.toString(inputPartition));
        overwrite.set(OFFSET_PREFIX + inputPartition, Long.toString(nextOffset));
        overwrite.validateWith(new OnlyOtherPartitionsSince(base, inputPartition, days.changedSharedFiles(), overwrite));
        overwrite.commit();
        LOG.debug("{}: committed {} rows for input partition {} up to offset {}, rewrote {} day groups", table.name(),
                incoming.size(), inputPartition, nextOffset, days.changedGroups().size());
    }

    /**
     * The commit's validation, run by Iceberg on the snapshot it is about to commit onto (the parent), also when
     * Iceberg retries a commit whose catalog swap lost a race: valid when every snapshot since {@code base} was made by
     * onepipe committers of other input partitions (they only touch their own files, and their keys are never ours),
     * and when no file shared by all partitions was rewritten, none at all. It then carries the parent's offsets of
     * the other partitions forward into the new snapshot's summary (Iceberg computes the summary after validating).
     */
    private static final class OnlyOtherPartitionsSince implements SnapshotAncestryValidator {
        private final Long baseId;
        private final int inputPartition;
        private final boolean rewritesSharedFiles;
        private final OverwriteFiles overwrite;
        private String problem = "";

        OnlyOtherPartitionsSince(Snapshot base, int inputPartition, boolean rewritesSharedFiles, OverwriteFiles overwrite) {
            this.baseId = base == null ? null : base.snapshotId();
            this.inputPartition = inputPartition;
            this.rewritesSharedFiles = rewritesSharedFiles;
            this.overwrite = overwrite;
        }

        @Override
        public boolean validate(Iterable<Snapshot> ancestry) {
            Map<String, String> carried = new TreeMap<>();
            boolean reachedBase = baseId == null;
            for (Snapshot snapshot : ancestry) {
                if (baseId != null && baseId == snapshot.snapshotId()) {
                    reachedBase = true;
                    collectOffsets(snapshot, carried);
                    break;
                }
                String committer = snapshot.summary() == null ? null : snapshot.summary().get(INPUT_PARTITION);
                if (committer == null || committer.equals(Integer.toString(inputPartition)) || rewritesSharedFiles) {
                    problem = "snapshot " + snapshot.snapshotId() + " (" + (committer == null ? "not a onepipe commit"
                            : "input partition " + committer) + ") landed since snapshot " + baseId;
                    return false;
                }
                collectOffsets(snapshot, carried);
            }
            if (!reachedBase) {
                problem = "snapshot " + baseId + " is no longer an ancestor of the table's current snapshot";
                return false;
            }
            carried.forEach(overwrite::set);
            return true;
        }

        private void collectOffsets(Snapshot snapshot, Map<String, String> carried) {
            if (snapshot.summary() != null) {
                snapshot.summary().forEach((property, value) -> {
                    if (property.startsWith(OFFSET_PREFIX) && !property.equals(OFFSET_PREFIX + inputPartition)) {
                        carried.putIfAbsent(property, value);
                    }
                });
            }
        }

        @Override
        public String errorMessage() {
            return problem;
        }
    }

    private Record convert(CleanRow row, Types.StructType struct) {
        try {
            return IcebergRows.toIceberg(row.row(), struct);
        } catch (RuntimeException e) {
            throw new CleanTableException("The row of key '" + row.uniqueKey() + "' does not fit the clean table "
                    + table.name() + ": " + e.getMessage(), e);
        }
    }

    /** The data files of {@code base} this committer reads: its own partition's and the shared ones (no owner). */
    private List<OwnedFile> filesOf(Snapshot base, int inputPartition) {
        List<OwnedFile> files = new ArrayList<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(base.snapshotId()).planFiles()) {
            for (FileScanTask task : tasks) {
                if (!task.deletes().isEmpty()) {
                    throw new CleanTableException("The clean table " + table.name() + " has delete files (e.g. "
                            + task.deletes().get(0).location() + "); onepipe rewrites days copy-on-write and cannot apply them");
                }
                Optional<Integer> owner = ownerOf(task.file());
                if (owner.isEmpty() || owner.get() == inputPartition) {
                    PartitionSpec fileSpec = table.specs().get(task.file().specId());
                    files.add(new OwnedFile(task.file(), CleanTableLayout.dayOf(fileSpec, task.file().partition()), owner.isEmpty()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** The input partition whose committer wrote {@code file}, empty for a file written by anything else. */
    static Optional<Integer> ownerOf(DataFile file) {
        Matcher matcher = OWNED_FILE.matcher(file.location());
        return matcher.matches() ? Optional.of(Integer.parseInt(matcher.group(1))) : Optional.empty();
    }

    /** A data file, its day, and whether it is shared (no input partition owns it). */
    private record OwnedFile(DataFile file, Optional<LocalDate> day, boolean shared) {
    }

    /** The rows of one day in the files of one owner: this committer's partition, or shared. */
    private record Group(Optional<LocalDate> day, boolean shared) {
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

    private List<DataFile> write(Map<Group, Map<String, Record>> changed, PartitionSpec spec,
                                 PartitionKey partitionKey, InternalRecordWrapper wrapper, int inputPartition) {
        List<DataFile> written = new ArrayList<>();
        for (boolean shared : new boolean[] {false, true}) {
            Map<Optional<LocalDate>, Map<String, Record>> byDay = new HashMap<>();
            changed.forEach((group, rows) -> {
                if (group.shared() == shared && !rows.isEmpty()) {
                    byDay.put(group.day(), rows);
                }
            });
            if (!byDay.isEmpty()) {
                written.addAll(write(byDay, spec, partitionKey, wrapper, inputPartition, shared));
            }
        }
        return written;
    }

    private List<DataFile> write(Map<Optional<LocalDate>, Map<String, Record>> changed, PartitionSpec spec,
                                 PartitionKey partitionKey, InternalRecordWrapper wrapper, int inputPartition, boolean shared) {
        org.apache.iceberg.Schema schema = table.schema();
        SortOrder sortOrder = table.sortOrder();
        Comparator<StructLike> ordering = sortOrder.isUnsorted() ? (left, right) -> 0 : SortOrderComparators.forSchema(schema, sortOrder);
        InternalRecordWrapper leftWrapper = new InternalRecordWrapper(schema.asStruct());
        InternalRecordWrapper rightWrapper = new InternalRecordWrapper(schema.asStruct());
        GenericFileWriterFactory writers = new GenericFileWriterFactory.Builder(table)
                .dataFileFormat(FileFormat.PARQUET).dataSchema(schema).dataSortOrder(sortOrder).build();
        OutputFileFactory.Builder fileNames = OutputFileFactory.builderFor(table, inputPartition, System.nanoTime())
                .format(FileFormat.PARQUET).operationId(UUID.randomUUID().toString());
        if (!shared) {
            // the owner's mark: the files only this input partition's committer rewrites
            fileNames.suffix("input" + inputPartition);
        }
        ClusteredDataWriter<Record> writer = new ClusteredDataWriter<>(writers, fileNames.build(), table.io(), TARGET_FILE_SIZE_BYTES);
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
        if (evolvedSchemas.contains(rowSchema)) {
            return;
        }
        org.apache.iceberg.Schema wanted = AvroSchemaUtil.toIceberg(rowSchema);
        if (!covers(table.schema().asStruct(), wanted.asStruct())) {
            // schema and recorded Avro schema change together; a lost race throws and the commit loop retries
            Transaction evolution = table.newTransaction();
            evolution.updateSchema().unionByNameWith(wanted).commit();
            evolution.updateProperties().set(CleanTableLayout.AVRO_SCHEMA, rowSchema.toString()).commit();
            evolution.commitTransaction();
            table.refresh();
            layout = layout.withAvroSchema(rowSchema);
            LOG.info("{}: schema evolved to {}", table.name(), table.schema());
        }
        evolvedSchemas.add(rowSchema);
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

    /**
     * The rows of the days a commit reads, by group (day and owner) and key, with each group's files and whether it
     * changed. A day is read whole (this partition's files and the shared ones) the first time it is needed.
     */
    private final class DayRows {
        private final Map<Group, List<DataFile>> filesByGroup = new HashMap<>();
        private final org.apache.iceberg.Schema schema;
        private final Map<Group, Map<String, Record>> rows = new LinkedHashMap<>();
        private final Set<Group> changed = new HashSet<>();

        DayRows(List<OwnedFile> files, org.apache.iceberg.Schema schema) {
            this.schema = schema;
            for (OwnedFile file : files) {
                filesByGroup.computeIfAbsent(new Group(file.day(), file.shared()), group -> new ArrayList<>()).add(file.file());
            }
        }

        void load(Optional<LocalDate> day) {
            for (boolean shared : new boolean[] {false, true}) {
                Group group = new Group(day, shared);
                if (!rows.containsKey(group)) {
                    Map<String, Record> groupRows = new LinkedHashMap<>();
                    for (DataFile file : filesByGroup.getOrDefault(group, List.of())) {
                        for (Record record : read(file, Expressions.alwaysTrue())) {
                            groupRows.put(layout.keyOf(record), record);
                        }
                    }
                    rows.put(group, groupRows);
                }
            }
        }

        private boolean loaded(Optional<LocalDate> day) {
            return rows.containsKey(new Group(day, false));
        }

        /** Loads every not yet loaded day whose files hold one of {@code keys}. */
        void loadDaysHolding(Set<String> keys, Map<String, Record> converted) {
            Set<String> unseen = new HashSet<>(keys);
            rows.values().forEach(groupRows -> unseen.removeAll(groupRows.keySet()));
            if (unseen.isEmpty()) {
                return;
            }
            Expression filter = keyFilter(unseen, converted);
            InclusiveMetricsEvaluator metrics = new InclusiveMetricsEvaluator(schema, filter);
            Set<Optional<LocalDate>> holding = new HashSet<>();
            filesByGroup.forEach((group, files) -> {
                if (loaded(group.day()) || holding.contains(group.day())) {
                    return;
                }
                for (DataFile file : files) {
                    if (metrics.eval(file) && read(file, filter).stream().anyMatch(record -> unseen.contains(layout.keyOf(record)))) {
                        holding.add(group.day());
                        return;
                    }
                }
            });
            holding.forEach(this::load);
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

        /** Removes {@code key} from every loaded group; returns one of the rows removed (there is at most one). */
        Record removeEverywhere(String key) {
            Record found = null;
            for (Map.Entry<Group, Map<String, Record>> group : rows.entrySet()) {
                Record removed = group.getValue().remove(key);
                if (removed != null) {
                    changed.add(group.getKey());
                    found = found == null ? removed : found;
                }
            }
            return found;
        }

        /** Puts {@code record} in this partition's group of {@code day}. */
        void put(Optional<LocalDate> day, String key, Record record) {
            load(day);
            Group group = new Group(day, false);
            rows.get(group).put(key, record);
            changed.add(group);
        }

        Map<Group, Map<String, Record>> changedGroups() {
            Map<Group, Map<String, Record>> result = new HashMap<>();
            changed.forEach(group -> result.put(group, rows.get(group)));
            return result;
        }

        boolean changedSharedFiles() {
            return changed.stream().anyMatch(group -> group.shared() && !filesByGroup.getOrDefault(group, List.of()).isEmpty());
        }

        List<DataFile> changedFiles() {
            List<DataFile> files = new ArrayList<>();
            changed.forEach(group -> files.addAll(filesByGroup.getOrDefault(group, List.of())));
            return files;
        }
    }
}
