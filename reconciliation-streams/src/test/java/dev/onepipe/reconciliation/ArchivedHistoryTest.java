package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

/**
 * The raw archive's history below a log start offset, as {@link RawMergedState} reads it: objects given here in
 * memory as (offset, previous offset) rows, each value the text of its offset, so the order handed over is read back
 * directly. Expected orders and gaps are worked out by hand from the rows.
 */
class ArchivedHistoryTest {

    /** Objects by start offset: rows of {offset, previous offset}; an optional completeness watermark. */
    private final Map<Long, long[][]> rows = new HashMap<>();
    private final Map<Long, Long> watermarks = new HashMap<>();
    private final List<String> handed = new ArrayList<>();

    @Test
    void interleavedObjectsAreHandedOverInOffsetOrder() {
        // hour 05's object holds 0, 1, 2, 4, 5; the late record 3 is in hour 04's object, which starts inside it
        object(0, new long[][] {{0, -1}, {1, 0}, {2, 1}, {4, 3}, {5, 4}});
        object(3, new long[][] {{3, 2}});
        RawMergedState.ArchivedHistory history = read(6);
        assertEquals(List.of("0", "1", "2", "3", "4", "5"), handed);
        assertEquals(6, history.records());
        assertTrue(history.lost().isEmpty());
        assertEquals(Optional.empty(), history.gap(0, 6));
    }

    @Test
    void onlyRecordsBelowTheLogStartAreHandedOverAndAnOffsetInTwoObjectsOnce() {
        object(0, new long[][] {{0, -1}, {1, 0}, {2, 1}});
        object(2, new long[][] {{2, 1}, {3, 2}, {4, 3}, {5, 4}});
        RawMergedState.ArchivedHistory history = read(4);
        assertEquals(List.of("0", "1", "2", "3"), handed);
        assertTrue(history.lost().isEmpty());
    }

    @Test
    void aBreakInThePreviousOffsetChainIsLostHistory() {
        object(0, new long[][] {{0, -1}, {1, 0}});
        object(5, new long[][] {{5, 4}, {6, 5}});
        RawMergedState.ArchivedHistory history = read(7);
        assertEquals(List.of("0", "1", "5", "6"), handed);
        assertEquals(List.of("2..4"), history.lost());
        assertEquals(Optional.of("partition 0 (log start offset 7): offsets 2..4 held records that are in neither the topic nor the raw archive"),
                history.gap(0, 7));
    }

    @Test
    void theEndBelowTheLogStartIsLostUnlessTheWatermarkCoversIt() {
        object(0, new long[][] {{0, -1}, {1, 0}, {2, 1}});
        assertEquals(List.of("3..5"), read(6).lost());
        handed.clear();
        // offsets 3..5 can be transaction markers: the archive's watermark says every record below 6 was archived
        watermarks.put(0L, 6L);
        assertTrue(read(6).lost().isEmpty());
    }

    @Test
    void anArchiveThatStartedLateIsNamedButIsNotLostHistory() {
        object(10, new long[][] {{10, -1}, {11, 10}});
        RawMergedState.ArchivedHistory history = read(12);
        assertTrue(history.startsLate());
        assertTrue(history.lost().isEmpty());
        assertEquals(Optional.of("partition 0 (log start offset 12): the raw archive starts at offset 10"), history.gap(0, 12));
    }

    @Test
    void aFirstArchivedRecordWithAPredecessorMeansTheEarlierObjectsAreGone() {
        object(5, new long[][] {{5, 4}});
        RawMergedState.ArchivedHistory history = read(6);
        assertEquals(List.of("0..4"), history.lost());
        assertFalse(history.startsLate());
    }

    @Test
    void noObjectsAtAllLoseEverythingBelowTheLogStart() {
        RawMergedState.ArchivedHistory history = read(3);
        assertEquals(List.of("0..2"), history.lost());
        assertEquals(0, history.records());
    }

    private void object(long start, long[][] offsets) {
        rows.put(start, offsets);
    }

    private RawMergedState.ArchivedHistory read(long logStart) {
        List<RawArchiveReader.ArchiveObject> listing = new ArrayList<>();
        // listed in key order (by hour, then start offset), not by start offset: the reader must sort
        rows.keySet().stream().sorted((a, b) -> Long.compare(b, a))
                .forEach(start -> listing.add(new RawArchiveReader.ArchiveObject("object-" + start, 0, 0, start, 0)));
        return RawMergedState.ArchivedHistory.read(listing, (object, values) -> {
            for (long[] row : rows.get(object.startOffset())) {
                values.accept(row[0], row[1], Long.toString(row[0]).getBytes(StandardCharsets.UTF_8));
            }
            Long watermark = watermarks.get(object.startOffset());
            return watermark == null ? OptionalLong.empty() : OptionalLong.of(watermark);
        }, logStart, (value, offset) -> handed.add(new String(value, StandardCharsets.UTF_8)));
    }
}
