package dev.onepipe.dedup.topology;

import java.time.Duration;
import java.time.LocalDate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onepipe.dedup.merge.MergeResult;
import dev.onepipe.dedup.merge.RecordMerger;
import dev.onepipe.dedup.table.CleanRow;
import dev.onepipe.dedup.table.CleanTableCommitter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merge: each record into its key's merged state in the merge store, with the dataset's {@link RecordMerger}.
 * Forwards every change of a merged state (timestamped with the state's event time) and every vector-clock conflict;
 * forwards nothing for a record that changes nothing. Keeps the stores bounded: a stream-time punctuation forgets the
 * keys whose event time is more than the horizon behind stream time, found through the {@link ExpiryIndex}. With a
 * clean table, also records each change in the pending-rows store and commits those rows to the table on a wall-clock
 * cadence ({@link CleanTableCommitter}), then deletes them. A clean stop (or a task handed to another instance) also
 * commits the pending rows, from {@link #close()}: Kafka Streams commits the task's input offsets before it closes its
 * processors, so the offset the rows are committed with is the one the task resumes from, and the rows the restarted
 * task restores are committed again with that offset, which the table treats as done.
 *
 * <p>A record older than the horizon (event time more than the horizon behind stream time) for a key without state
 * is not merged into the store and not forwarded: its key may have been forgotten, and writing it to the clean topic
 * could replace a newer state in the topic's compacted view. It goes to the clean table only, marked state-unknown, so
 * the table merges it with the row it holds.
 */
final class MergeProcessor implements Processor<String, GenericRecord, String, DedupOutput> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(MergeProcessor.class);
    private static final String KEY_COUNT = "keys";

    private final Stores stores;
    private final RecordMerger merger;
    private final String eventTimeField;
    private final long horizonMillis;
    private final Duration expiryInterval;
    private final String inputTopic;
    private final CleanTable table;
    private final SchemaEvolution evolution;

    private ProcessorContext<String, DedupOutput> context;
    private KeyValueStore<String, MergedState> merged;
    private KeyValueStore<Bytes, byte[]> expiryIndex;
    private KeyValueStore<String, Long> counts;
    private KeyValueStore<String, PendingRow> pending;
    private KeyValueStore<String, Long> tableProgress;
    private DedupMetrics metrics;
    private CleanTableCommitter committer;
    private long keysKept;
    /**
     * No entry of the expiry index is filed before this time: a punctuation whose cut-off is not after it has nothing
     * to forget and skips the index scan. Unknown (the lowest time) until the first scan of the task's index.
     */
    private long earliestIndexEntry;
    /**
     * The input offset up to which this task last committed to the clean table (-1 before its first commit): input
     * that changed no key still moves the table's offset once per commit interval, or the table would never be seen
     * to cover records that changed nothing (re-sends, older versions) at the end of a partition.
     */
    private long tableCommittedOffset = -1;
    /** True while a record is being processed: a close then comes from a failure, with the stores half-updated. */
    private boolean processing;
    private org.apache.avro.Schema cleanSchema;

    /** The names of the stores the processor uses. */
    record Stores(String merged, String expiryIndex, String counts, String pending, String tableProgress) {
    }

    /**
     * The clean table the processor hands changed rows to, or none.
     *
     * @param opener         opens the task's committer, at the first commit
     * @param commitInterval wall-clock time between commits
     */
    record CleanTable(java.util.function.Supplier<CleanTableCommitter> opener, Duration commitInterval) {
    }

    /**
     * How records of a newer schema version reach the merge and the clean topic without a restart.
     *
     * @param upgrade      a record in the schema the input is read as now (itself when it already is)
     * @param cleanSchemas called with a merged state's schema before the first state of that schema is forwarded to
     *                     the clean topic, to make it a registered version of the clean dataset
     * @param encoder      a merged state in the wire format of the merge store's record serde
     */
    record SchemaEvolution(java.util.function.UnaryOperator<GenericRecord> upgrade, java.util.function.Consumer<org.apache.avro.Schema> cleanSchemas,
                           java.util.function.Function<GenericRecord, byte[]> encoder) {
    }

    MergeProcessor(Stores stores, RecordMerger merger, String eventTimeField, Duration horizon, Duration expiryInterval,
                   String inputTopic, CleanTable table, SchemaEvolution evolution) {
        this.stores = stores;
        this.merger = merger;
        this.eventTimeField = eventTimeField;
        this.horizonMillis = horizon.toMillis();
        this.expiryInterval = expiryInterval;
        this.inputTopic = inputTopic;
        this.table = table;
        this.evolution = evolution;
    }

    @Override
    public void init(ProcessorContext<String, DedupOutput> context) {
        this.context = context;
        this.processing = false;
        this.merged = context.getStateStore(stores.merged());
        this.expiryIndex = context.getStateStore(stores.expiryIndex());
        this.counts = context.getStateStore(stores.counts());
        Long count = counts.get(KEY_COUNT);
        this.keysKept = count == null ? 0 : count;
        this.earliestIndexEntry = Long.MIN_VALUE;
        this.metrics = new DedupMetrics(context.metrics(), Thread.currentThread().getName(), context.taskId().toString());
        metrics.keysKept(keysKept);
        context.schedule(expiryInterval, PunctuationType.STREAM_TIME, this::forgetPastHorizon);
        if (table != null) {
            this.pending = context.getStateStore(stores.pending());
            this.tableProgress = context.getStateStore(stores.tableProgress());
            context.schedule(table.commitInterval(), PunctuationType.WALL_CLOCK_TIME, wallClock -> commitToTable());
        }
    }

    @Override
    public void process(Record<String, GenericRecord> record) {
        String key = record.key();
        GenericRecord incoming = record.value();
        if (key == null || incoming == null) {
            return;
        }
        processing = true;
        merge(key, evolution.upgrade().apply(incoming), record);
        processing = false;
    }

    private void merge(String key, GenericRecord incoming, Record<String, GenericRecord> record) {
        rememberInputOffset();
        long eventTime = eventTimeOf(incoming, record.timestamp());
        MergedState state = merged.get(key);
        if (state != null && state.record().getSchema() != incoming.getSchema()) {
            state = new MergedState(state.eventTimeMillis(), state.indexedAtMillis(), evolution.upgrade().apply(state.record()));
        }
        if (state == null && eventTime < horizonCutOff(context.currentStreamTimeMs())) {
            metrics.beyondHorizonRecords.record();
            addPendingRow(key, new PendingRow(incoming, dayOf(eventTime), Set.of(), false), record.timestamp());
            return;
        }
        MergeResult result = merger.merge(state == null ? null : state.record(), incoming);
        if (result.conflict()) {
            metrics.conflicts.record();
            context.forward(record.withValue(DedupOutput.conflict(conflictReport(key, result, state.record(), incoming))));
        }
        if (!result.changed()) {
            metrics.unchangedRecords.record();
            return;
        }
        GenericRecord winner = result.winner();
        long newEventTime = eventTimeOf(winner, record.timestamp());
        long indexedAt;
        if (state == null) {
            countKeys(1);
            fileInIndex(newEventTime, key);
            indexedAt = newEventTime;
        } else if (newEventTime < state.indexedAtMillis()) {
            // an entry later than the event time would keep the key too long: move it now
            expiryIndex.delete(ExpiryIndex.entry(state.indexedAtMillis(), key));
            fileInIndex(newEventTime, key);
            indexedAt = newEventTime;
        } else {
            // a later event time: the entry is moved when it comes up for expiry (no index write per change)
            indexedAt = state.indexedAtMillis();
        }
        // encoded once, for the store and the clean topic
        byte[] encoded = evolution.encoder().apply(winner);
        merged.put(key, new MergedState(newEventTime, indexedAt, winner, encoded));
        metrics.stateChanges.record();
        if (winner.getSchema() != cleanSchema) {
            evolution.cleanSchemas().accept(winner.getSchema());
            cleanSchema = winner.getSchema();
        }
        context.forward(record.withValue(DedupOutput.clean(winner, encoded)).withTimestamp(newEventTime));
        LocalDate day = dayOf(newEventTime);
        Set<LocalDate> previousDays = state == null || dayOf(state.eventTimeMillis()).equals(day) ? Set.of() : Set.of(dayOf(state.eventTimeMillis()));
        addPendingRow(key, new PendingRow(winner, day, previousDays, state != null), record.timestamp());
    }

    /** The table commits rows with the offset after the last input record they cover: the task's input partition's. */
    private void rememberInputOffset() {
        if (table == null) {
            return;
        }
        context.recordMetadata().filter(metadata -> metadata.topic().equals(inputTopic))
                .ifPresent(metadata -> tableProgress.put(progressKey(), metadata.offset() + 1));
    }

    /**
     * Records a change for the clean table. When the merge store did not know the key at this change or at an earlier
     * pending one, the pending row may hold a version the store never merged (one beyond the horizon): the two rows
     * are merged, so the table gets the merge of both.
     */
    private void addPendingRow(String key, PendingRow row, long recordTimestamp) {
        if (table == null) {
            return;
        }
        PendingRow earlier = pending.get(key);
        if (earlier == null) {
            pending.put(key, row);
        } else if (earlier.stateKnown() && row.stateKnown()) {
            pending.put(key, earlier.then(row));
        } else {
            GenericRecord winner = merger.merge(evolution.upgrade().apply(earlier.row()), row.row()).winner();
            pending.put(key, earlier.then(new PendingRow(winner, dayOf(eventTimeOf(winner, recordTimestamp)), row.previousDays(), false)));
        }
    }

    /**
     * Forgets every key whose event time is more than the horizon behind {@code streamTime}. The index entries up to
     * the cut-off are either the key's (filed at the time it was indexed): the key is forgotten when its event time is
     * before the cut-off too, else filed again under its event time; or stale (the key was forgotten and seen again):
     * dropped.
     */
    private void forgetPastHorizon(long streamTime) {
        long cutOff = horizonCutOff(streamTime);
        if (cutOff <= earliestIndexEntry) {
            return;
        }
        List<Bytes> expired = new ArrayList<>();
        long earliestKept = Long.MAX_VALUE;
        // entries in event-time order: the ones before the cut-off, then the first one kept, which bounds the next scans
        try (KeyValueIterator<Bytes, byte[]> entries = expiryIndex.range(ExpiryIndex.first(), null)) {
            while (entries.hasNext()) {
                Bytes entry = entries.next().key;
                long indexedAt = ExpiryIndex.eventTimeOf(entry);
                if (indexedAt >= cutOff) {
                    earliestKept = indexedAt;
                    break;
                }
                expired.add(entry);
            }
        }
        earliestIndexEntry = earliestKept;
        for (Bytes entry : expired) {
            expiryIndex.delete(entry);
            String key = ExpiryIndex.uniqueKeyOf(entry);
            MergedState state = merged.get(key);
            if (state == null || state.indexedAtMillis() != ExpiryIndex.eventTimeOf(entry)) {
                continue;
            }
            if (state.eventTimeMillis() < cutOff) {
                merged.delete(key);
                countKeys(-1);
                metrics.forgottenKeys.record();
            } else {
                fileInIndex(state.eventTimeMillis(), key);
                merged.put(key, new MergedState(state.eventTimeMillis(), state.eventTimeMillis(), state.record()));
            }
        }
    }

    private void fileInIndex(long eventTimeMillis, String key) {
        expiryIndex.put(ExpiryIndex.entry(eventTimeMillis, key), ExpiryIndex.NO_VALUE);
        earliestIndexEntry = Math.min(earliestIndexEntry, eventTimeMillis);
    }

    private long horizonCutOff(long streamTime) {
        return streamTime < Long.MIN_VALUE + horizonMillis ? Long.MIN_VALUE : streamTime - horizonMillis;
    }

    private void countKeys(long delta) {
        keysKept += delta;
        counts.put(KEY_COUNT, keysKept);
        metrics.keysKept(keysKept);
    }

    /** Hands the rows changed since the last commit to the table, then forgets them. */
    private void commitToTable() {
        commitPendingRows().forEach(pending::delete);
    }

    /**
     * Hands the pending rows to the table with the offset after the last input record processed; returns their keys.
     * Without pending rows, the table still gets an empty commit when input was processed since the last commit (it only
     * moves the offset); with no input since, nothing is committed and nothing opened.
     */
    private List<String> commitPendingRows() {
        List<String> keys = new ArrayList<>();
        List<CleanRow> rows = new ArrayList<>();
        try (KeyValueIterator<String, PendingRow> entries = pending.all()) {
            while (entries.hasNext()) {
                KeyValue<String, PendingRow> entry = entries.next();
                keys.add(entry.key);
                rows.add(entry.value.toCleanRow(entry.key));
            }
        }
        Long nextOffset = tableProgress.get(progressKey());
        if (rows.isEmpty() && (nextOffset == null || nextOffset <= tableCommittedOffset)) {
            return List.of();
        }
        if (committer == null) {
            committer = table.opener().get();
        }
        long offset = nextOffset == null ? 0 : nextOffset;
        committer.commit(context.taskId().partition(), offset, rows);
        tableCommittedOffset = offset;
        return keys;
    }

    private String progressKey() {
        return inputTopic + "-" + context.taskId().partition();
    }

    private long eventTimeOf(GenericRecord record, long recordTimestamp) {
        if (eventTimeField == null) {
            return recordTimestamp;
        }
        Object value = record.get(eventTimeField);
        if (value instanceof Number number) {
            return number.longValue();
        }
        if (value instanceof Instant instant) {
            return instant.toEpochMilli();
        }
        return recordTimestamp;
    }

    private static LocalDate dayOf(long eventTimeMillis) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(eventTimeMillis), ZoneOffset.UTC);
    }

    /** {@code {"key": ..., "kept": <version>, "rejected": <version>, "kept_incoming": bool}}, versions as Avro JSON. */
    private static String conflictReport(String key, MergeResult result, GenericRecord current, GenericRecord incoming) {
        GenericRecord rejected = result.winner() == incoming ? current : incoming;
        ObjectNode report = JSON.createObjectNode();
        report.put("key", key);
        try {
            report.set("kept", JSON.readTree(GenericData.get().toString(result.winner())));
            report.set("rejected", JSON.readTree(GenericData.get().toString(rejected)));
        } catch (java.io.IOException e) {
            report.put("kept", GenericData.get().toString(result.winner()));
            report.put("rejected", GenericData.get().toString(rejected));
        }
        report.put("kept_incoming", result.winner() == incoming);
        return report.toString();
    }

    /**
     * Commits the pending rows to the table, then releases the committer. Kafka Streams closes processors after it
     * committed the task (KafkaStreams.close, a revoked task), so the rows are committed with the offset the task
     * resumes from. The rows stay in the pending store (a write now would follow the task's last commit): the task that
     * restores them commits them again with the same offset, which the table skips, or with later rows. Skipped when
     * the close interrupts a record (a failure: the stores may hold half of its change, and the input is replayed).
     */
    @Override
    public void close() {
        try {
            if (table != null && pending != null && !processing) {
                try {
                    commitPendingRows();
                } catch (RuntimeException e) {
                    LOG.warn("Task {}: the rows pending for the clean table stay pending (committed after restart): {}", context.taskId(), e.toString());
                }
            }
        } finally {
            if (metrics != null) {
                metrics.close();
            }
            if (committer != null) {
                committer.close();
                committer = null;
            }
        }
    }
}
