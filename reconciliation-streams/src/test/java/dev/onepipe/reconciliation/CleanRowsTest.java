package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.iceberg.avro.AvroSchemaUtil;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/** The clean fingerprint of the sample widgets: the same rows as Avro records and as Iceberg records agree. */
class CleanRowsTest {

    private static final Schema SCHEMA = SampleDatasets.schema(SampleDatasets.WIDGETS);
    private static final DatasetMetadata WIDGETS = DatasetMetadata.fromJson(SampleDatasets.metadataJson(SampleDatasets.WIDGETS));
    private static final org.apache.iceberg.Schema TABLE_SCHEMA = AvroSchemaUtil.toIceberg(SCHEMA);

    private static GenericData.Record avro(String id, long version, Instant updated, double price, String description) {
        GenericData.Record record = new GenericData.Record(SCHEMA);
        record.put("widget_id", id);
        record.put("version", version);
        record.put("updated_at", updated.toEpochMilli());
        record.put("name", "widget " + id);
        record.put("price", price);
        record.put("status", new GenericData.EnumSymbol(SCHEMA.getField("status").schema(), "ACTIVE"));
        record.put("tags", new GenericData.Array<>(SCHEMA.getField("tags").schema(), List.of(new org.apache.avro.util.Utf8("blue"), "round")));
        record.put("description", description);
        return record;
    }

    private static Record iceberg(String id, long version, Instant updated, double price, String description) {
        Record record = GenericRecord.create(TABLE_SCHEMA);
        record.setField("widget_id", id);
        record.setField("version", version);
        Types.TimestampType type = (Types.TimestampType) TABLE_SCHEMA.findType("updated_at");
        record.setField("updated_at", type.shouldAdjustToUTC() ? OffsetDateTime.ofInstant(updated, ZoneOffset.UTC)
                : LocalDateTime.ofInstant(updated, ZoneOffset.UTC));
        record.setField("name", "widget " + id);
        record.setField("price", price);
        record.setField("status", "ACTIVE");
        record.setField("tags", List.of("blue", "round"));
        record.setField("description", description);
        return record;
    }

    private static final Instant MORNING = Instant.parse("2026-11-22T07:15:00Z");
    private static final Instant NEXT_DAY = Instant.parse("2026-11-23T01:00:00Z");

    @Test
    void theSameRowsFromTheCleanTopicAndTheCleanTableGiveTheSameFingerprint() {
        CleanRows topic = new CleanRows(WIDGETS, SCHEMA);
        CleanRows table = new CleanRows(WIDGETS, SCHEMA);
        GenericData.Record a = avro("w-1", 7, MORNING, 1.5, null);
        GenericData.Record b = avro("w-2", 3, MORNING.plusSeconds(60), 2.25, "second");
        GenericData.Record c = avro("w-3", 1, NEXT_DAY, 10.0, null);
        topic.add("w-1", a, a::get);
        topic.add("w-2", b, b::get);
        topic.add("w-3", c, c::get);
        for (Record row : List.of(iceberg("w-3", 1, NEXT_DAY, 10.0, null), iceberg("w-2", 3, MORNING.plusSeconds(60), 2.25, "second"),
                iceberg("w-1", 7, MORNING, 1.5, null))) {
            table.add(null, row, row::getField);
        }
        Map<Long, CleanFingerprint> prints = topic.fingerprints();
        assertEquals(prints, table.fingerprints());
        long day = LocalDate.parse("2026-11-22").toEpochDay();
        CleanFingerprint first = prints.get(day);
        assertEquals(2, first.rows());
        assertEquals(2, first.distinctKeys());
        // Hand-computed from the rows above: widget ids w-1 and w-2, prices 1.5 + 2.25, highest version 7.
        assertEquals("2", first.checks().get("distinct_widgets"));
        assertEquals("3.75", first.checks().get("total_price"));
        assertEquals("7", first.checks().get("highest_version"));
        assertEquals(1, prints.get(day + 1).rows());
    }

    @Test
    void aChangedFieldOrADuplicatedKeyChangesTheFingerprint() {
        CleanRows topic = new CleanRows(WIDGETS, SCHEMA);
        CleanRows changed = new CleanRows(WIDGETS, SCHEMA);
        CleanRows duplicated = new CleanRows(WIDGETS, SCHEMA);
        GenericData.Record a = avro("w-1", 7, MORNING, 1.5, null);
        topic.add("w-1", a, a::get);
        Record different = iceberg("w-1", 7, MORNING, 1.5, "now described");
        changed.add(null, different, different::getField);
        Record same = iceberg("w-1", 7, MORNING, 1.5, null);
        duplicated.add(null, same, same::getField);
        duplicated.add(null, same, same::getField);
        long day = LocalDate.parse("2026-11-22").toEpochDay();
        assertNotEquals(topic.fingerprints().get(day), changed.fingerprints().get(day));
        assertEquals(2, duplicated.fingerprints().get(day).rows());
        assertEquals(1, duplicated.fingerprints().get(day).distinctKeys());
        assertEquals(List.of("w-1"), CleanReconciliation.compare(topic, duplicated, true, 5).get(0).differences().extra().listed());
        assertEquals(BucketStatus.DIFFERENT, CleanReconciliation.compare(topic, changed, true, 5).get(0).status());
        assertEquals(BucketStatus.NOT_YET_ARCHIVED, CleanReconciliation.compare(topic, changed, false, 5).get(0).status());
    }
}
