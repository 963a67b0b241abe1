package dev.onepipe.dedup.table;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.util.Utf8;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Converts rows between Avro's generic data model (what the dataset's deserializer produces) and Iceberg's generic
 * {@link Record}s (what Iceberg's Parquet writer and reader take), field by field by name, so a row of any compatible
 * schema version converts to the table's current schema.
 *
 * <p>Type mapping, as {@code AvroSchemaUtil} maps the schemas (Iceberg spec, "Avro" appendix):
 * <ul>
 *   <li>{@code timestamp-millis}/{@code timestamp-micros} (a long, UTC instant) to {@code LocalDateTime} at UTC for a
 *       timestamp without zone, {@code OffsetDateTime} at UTC with zone ({@code adjust-to-utc=true}); millis ×1000</li>
 *   <li>{@code date} (days since 1970-01-01) to {@code LocalDate}; {@code time-millis}/{@code time-micros} to
 *       {@code LocalTime}</li>
 *   <li>{@code decimal} (bytes or fixed, two's-complement unscaled value) to {@code BigDecimal} with the schema's scale</li>
 *   <li>{@code uuid} (a string) to {@code UUID}; an enum symbol to its name (a string)</li>
 *   <li>records to nested {@link Record}s, arrays to lists, maps to maps with string keys; a nullable union
 *       {@code ["null", T]} to an optional {@code T}; any other union to Iceberg's struct of {@code tag}, {@code field0}...</li>
 * </ul>
 * Values already converted by Avro's logical-type conversions ({@code Instant}, {@code LocalDate}, {@code BigDecimal},
 * {@code UUID}) are accepted too. The reverse direction gives Avro's plain generic representation (longs, ints,
 * {@link Utf8}, {@link GenericData.EnumSymbol}, {@code ByteBuffer}, {@link GenericData.Fixed}), as Avro's
 * {@code GenericDatumReader} without conversions would.
 */
public final class IcebergRows {

    private static final Conversions.DecimalConversion DECIMALS = new Conversions.DecimalConversion();

    private IcebergRows() {
    }

    /**
     * The Iceberg row of {@code struct} holding {@code avro}'s fields of the same names; fields {@code avro}'s schema
     * lacks are null.
     *
     * @throws IllegalArgumentException when a required field is missing or null, or a value does not fit its column
     */
    public static Record toIceberg(IndexedRecord avro, Types.StructType struct) {
        Record record = org.apache.iceberg.data.GenericRecord.create(struct);
        Schema avroSchema = avro.getSchema();
        List<Types.NestedField> fields = struct.fields();
        for (int position = 0; position < fields.size(); position++) {
            Types.NestedField field = fields.get(position);
            Schema.Field avroField = avroSchema.getField(field.name());
            Object value = avroField == null ? null : toIcebergValue(avro.get(avroField.pos()), avroField.schema(), field.type());
            if (value == null && field.isRequired()) {
                throw new IllegalArgumentException("column '" + field.name() + "' is required but the row "
                        + (avroField == null ? "has no such field" : "holds null"));
            }
            record.set(position, value);
        }
        return record;
    }

    /** One value of Avro schema {@code avroSchema} as Iceberg's generic representation of {@code type}. */
    public static Object toIcebergValue(Object value, Schema avroSchema, Type type) {
        if (value == null) {
            return null;
        }
        if (avroSchema.getType() == Schema.Type.UNION) {
            Schema nonNull = optionOf(avroSchema);
            if (nonNull != null) {
                return toIcebergValue(value, nonNull, type);
            }
            return unionToIceberg(value, avroSchema, type.asStructType());
        }
        LogicalType logical = avroSchema.getLogicalType();
        switch (type.typeId()) {
            case BOOLEAN:
                return (Boolean) value;
            case INTEGER:
                return ((Number) value).intValue();
            case LONG:
                return ((Number) value).longValue();
            case FLOAT:
                return ((Number) value).floatValue();
            case DOUBLE:
                return ((Number) value).doubleValue();
            case DATE:
                return value instanceof LocalDate date ? date : LocalDate.ofEpochDay(((Number) value).longValue());
            case TIME:
                if (value instanceof LocalTime time) {
                    return time;
                }
                long units = ((Number) value).longValue();
                return LocalTime.ofNanoOfDay(logical instanceof LogicalTypes.TimeMillis ? units * 1_000_000L : units * 1_000L);
            case TIMESTAMP: {
                Instant instant = instantOf(value, logical);
                return ((Types.TimestampType) type).shouldAdjustToUTC()
                        ? OffsetDateTime.ofInstant(instant, ZoneOffset.UTC)
                        : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
            }
            case STRING:
                return value.toString();
            case UUID:
                if (value instanceof UUID uuid) {
                    return uuid;
                }
                if (value instanceof GenericFixed fixed) {
                    ByteBuffer bytes = ByteBuffer.wrap(fixed.bytes());
                    return new UUID(bytes.getLong(), bytes.getLong());
                }
                return UUID.fromString(value.toString());
            case FIXED:
                return bytesOf(value);
            case BINARY:
                return ByteBuffer.wrap(bytesOf(value));
            case DECIMAL:
                if (value instanceof BigDecimal decimal) {
                    return decimal.setScale(((Types.DecimalType) type).scale());
                }
                return new BigDecimal(new BigInteger(bytesOf(value)), ((Types.DecimalType) type).scale());
            case STRUCT:
                return toIceberg((IndexedRecord) value, type.asStructType());
            case LIST: {
                Type elementType = type.asListType().elementType();
                List<Object> list = new ArrayList<>();
                for (Object element : (Collection<?>) value) {
                    list.add(toIcebergValue(element, avroSchema.getElementType(), elementType));
                }
                return list;
            }
            case MAP: {
                Type valueType = type.asMapType().valueType();
                Map<String, Object> map = new LinkedHashMap<>();
                ((Map<?, ?>) value).forEach((key, element) ->
                        map.put(key.toString(), toIcebergValue(element, avroSchema.getValueType(), valueType)));
                return map;
            }
            default:
                throw new IllegalArgumentException("no conversion of Avro " + avroSchema + " to Iceberg " + type);
        }
    }

    /**
     * The Avro record of {@code avroSchema} holding {@code record}'s columns of the same names; fields the row lacks
     * take their Avro default (null when none).
     */
    public static GenericRecord toAvro(Record record, Schema avroSchema) {
        GenericData.Record avro = new GenericData.Record(avroSchema);
        Types.StructType struct = record.struct();
        for (Schema.Field field : avroSchema.getFields()) {
            Types.NestedField column = struct.field(field.name());
            if (column == null) {
                avro.put(field.pos(), field.hasDefaultValue() ? GenericData.get().getDefaultValue(field) : null);
            } else {
                avro.put(field.pos(), toAvroValue(record.getField(field.name()), column.type(), field.schema()));
            }
        }
        return avro;
    }

    /** One Iceberg value of {@code type} in Avro's plain generic representation of {@code avroSchema}. */
    public static Object toAvroValue(Object value, Type type, Schema avroSchema) {
        if (value == null) {
            return null;
        }
        if (avroSchema.getType() == Schema.Type.UNION) {
            Schema nonNull = optionOf(avroSchema);
            if (nonNull != null) {
                return toAvroValue(value, type, nonNull);
            }
            return unionToAvro((Record) value, avroSchema);
        }
        LogicalType logical = avroSchema.getLogicalType();
        switch (avroSchema.getType()) {
            case RECORD:
                return toAvro((Record) value, avroSchema);
            case ENUM:
                return new GenericData.EnumSymbol(avroSchema, value.toString());
            case STRING:
                return new Utf8(value.toString());
            case BOOLEAN:
                return (Boolean) value;
            case FLOAT:
                return ((Number) value).floatValue();
            case DOUBLE:
                return ((Number) value).doubleValue();
            case INT:
                if (value instanceof LocalDate date) {
                    return (int) date.toEpochDay();
                }
                if (value instanceof LocalTime time) {
                    return (int) (time.toNanoOfDay() / 1_000_000L);
                }
                return ((Number) value).intValue();
            case LONG:
                if (value instanceof LocalTime time) {
                    return time.toNanoOfDay() / 1_000L;
                }
                if (value instanceof LocalDateTime || value instanceof OffsetDateTime) {
                    Instant instant = value instanceof LocalDateTime local ? local.toInstant(ZoneOffset.UTC)
                            : ((OffsetDateTime) value).toInstant();
                    return logical instanceof LogicalTypes.TimestampMicros ? ChronoUnit.MICROS.between(Instant.EPOCH, instant)
                            : instant.toEpochMilli();
                }
                return ((Number) value).longValue();
            case BYTES:
                if (logical instanceof LogicalTypes.Decimal) {
                    return DECIMALS.toBytes((BigDecimal) value, avroSchema, logical);
                }
                return ByteBuffer.wrap(bytesOf(value));
            case FIXED:
                if (logical instanceof LogicalTypes.Decimal) {
                    return DECIMALS.toFixed((BigDecimal) value, avroSchema, logical);
                }
                if (value instanceof UUID uuid) {
                    ByteBuffer bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
                    return new GenericData.Fixed(avroSchema, bytes.array());
                }
                return new GenericData.Fixed(avroSchema, bytesOf(value));
            case ARRAY: {
                Type elementType = type.asListType().elementType();
                List<Object> elements = new ArrayList<>();
                for (Object element : (Collection<?>) value) {
                    elements.add(toAvroValue(element, elementType, avroSchema.getElementType()));
                }
                return new GenericData.Array<>(avroSchema, elements);
            }
            case MAP: {
                Type valueType = type.asMapType().valueType();
                Map<Utf8, Object> map = new LinkedHashMap<>();
                ((Map<?, ?>) value).forEach((key, element) ->
                        map.put(new Utf8(key.toString()), toAvroValue(element, valueType, avroSchema.getValueType())));
                return map;
            }
            default:
                throw new IllegalArgumentException("no conversion of Iceberg " + type + " to Avro " + avroSchema);
        }
    }

    /** The non-null branch of a two-branch union with null, or null when {@code union} is no such option. */
    static Schema optionOf(Schema union) {
        List<Schema> types = union.getTypes();
        if (types.size() == 2) {
            if (types.get(0).getType() == Schema.Type.NULL) {
                return types.get(1);
            }
            if (types.get(1).getType() == Schema.Type.NULL) {
                return types.get(0);
            }
        }
        return null;
    }

    /** Iceberg's form of a general union: {@code tag} = index among the non-null branches, {@code field<tag>} the value. */
    private static Record unionToIceberg(Object value, Schema union, Types.StructType struct) {
        int branch = GenericData.get().resolveUnion(union, value);
        int tag = 0;
        for (int index = 0; index < branch; index++) {
            if (union.getTypes().get(index).getType() != Schema.Type.NULL) {
                tag++;
            }
        }
        Record record = org.apache.iceberg.data.GenericRecord.create(struct);
        record.set(0, tag);
        Types.NestedField field = struct.fields().get(tag + 1);
        record.set(tag + 1, toIcebergValue(value, union.getTypes().get(branch), field.type()));
        return record;
    }

    private static Object unionToAvro(Record value, Schema union) {
        int tag = (Integer) value.get(0);
        int seen = -1;
        for (Schema branch : union.getTypes()) {
            if (branch.getType() != Schema.Type.NULL && ++seen == tag) {
                Types.NestedField field = value.struct().fields().get(tag + 1);
                return toAvroValue(value.get(tag + 1), field.type(), branch);
            }
        }
        throw new IllegalArgumentException("union tag " + tag + " out of range for " + union);
    }

    private static Instant instantOf(Object value, LogicalType logical) {
        if (value instanceof Instant instant) {
            return instant;
        }
        if (value instanceof LocalDateTime local) {
            return local.toInstant(ZoneOffset.UTC);
        }
        long units = ((Number) value).longValue();
        if (logical instanceof LogicalTypes.TimestampMicros || logical instanceof LogicalTypes.LocalTimestampMicros) {
            return Instant.EPOCH.plus(units, ChronoUnit.MICROS);
        }
        // timestamp-millis, or a plain long of epoch milliseconds (onepipe's event-time convention)
        return Instant.ofEpochMilli(units);
    }

    private static byte[] bytesOf(Object value) {
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        if (value instanceof GenericFixed fixed) {
            return fixed.bytes();
        }
        if (value instanceof ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return bytes;
        }
        if (value instanceof GenericEnumSymbol<?> || value instanceof CharSequence) {
            throw new IllegalArgumentException("a text value where bytes are expected: " + value);
        }
        throw new IllegalArgumentException("cannot read bytes from a " + value.getClass().getName());
    }
}
