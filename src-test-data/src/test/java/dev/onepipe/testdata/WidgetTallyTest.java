package dev.onepipe.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** The tally's rules, one hand-built case each. */
class WidgetTallyTest {

    private static final long HOUR = 3_600_000L;
    private static final long GRACE = 60_000L;

    private final WidgetTally tally = new WidgetTally(GRACE);

    @Test
    void lateMeansMoreThanTheGracePeriodBelowTheStreamTime() {
        tally.add(widget("widget-1", 1, 10 * HOUR));
        tally.add(widget("widget-2", 1, 10 * HOUR - GRACE));
        assertEquals(0, tally.lateCount(), "exactly the grace period behind is on time");
        tally.add(widget("widget-3", 1, 10 * HOUR - GRACE - 1));
        assertEquals(1, tally.lateCount());
    }

    @Test
    void duplicatesAreReSentVersionsAndNeitherLateNorOutOfOrder() {
        tally.add(widget("widget-1", 1, HOUR));
        tally.add(widget("widget-1", 2, 3 * HOUR));
        tally.add(widget("widget-1", 1, HOUR));
        assertEquals(1, tally.duplicateCount());
        assertEquals(0, tally.lateCount());
        assertEquals(0, tally.outOfOrderCount());
        assertEquals(2, tally.firstSendCount());
    }

    @Test
    void theHighestVersionWinsWhateverItsTimeOrPosition() {
        tally.add(widget("widget-1", 2, 5 * HOUR));
        tally.add(widget("widget-1", 3, 2 * HOUR));
        tally.add(widget("widget-1", 1, 6 * HOUR));
        assertEquals(1, tally.outOfOrderCount(), "version 1 after version 3");
        assertEquals(Map.of("widget-1", 3L), tally.latestVersions());
        assertEquals(2 * HOUR, tally.latestRecords().get("widget-1").get("updated_at"));
    }

    @Test
    void hoursCountRecordsAndDistinctKeysByEventTime() {
        tally.add(widget("widget-1", 1, HOUR));
        tally.add(widget("widget-1", 2, HOUR + 59 * 60_000L));
        tally.add(widget("widget-2", 1, 2 * HOUR));
        tally.add(GeneratedRecord.corrupt(SampleDatasets.WIDGETS, "widget-3", HOUR + 1, CorruptionKind.TRUNCATED, new byte[0]));
        assertEquals(Map.of(HOUR, 3L, 2 * HOUR, 1L), tally.recordsPerHour());
        assertEquals(Map.of(HOUR, 2L, 2 * HOUR, 1L), tally.validRecordsPerHour());
        assertEquals(Map.of(HOUR, 1, 2 * HOUR, 1), tally.distinctKeysPerHour());
        assertEquals(Map.of(CorruptionKind.TRUNCATED, 1L), tally.corruptCountsByKind());
        assertEquals(2, tally.distinctKeyCount());
    }

    @Test
    void recordsOfOtherDatasetsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> tally.add(
            GeneratedRecord.corrupt(SampleDatasets.AD_VIEWS, "v", 0L, CorruptionKind.GARBAGE_BYTES, new byte[] {1})));
    }

    private static GeneratedRecord widget(final String widgetId, final long version, final long updatedAt) {
        final GenericRecord value = new GenericData.Record(SampleDatasets.schema(SampleDatasets.WIDGETS));
        value.put("widget_id", widgetId);
        value.put("version", version);
        value.put("updated_at", updatedAt);
        value.put("name", "Tiny Valve");
        value.put("price", 9.99);
        value.put("status", new GenericData.EnumSymbol(value.getSchema().getField("status").schema(), "ACTIVE"));
        value.put("tags", new GenericData.Array<String>(0, value.getSchema().getField("tags").schema()));
        value.put("description", null);
        return GeneratedRecord.valid(SampleDatasets.WIDGETS, widgetId, updatedAt, value);
    }
}
