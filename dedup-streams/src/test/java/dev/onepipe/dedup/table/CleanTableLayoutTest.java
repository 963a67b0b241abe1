package dev.onepipe.dedup.table;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.serde.UniqueKeyEncoder;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.avro.AvroSchemaUtil;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;

/** The clean table's layout: keys of table rows, day partitions of timestamp and epoch-millisecond event times. */
class CleanTableLayoutTest {

    private static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "fields": [
              {"name": "shop", "type": "string"},
              {"name": "number", "type": "long"},
              {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["WEB", "STORE"]}},
              {"name": "placed_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "paid_ms", "type": ["null", "long"], "default": null}
            ]}""");

    private static GenericData.Record order(String shop, long number, long placedAt, Long paidMs) {
        GenericData.Record order = new GenericData.Record(SCHEMA);
        order.put("shop", shop);
        order.put("number", number);
        order.put("kind", new GenericData.EnumSymbol(SCHEMA.getField("kind").schema(), "STORE"));
        order.put("placed_at", placedAt);
        order.put("paid_ms", paidMs);
        return order;
    }

    @Test
    void aTableRowsKeyIsTheKeyTheEncoderGivesTheAvroRow() {
        List<String> key = List.of("shop", "number", "kind");
        CleanTableLayout layout = new CleanTableLayout(key, List.of("placed_at"), Optional.of("placed_at"), SCHEMA);
        org.apache.iceberg.Schema schema = AvroSchemaUtil.toIceberg(SCHEMA);
        GenericData.Record order = order("café:1", -42, 1_700_000_000_123L, null);
        Record row = IcebergRows.toIceberg(order, schema.asStruct());
        // by hand: "café:1" is 7 UTF-8 bytes, "-42" 3, "STORE" 5
        assertEquals("7:café:13:-425:STORE", layout.keyOf(row));
        assertEquals(new UniqueKeyEncoder(key).encode(order), layout.keyOf(row));
    }

    @Test
    void partitionsATimestampByDayAndAnEpochMillisecondLongByTruncationToTheDay() {
        long lastMilliOfDay = LocalDate.parse("2026-03-01").atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli() + 86_399_999L;
        org.apache.iceberg.Schema schema = AvroSchemaUtil.toIceberg(SCHEMA);
        Record row = IcebergRows.toIceberg(order("s", 1, lastMilliOfDay, lastMilliOfDay + 1), schema.asStruct());

        CleanTableLayout byTimestamp = new CleanTableLayout(List.of("shop"), List.of(), Optional.of("placed_at"), SCHEMA);
        assertEquals(Optional.of(LocalDate.parse("2026-03-01")), dayOf(byTimestamp.partitionSpec(schema), schema, row));

        CleanTableLayout byLong = new CleanTableLayout(List.of("shop"), List.of(), Optional.of("paid_ms"), SCHEMA);
        assertEquals(Optional.of(LocalDate.parse("2026-03-02")), dayOf(byLong.partitionSpec(schema), schema, row));
        Record unpaid = IcebergRows.toIceberg(order("s", 1, lastMilliOfDay, null), schema.asStruct());
        assertEquals(Optional.empty(), dayOf(byLong.partitionSpec(schema), schema, unpaid));
        Record beforeEpoch = IcebergRows.toIceberg(order("s", 1, 0, -1L), schema.asStruct());
        assertEquals(Optional.of(LocalDate.parse("1969-12-31")), dayOf(byLong.partitionSpec(schema), schema, beforeEpoch));

        CleanTableLayout none = new CleanTableLayout(List.of("shop"), List.of(), Optional.empty(), SCHEMA);
        assertEquals(PartitionSpec.unpartitioned(), none.partitionSpec(schema));
    }

    @Test
    void theLayoutSurvivesTheTablesProperties() {
        DatasetMetadata dataset = DatasetMetadata.builder("orders").uniqueKey("shop", "number").ordering("placed_at", "number")
                .eventTimeField("placed_at").build();
        CleanTableLayout layout = CleanTableLayout.of(dataset, SCHEMA);
        Map<String, String> properties = layout.properties();
        assertEquals("shop,number", properties.get(CleanTableLayout.UNIQUE_KEY));
        assertEquals(layout, CleanTableLayout.fromProperties(properties));
    }

    private static Optional<LocalDate> dayOf(PartitionSpec spec, org.apache.iceberg.Schema schema, Record row) {
        PartitionKey key = new PartitionKey(spec, schema);
        key.partition(new InternalRecordWrapper(schema.asStruct()).wrap(row));
        return CleanTableLayout.dayOf(spec, key);
    }
}
