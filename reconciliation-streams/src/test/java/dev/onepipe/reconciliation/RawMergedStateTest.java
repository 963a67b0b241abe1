package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MergeStrategy;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.junit.jupiter.api.Test;

/**
 * The raw side's merged state of the sample widgets (LATEST_BY_FIELD version) and the declared checks computed from it,
 * against winners and values picked by hand; and against a clean table that lacks one row's latest version.
 */
class RawMergedStateTest {

    private static final Schema SCHEMA = SampleDatasets.schema(SampleDatasets.WIDGETS);
    private static final DatasetMetadata WIDGETS = DatasetMetadata.fromJson(SampleDatasets.metadataJson(SampleDatasets.WIDGETS));
    private static final Instant MORNING = Instant.parse("2026-11-22T07:15:00Z");
    private static final Instant NEXT_DAY = Instant.parse("2026-11-23T01:00:00Z");

    private static GenericData.Record widget(String id, long version, Instant updated, double price) {
        GenericData.Record record = new GenericData.Record(SCHEMA);
        record.put("widget_id", id);
        record.put("version", version);
        record.put("updated_at", updated.toEpochMilli());
        record.put("name", "widget " + id);
        record.put("price", price);
        record.put("status", new GenericData.EnumSymbol(SCHEMA.getField("status").schema(), "ACTIVE"));
        record.put("tags", new GenericData.Array<>(SCHEMA.getField("tags").schema(), List.of("blue")));
        record.put("description", null);
        return record;
    }

    /** In log order: out-of-order versions, an exact re-send, a late older version. */
    private static final List<GenericData.Record> LOG = List.of(
            widget("w-1", 1, MORNING, 10.0),
            widget("w-1", 3, MORNING.plusSeconds(7200), 30.5),
            widget("w-1", 2, MORNING.plusSeconds(3600), 20.0),
            widget("w-2", 1, MORNING.plusSeconds(60), 5.25),
            widget("w-2", 1, MORNING.plusSeconds(60), 5.25),
            widget("w-3", 2, NEXT_DAY, 7.5),
            widget("w-3", 1, NEXT_DAY.minusSeconds(60), 1.0));

    private static RawMergedState.Result merged(DatasetMetadata dataset) {
        RawMergedState.Merge merge = new RawMergedState.Merge(dataset, SCHEMA);
        LOG.forEach(merge::add);
        merge.skip();
        return merge.result(0, List.of(), false);
    }

    @Test
    void latestByVersionKeepsEachWidgetsHighestVersionAndTheChecksFollow() {
        RawMergedState.Result result = merged(WIDGETS);
        assertEquals(3, result.keys());
        assertEquals(8, result.records());
        assertEquals(1, result.skipped());

        // Picked by hand: w-1 version 3 (30.5), w-2 version 1 (5.25) on 2026-11-22; w-3 version 2 (7.5) on 2026-11-23.
        CleanRows expected = new CleanRows(WIDGETS, SCHEMA);
        for (GenericData.Record winner : List.of(LOG.get(1), LOG.get(3), LOG.get(5))) {
            expected.add(null, winner, winner::get);
        }
        assertEquals(expected.fingerprints(), result.rows().fingerprints());
        long day = LocalDate.parse("2026-11-22").toEpochDay();
        CleanFingerprint first = result.rows().fingerprints().get(day);
        assertEquals("2", first.checks().get("distinct_widgets"));
        assertEquals("35.75", first.checks().get("total_price"));
        assertEquals("3", first.checks().get("highest_version"));
        assertEquals("7.5", result.rows().fingerprints().get(day + 1).checks().get("total_price"));
        assertEquals("2", result.rows().fingerprints().get(day + 1).checks().get("highest_version"));
    }

    @Test
    void firstAndLastSeenFollowLogOrder() {
        DatasetMetadata firstSeen = WIDGETS.toBuilder().merge(MergeStrategy.firstSeen()).build();
        DatasetMetadata lastSeen = WIDGETS.toBuilder().merge(MergeStrategy.lastSeen()).build();
        long day = LocalDate.parse("2026-11-22").toEpochDay();
        // First seen: w-1 version 1 (10.0) and w-2 (5.25); last seen: w-1 version 2 (20.0) and w-2 (5.25).
        assertEquals("15.25", merged(firstSeen).rows().fingerprints().get(day).checks().get("total_price"));
        assertEquals("25.25", merged(lastSeen).rows().fingerprints().get(day).checks().get("total_price"));
        assertEquals("1", merged(lastSeen).rows().fingerprints().get(day + 1).checks().get("highest_version"));
    }

    /**
     * FIELD_MERGE (ordering: updated_at, version): version 3 arrives with no description and takes version 1's;
     * version 2, arriving after version 3, sorts earlier and only fills nulls (there are none left).
     */
    @Test
    void fieldMergeFillsTheLaterVersionsNullsFromTheEarlierOne() {
        DatasetMetadata fieldMerge = WIDGETS.toBuilder().merge(MergeStrategy.fieldMerge()).build();
        GenericData.Record first = widget("w-1", 1, MORNING, 10.0);
        first.put("description", "the first");
        GenericData.Record third = widget("w-1", 3, MORNING.plusSeconds(7200), 30.5);
        GenericData.Record second = widget("w-1", 2, MORNING.plusSeconds(3600), 20.0);
        second.put("description", "the second");
        RawMergedState.Merge merge = new RawMergedState.Merge(fieldMerge, SCHEMA);
        List.of(first, third, second).forEach(merge::add);

        // Picked by hand: version 3's fields, version 1's description.
        GenericData.Record expectedRow = widget("w-1", 3, MORNING.plusSeconds(7200), 30.5);
        expectedRow.put("description", "the first");
        CleanRows expected = new CleanRows(fieldMerge, SCHEMA);
        expected.add(null, expectedRow, expectedRow::get);
        RawMergedState.Result result = merge.result(0, List.of(), false);
        assertEquals(1, result.keys());
        assertEquals(expected.fingerprints(), result.rows().fingerprints());
    }

    /**
     * VECTOR_CLOCK clock: a dominating clock replaces the state, a dominated one does not (whatever its version), a
     * concurrent one and an equal one with other contents go to the greater version by the ordering fields; a null clock
     * is empty; a clock that is not a map is skipped.
     */
    @Test
    void vectorClocksKeepTheDominatingOrTheGreaterConcurrentVersion() {
        List<Schema.Field> fields = new java.util.ArrayList<>();
        SCHEMA.getFields().forEach(field -> fields.add(new Schema.Field(field, field.schema())));
        fields.add(new Schema.Field("clock", Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.createMap(Schema.create(Schema.Type.LONG))),
                null, org.apache.avro.JsonProperties.NULL_VALUE));
        Schema clocked = Schema.createRecord("ClockedWidget", null, "test", false, fields);
        DatasetMetadata vectorClock = WIDGETS.toBuilder().merge(MergeStrategy.vectorClock("clock")).build();
        RawMergedState.Merge merge = new RawMergedState.Merge(vectorClock, clocked);
        CleanRows expected = new CleanRows(vectorClock, clocked);
        for (Object[] version : new Object[][] {
                {"w-1", 1L, 10.0, Map.of("a", 1L)},
                {"w-1", 2L, 20.0, Map.of("a", 2L)},            // dominates: replaces
                {"w-1", 9L, 90.0, Map.of("a", 1L)},            // dominated: nothing, though its version is higher
                {"w-1", 3L, 30.0, Map.of("b", 1L)},            // concurrent with {a: 2}: version 3 > 2 wins
                {"w-1", 1L, 11.0, Map.of("b", 1L, "a", 0L)},   // equal to {b: 1} (a zero counter is a missing one), other contents: 3 stays
                {"w-2", 1L, 5.0, null},                        // a null clock is the empty clock
                {"w-2", 1L, 6.0, Map.of("x", 1L)},             // dominates the empty clock
                {"w-2", 7L, 70.0, "not a clock"}}) {           // skipped
            GenericData.Record record = new GenericData.Record(clocked);
            GenericData.Record widget = widget((String) version[0], (Long) version[1], MORNING.plusSeconds(60L * (Long) version[1]), (Double) version[2]);
            SCHEMA.getFields().forEach(field -> record.put(field.name(), widget.get(field.name())));
            record.put("clock", version[3]);
            merge.add(record);
            // picked by hand: w-1 version 3 (30.0), w-2 the clocked 6.0
            if (version[2].equals(30.0) || version[2].equals(6.0)) {
                expected.add(null, record, record::get);
            }
        }
        RawMergedState.Result result = merge.result(0, List.of(), false);
        assertEquals(2, result.keys());
        assertEquals(8, result.records());
        assertEquals(1, result.skipped());
        long day = LocalDate.parse("2026-11-22").toEpochDay();
        assertEquals("36", result.rows().fingerprints().get(day).checks().get("total_price"));
        assertEquals("3", result.rows().fingerprints().get(day).checks().get("highest_version"));
        assertEquals(expected.fingerprints(), result.rows().fingerprints());
    }

    @Test
    void aTableRowBehindTheRawMergedStateIsDifferentWithTheCheckNamed() {
        CleanRows table = new CleanRows(WIDGETS, SCHEMA);
        // The table kept w-1 at version 2: a lost update.
        for (GenericData.Record row : List.of(LOG.get(2), LOG.get(3), LOG.get(5))) {
            table.add(null, row, row::get);
        }
        List<CleanBucketVerdict> verdicts = CleanReconciliation.compare(merged(WIDGETS).rows(), table, true, 10);
        assertEquals(BucketStatus.DIFFERENT, verdicts.get(0).status());
        assertEquals(List.of("w-1"), verdicts.get(0).differences().different().listed());
        assertTrue(verdicts.get(0).detail().contains("total_price 35.75 vs 25.25"), verdicts.get(0).detail());
        assertTrue(verdicts.get(0).detail().contains("highest_version 3 vs 2"), verdicts.get(0).detail());
        assertEquals(BucketStatus.OK, verdicts.get(1).status());
    }

    @Test
    void aKeyWhoseLastRecordTheTableDoesNotCoverIsInFlightAndItsDifferenceNotYetArchived() {
        RawMergedState.Merge merge = new RawMergedState.Merge(WIDGETS, SCHEMA);
        // LOG in partition 0 at offsets 0..6: w-1's last record is offset 2, w-2's 4, w-3's 6
        for (int offset = 0; offset < LOG.size(); offset++) {
            merge.add(LOG.get(offset), 0, offset);
        }
        RawMergedState.Result merged = merge.result(0, List.of(), false);
        CleanRows table = new CleanRows(WIDGETS, SCHEMA);
        for (GenericData.Record row : List.of(LOG.get(2), LOG.get(3), LOG.get(5))) {
            table.add(null, row, row::get);
        }
        // the table covers offsets below 3 of partition 0: its stale w-1 is a difference
        assertEquals(BucketStatus.DIFFERENT, CleanReconciliation.compare(merged.rows(), table, merged.inFlight(Map.of(0, 3L)), 10).get(0).status());
        // the table covers offsets below 2: w-1 changed by input it has not seen, so not yet archived, with the key named
        CleanBucketVerdict pending = CleanReconciliation.compare(merged.rows(), table, merged.inFlight(Map.of(0, 2L)), 10).get(0);
        assertEquals(BucketStatus.NOT_YET_ARCHIVED, pending.status());
        assertEquals(List.of("w-1"), pending.differences().pending().listed());
        assertTrue(pending.detail().contains("not yet in the table (changed by input above its onepipe.offset.<p>): keys w-1"), pending.detail());
        // no offsets for the partition (no snapshot by dedup): every key with input is in flight
        assertTrue(merged.inFlight(Map.of()).test("w-3"));
        assertFalse(merged.inFlight(Map.of(0, 7L)).test("w-3"));
        assertFalse(merged.inFlight(Map.of()).test("w-unknown"), "a key without input (only in the table) is settled");
    }
}
