package dev.onepipe.dedup.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MergeStrategy;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

class RecordMergerTest {

    static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type": "record", "name": "Item", "fields": [
              {"name": "id", "type": "string"},
              {"name": "version", "type": "long"},
              {"name": "updated_at", "type": "long"},
              {"name": "name", "type": ["null", "string"], "default": null},
              {"name": "price", "type": ["null", "double"], "default": null},
              {"name": "clock", "type": ["null", {"type": "map", "values": "long"}], "default": null}
            ]}""");

    private static final List<String> ORDERING = List.of("updated_at", "version");

    static GenericRecord item(long version, long updatedAt, String name, Double price) {
        return item(version, updatedAt, name, price, null);
    }

    static GenericRecord item(long version, long updatedAt, String name, Double price, Map<String, Long> clock) {
        GenericRecord record = new GenericData.Record(SCHEMA);
        record.put("id", "k");
        record.put("version", version);
        record.put("updated_at", updatedAt);
        record.put("name", name);
        record.put("price", price);
        record.put("clock", clock);
        return record;
    }

    private static RecordMerger merger(MergeStrategy strategy) {
        return RecordMerger.of(strategy, ORDERING);
    }

    private static GenericRecord fold(RecordMerger merger, List<GenericRecord> versions) {
        GenericRecord state = null;
        for (GenericRecord version : versions) {
            state = merger.merge(state, version).winner();
        }
        return state;
    }

    @Test
    void aKeyWithoutStateTakesTheIncomingVersionUnderEveryStrategy() {
        GenericRecord first = item(3, 100, "a", 1.0);
        for (MergeStrategy strategy : List.of(MergeStrategy.latestByField("version"), MergeStrategy.firstSeen(),
                MergeStrategy.lastSeen(), MergeStrategy.fieldMerge(), MergeStrategy.vectorClock("clock"))) {
            MergeResult result = merger(strategy).merge(null, first);
            assertSame(first, result.winner(), strategy.toString());
            assertTrue(result.changed(), strategy.toString());
            assertFalse(result.conflict(), strategy.toString());
        }
    }

    @Test
    void exactReSendsChangeNothingUnderEveryStrategy() {
        for (MergeStrategy strategy : List.of(MergeStrategy.latestByField("version"), MergeStrategy.firstSeen(),
                MergeStrategy.lastSeen(), MergeStrategy.fieldMerge(), MergeStrategy.vectorClock("clock"))) {
            RecordMerger merger = merger(strategy);
            GenericRecord state = merger.merge(null, item(1, 100, "a", 1.0, Map.of("w1", 1L))).winner();
            state = merger.merge(state, item(2, 200, null, 2.0, Map.of("w1", 2L))).winner();
            GenericRecord before = state;
            MergeResult again = merger.merge(state, item(2, 200, null, 2.0, Map.of("w1", 2L)));
            assertFalse(again.changed(), strategy.toString());
            assertFalse(again.conflict(), strategy.toString());
            assertSame(before, again.winner(), strategy.toString());
        }
    }

    @Test
    void latestByFieldKeepsTheGreatestFieldWhateverTheArrivalOrderAndIgnoresStaleVersions() {
        RecordMerger merger = merger(MergeStrategy.latestByField("version"));
        GenericRecord v1 = item(1, 300, "one", 1.0);
        GenericRecord v2 = item(2, 100, "two", 2.0);   // its event time is earlier: only the version field counts
        GenericRecord v3 = item(3, 200, "three", 3.0);
        MergeResult stale = merger.merge(v3, v1);
        assertSame(v3, stale.winner());
        assertFalse(stale.changed());
        assertTrue(merger.merge(v2, v3).changed());
        List<GenericRecord> versions = new ArrayList<>(List.of(v1, v2, v3));
        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            Collections.shuffle(versions, random);
            assertSame(v3, fold(merger, versions), versions.toString());
        }
    }

    @Test
    void latestByFieldBreaksTiesByTheOrderingFieldsThenByTheBinaryEncoding() {
        RecordMerger merger = merger(MergeStrategy.latestByField("version"));
        GenericRecord earlier = item(5, 100, "x", 1.0);
        GenericRecord later = item(5, 101, "a", 1.0);
        assertSame(later, merger.merge(earlier, later).winner());
        assertSame(later, merger.merge(later, earlier).winner());
        // same version and ordering fields: the binary encodings decide. "b" encodes after "a" (same length, 0x62 > 0x61).
        GenericRecord a = item(5, 100, "a", 1.0);
        GenericRecord b = item(5, 100, "b", 1.0);
        assertSame(b, merger.merge(a, b).winner());
        assertTrue(merger.merge(a, b).changed());
        assertSame(b, merger.merge(b, a).winner());
        assertFalse(merger.merge(b, a).changed());
        // a null (union branch 0) encodes before any string (branch 1)
        GenericRecord unnamed = item(5, 100, null, 1.0);
        assertSame(a, merger.merge(unnamed, a).winner());
        assertSame(a, merger.merge(a, unnamed).winner());
    }

    @Test
    void firstSeenKeepsTheFirstVersionInLogOrder() {
        RecordMerger merger = merger(MergeStrategy.firstSeen());
        GenericRecord first = item(2, 200, "first", 1.0);
        assertSame(first, fold(merger, List.of(first, item(3, 300, "later", 2.0), item(1, 100, "older", 3.0))));
        assertFalse(merger.merge(first, item(9, 900, "newer", 9.0)).changed());
    }

    @Test
    void lastSeenKeepsTheLastVersionInLogOrderEvenWhenItsFieldsAreOlder() {
        RecordMerger merger = merger(MergeStrategy.lastSeen());
        GenericRecord older = item(1, 100, "older", 1.0);
        assertSame(older, fold(merger, List.of(item(3, 300, "newer", 3.0), older)));
        assertTrue(merger.merge(item(3, 300, "newer", 3.0), older).changed());
    }

    @Test
    void fieldMergeTakesTheNonNullFieldsOfTheVersionThatSortsLater() {
        RecordMerger merger = merger(MergeStrategy.fieldMerge());
        GenericRecord v1 = item(1, 100, "first name", 10.0);
        GenericRecord v2 = item(2, 200, null, 20.0);
        GenericRecord v3 = item(3, 300, "third name", null);

        GenericRecord inOrder = fold(merger, List.of(v1, v2, v3));
        assertEquals(3L, inOrder.get("version"));
        assertEquals(300L, inOrder.get("updated_at"));
        assertEquals("third name", inOrder.get("name").toString());
        assertEquals(20.0, inOrder.get("price"));

        // v2 arriving after v3: v3 sorts later, so v2 only fills v3's null price
        MergeResult late = merger.merge(v3, v2);
        assertTrue(late.changed());
        assertEquals("third name", late.winner().get("name").toString());
        assertEquals(20.0, late.winner().get("price"));
        assertEquals(3L, late.winner().get("version"));

        // an older version whose fields are all covered changes nothing
        MergeResult covered = merger.merge(inOrder, v1);
        assertFalse(covered.changed());
        assertSame(inOrder, covered.winner());
    }

    @Test
    void fieldMergeNeverReplacesAValueWithANullOfALaterVersion() {
        RecordMerger merger = merger(MergeStrategy.fieldMerge());
        GenericRecord state = merger.merge(item(1, 100, "kept", 1.0), item(2, 200, null, null)).winner();
        assertEquals("kept", state.get("name").toString());
        assertEquals(1.0, state.get("price"));
        assertEquals(2L, state.get("version"));
    }

    @Test
    void vectorClockKeepsTheDominatingClockAndIgnoresDominatedOnes() {
        RecordMerger merger = merger(MergeStrategy.vectorClock("clock"));
        GenericRecord base = item(1, 100, "base", 1.0, Map.of("a", 1L));
        GenericRecord next = item(2, 50, "next", 2.0, Map.of("a", 1L, "b", 1L)); // event time earlier: clocks decide
        MergeResult forward = merger.merge(base, next);
        assertSame(next, forward.winner());
        assertTrue(forward.changed());
        assertFalse(forward.conflict());
        MergeResult stale = merger.merge(next, base);
        assertSame(next, stale.winner());
        assertFalse(stale.changed());
        assertFalse(stale.conflict());
        // counters read from Avro's Utf8 keys and int or long values; a null clock is dominated by any other
        Map<Utf8, Integer> utf8Clock = new HashMap<>(Map.of(new Utf8("a"), 2));
        GenericRecord avroClock = item(3, 10, "avro", 3.0, null);
        avroClock.put("clock", utf8Clock);
        assertSame(avroClock, merger.merge(base, avroClock).winner());
        assertSame(base, merger.merge(item(0, 999, "no clock", 0.0, null), base).winner());
    }

    @Test
    void concurrentVectorClocksResolveDeterministicallyAndAreReportedAsConflicts() {
        RecordMerger merger = merger(MergeStrategy.vectorClock("clock"));
        GenericRecord left = item(2, 200, "left", 1.0, Map.of("a", 2L, "b", 1L));
        GenericRecord right = item(2, 300, "right", 1.0, Map.of("a", 1L, "b", 2L));
        MergeResult oneWay = merger.merge(left, right);
        MergeResult otherWay = merger.merge(right, left);
        // neither clock dominates: the later updated_at (first ordering field) wins, whichever arrived first
        assertSame(right, oneWay.winner());
        assertSame(right, otherWay.winner());
        assertTrue(oneWay.conflict());
        assertTrue(otherWay.conflict());
        assertTrue(oneWay.changed());
        assertFalse(otherWay.changed());
        // equal clocks with different contents are a conflict too
        GenericRecord twin = item(2, 200, "twin", 1.0, Map.of("a", 2L, "b", 1L));
        MergeResult equalClocks = merger.merge(left, twin);
        assertTrue(equalClocks.conflict());
        assertSame(twin, equalClocks.winner(), "\"twin\" encodes after \"left\"");
    }

    @Test
    void aVectorClockFieldThatIsNotAMapIsRefused() {
        Schema schema = new Schema.Parser().parse("""
                {"type": "record", "name": "Odd", "fields": [{"name": "clock", "type": "string"}]}""");
        GenericRecord a = new GenericData.Record(schema);
        a.put("clock", "x");
        GenericRecord b = new GenericData.Record(schema);
        b.put("clock", "y");
        assertThrows(IllegalArgumentException.class, () -> RecordMerger.of(MergeStrategy.vectorClock("clock"), List.of()).merge(a, b));
    }

    @Test
    void forDatasetUsesTheDatasetsStrategyAndOrdering() {
        DatasetMetadata dataset = DatasetMetadata.builder("items").uniqueKey("id").ordering("updated_at")
                .merge(MergeStrategy.latestByField("version")).build();
        RecordMerger merger = RecordMerger.forDataset(dataset);
        assertEquals(MergeStrategy.latestByField("version"), merger.strategy());
        GenericRecord sameVersionLater = item(4, 200, "a", 1.0);
        assertSame(sameVersionLater, merger.merge(item(4, 100, "z", 1.0), sameVersionLater).winner());
    }
}
