package dev.onepipe.dedup.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.iceberg.avro.AvroSchemaUtil;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/**
 * Avro rows to Iceberg rows and back, one logical type at a time, with expected values worked out by hand (e.g. 19,000
 * days after 1970-01-01 is 2022-01-08; 1,700,000,000,123 ms is 2023-11-14T22:13:20.123Z).
 */
class IcebergRowsTest {

    private static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type": "record", "name": "Everything", "fields": [
              {"name": "id", "type": "string"},
              {"name": "ts_millis", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "ts_micros", "type": {"type": "long", "logicalType": "timestamp-micros"}},
              {"name": "ts_utc", "type": {"type": "long", "logicalType": "timestamp-millis", "adjust-to-utc": true}},
              {"name": "day", "type": {"type": "int", "logicalType": "date"}},
              {"name": "time_millis", "type": {"type": "int", "logicalType": "time-millis"}},
              {"name": "time_micros", "type": {"type": "long", "logicalType": "time-micros"}},
              {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
              {"name": "big_amount", "type": {"type": "fixed", "name": "Amount8", "size": 8, "logicalType": "decimal", "precision": 18, "scale": 4}},
              {"name": "uuid", "type": {"type": "string", "logicalType": "uuid"}},
              {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}},
              {"name": "nested", "type": {"type": "record", "name": "Nested", "fields": [
                {"name": "a", "type": "int"}, {"name": "b", "type": ["null", "string"], "default": null}]}},
              {"name": "numbers", "type": {"type": "array", "items": "long"}},
              {"name": "weights", "type": {"type": "map", "values": ["null", "double"]}},
              {"name": "maybe", "type": ["null", "long"], "default": null},
              {"name": "either", "type": ["int", "string"]},
              {"name": "hash", "type": {"type": "fixed", "name": "Hash4", "size": 4}},
              {"name": "blob", "type": "bytes"},
              {"name": "epoch_ms", "type": "long"}
            ]}""");

    private static final UUID A_UUID = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");

    private static GenericRecord avroRow() {
        GenericData.Record row = new GenericData.Record(SCHEMA);
        row.put("id", new Utf8("k-1"));
        row.put("ts_millis", 1_700_000_000_123L);
        row.put("ts_micros", 1_700_000_000_123_456L);
        row.put("ts_utc", 1_700_000_000_123L);
        row.put("day", 19_000);
        row.put("time_millis", 3_723_004);
        row.put("time_micros", 3_723_000_005L);
        row.put("amount", ByteBuffer.wrap(BigInteger.valueOf(-12_345).toByteArray()));
        byte[] fixedAmount = new byte[8];
        byte[] unscaled = BigInteger.valueOf(1_234_567_890_123L).toByteArray();
        System.arraycopy(unscaled, 0, fixedAmount, 8 - unscaled.length, unscaled.length);
        row.put("big_amount", new GenericData.Fixed(SCHEMA.getField("big_amount").schema(), fixedAmount));
        row.put("uuid", new Utf8(A_UUID.toString()));
        row.put("color", new GenericData.EnumSymbol(SCHEMA.getField("color").schema(), "GREEN"));
        GenericData.Record nested = new GenericData.Record(SCHEMA.getField("nested").schema());
        nested.put("a", 7);
        nested.put("b", null);
        row.put("nested", nested);
        row.put("numbers", new GenericData.Array<>(SCHEMA.getField("numbers").schema(), List.of(3L, 1L, 2L)));
        Map<Utf8, Object> weights = new LinkedHashMap<>();
        weights.put(new Utf8("x"), 1.5);
        weights.put(new Utf8("y"), null);
        row.put("weights", weights);
        row.put("maybe", null);
        row.put("either", new Utf8("text"));
        row.put("hash", new GenericData.Fixed(SCHEMA.getField("hash").schema(), new byte[] {1, 2, 3, 4}));
        row.put("blob", ByteBuffer.wrap(new byte[] {9, 8}));
        row.put("epoch_ms", 1_700_000_000_123L);
        return row;
    }

    @Test
    void convertsEveryLogicalTypeToIcebergsRepresentation() {
        Types.StructType struct = AvroSchemaUtil.toIceberg(SCHEMA).asStruct();
        Record row = IcebergRows.toIceberg(avroRow(), struct);

        assertEquals("k-1", row.getField("id"));
        assertEquals(LocalDateTime.of(2023, 11, 14, 22, 13, 20, 123_000_000), row.getField("ts_millis"));
        assertEquals(LocalDateTime.of(2023, 11, 14, 22, 13, 20, 123_456_000), row.getField("ts_micros"));
        assertEquals(OffsetDateTime.of(2023, 11, 14, 22, 13, 20, 123_000_000, ZoneOffset.UTC), row.getField("ts_utc"));
        assertEquals(LocalDate.of(2022, 1, 8), row.getField("day"));
        assertEquals(LocalTime.of(1, 2, 3, 4_000_000), row.getField("time_millis"));
        assertEquals(LocalTime.of(1, 2, 3, 5_000), row.getField("time_micros"));
        assertEquals(new BigDecimal("-123.45"), row.getField("amount"));
        assertEquals(new BigDecimal("123456789.0123"), row.getField("big_amount"));
        assertEquals(A_UUID, row.getField("uuid"));
        assertEquals("GREEN", row.getField("color"));
        Record nested = (Record) row.getField("nested");
        assertEquals(7, nested.getField("a"));
        assertNull(nested.getField("b"));
        assertEquals(List.of(3L, 1L, 2L), row.getField("numbers"));
        Map<String, Double> weights = new LinkedHashMap<>();
        weights.put("x", 1.5);
        weights.put("y", null);
        assertEquals(weights, row.getField("weights"));
        assertNull(row.getField("maybe"));
        Record either = (Record) row.getField("either");
        assertEquals(1, either.get(0), "tag 1: the second branch, string");
        assertNull(either.get(1));
        assertEquals("text", either.get(2));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, (byte[]) row.getField("hash"));
        assertEquals(ByteBuffer.wrap(new byte[] {9, 8}), row.getField("blob"));
        assertEquals(1_700_000_000_123L, row.getField("epoch_ms"));
    }

    @Test
    void convertsBackToAvrosPlainGenericRepresentation() {
        Types.StructType struct = AvroSchemaUtil.toIceberg(SCHEMA).asStruct();
        GenericRecord original = avroRow();
        GenericRecord back = IcebergRows.toAvro(IcebergRows.toIceberg(original, struct), SCHEMA);
        assertEquals(original, back);
        assertEquals(1_700_000_000_123_456L, back.get("ts_micros"));
        assertEquals(19_000, back.get("day"));
        assertEquals(3_723_004, back.get("time_millis"));
        assertEquals(new Utf8("text"), back.get("either"));
    }

    @Test
    void acceptsValuesAlreadyConvertedByAvrosLogicalTypeConversions() {
        Types.StructType struct = AvroSchemaUtil.toIceberg(SCHEMA).asStruct();
        GenericRecord row = avroRow();
        row.put("ts_millis", java.time.Instant.parse("2023-11-14T22:13:20.123Z"));
        row.put("day", LocalDate.of(2022, 1, 8));
        row.put("amount", new BigDecimal("-123.45"));
        row.put("uuid", A_UUID);
        Record converted = IcebergRows.toIceberg(row, struct);
        assertEquals(LocalDateTime.of(2023, 11, 14, 22, 13, 20, 123_000_000), converted.getField("ts_millis"));
        assertEquals(LocalDate.of(2022, 1, 8), converted.getField("day"));
        assertEquals(new BigDecimal("-123.45"), converted.getField("amount"));
        assertEquals(A_UUID, converted.getField("uuid"));
    }

    @Test
    void aRowOfAnOlderSchemaLeavesNewOptionalColumnsNullAndARequiredGapIsAnError() {
        Schema older = new Schema.Parser().parse("""
                {"type": "record", "name": "Small", "fields": [{"name": "id", "type": "string"}]}""");
        Types.StructType struct = Types.StructType.of(
                Types.NestedField.required(1, "id", Types.StringType.get()),
                Types.NestedField.optional(2, "color", Types.StringType.get()));
        GenericData.Record row = new GenericData.Record(older);
        row.put("id", "a");
        Record converted = IcebergRows.toIceberg(row, struct);
        assertEquals("a", converted.getField("id"));
        assertNull(converted.getField("color"));

        Types.StructType requiring = Types.StructType.of(
                Types.NestedField.required(1, "id", Types.StringType.get()),
                Types.NestedField.required(2, "color", Types.StringType.get()));
        assertThrows(IllegalArgumentException.class, () -> IcebergRows.toIceberg(row, requiring));
    }
}
