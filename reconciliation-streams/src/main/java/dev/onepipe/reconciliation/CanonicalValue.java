package dev.onepipe.reconciliation;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * One text form of a field value, whichever system it was read from, so a row of the clean topic (an Avro record read
 * with Avro's generic model) and the same row of the clean table (an Iceberg generic {@link Record}, columns converted
 * from the Avro schema by Iceberg's {@code AvroSchemaUtil}) give the same text and so the same hash.
 *
 * <p>The forms: {@code null}; strings and enum symbols {@code s:<text>}; integers {@code n:<decimal>}; floating point
 * {@code d:<Double.toString>}; decimals {@code m:<plain>}; booleans {@code b:<true|false>}; bytes and fixed
 * {@code x:<hex>}; timestamps {@code n:<ms since the epoch, UTC>} (Avro's {@code timestamp-millis} is that long;
 * Iceberg's {@code OffsetDateTime} or {@code LocalDateTime}, read as UTC, are truncated to it); dates
 * {@code n:<days since the epoch>}; times {@code n:<ms of the day>}; lists {@code [a,b]}; maps sorted by key
 * {@code {k=v,...}}; records {@code (name=value,...)} in field order.
 */
public final class CanonicalValue {

    private CanonicalValue() {
    }

    /** The text form of {@code value}. */
    public static String of(Object value) {
        StringBuilder text = new StringBuilder();
        append(text, value);
        return text.toString();
    }

    /** Milliseconds since the epoch of a timestamp value from either system (a {@code long}, {@code Instant}, ...). */
    public static long epochMillis(Object value) {
        if (value instanceof Number number) {
            return number.longValue();
        }
        if (value instanceof Instant instant) {
            return instant.toEpochMilli();
        }
        if (value instanceof OffsetDateTime time) {
            return time.toInstant().toEpochMilli();
        }
        if (value instanceof LocalDateTime time) {
            return time.toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        throw new IllegalArgumentException("Not a timestamp: " + value + " (" + value.getClass().getName() + ")");
    }

    /** A numeric value as a decimal, for SUM, MIN and MAX; null when the value is not a number. */
    public static BigDecimal number(Object value) {
        if (value instanceof BigDecimal decimal) {
            return decimal;
        }
        if (value instanceof Double || value instanceof Float) {
            return BigDecimal.valueOf(((Number) value).doubleValue());
        }
        if (value instanceof Number number) {
            return BigDecimal.valueOf(number.longValue());
        }
        if (value instanceof Instant || value instanceof OffsetDateTime || value instanceof LocalDateTime) {
            return BigDecimal.valueOf(epochMillis(value));
        }
        return null;
    }

    private static void append(StringBuilder text, Object value) {
        if (value == null) {
            text.append("null");
        } else if (value instanceof CharSequence || value instanceof GenericEnumSymbol<?>) {
            text.append("s:").append(value);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            text.append("n:").append(((Number) value).longValue());
        } else if (value instanceof Float || value instanceof Double) {
            text.append("d:").append(((Number) value).doubleValue());
        } else if (value instanceof BigDecimal decimal) {
            text.append("m:").append(decimal.toPlainString());
        } else if (value instanceof Boolean) {
            text.append("b:").append(value);
        } else if (value instanceof ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            text.append("x:").append(HexFormat.of().formatHex(bytes));
        } else if (value instanceof byte[] bytes) {
            text.append("x:").append(HexFormat.of().formatHex(bytes));
        } else if (value instanceof GenericFixed fixed) {
            text.append("x:").append(HexFormat.of().formatHex(fixed.bytes()));
        } else if (value instanceof Instant || value instanceof OffsetDateTime || value instanceof LocalDateTime) {
            text.append("n:").append(epochMillis(value));
        } else if (value instanceof LocalDate date) {
            text.append("n:").append(date.toEpochDay());
        } else if (value instanceof LocalTime time) {
            text.append("n:").append(time.toNanoOfDay() / 1_000_000);
        } else if (value instanceof List<?> list) {
            text.append('[');
            for (int index = 0; index < list.size(); index++) {
                text.append(index == 0 ? "" : ",");
                append(text, list.get(index));
            }
            text.append(']');
        } else if (value instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((key, entry) -> sorted.put(key.toString(), entry));
            text.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> entry : sorted.entrySet()) {
                text.append(first ? "" : ",").append(entry.getKey()).append('=');
                append(text, entry.getValue());
                first = false;
            }
            text.append('}');
        } else if (value instanceof IndexedRecord record) {
            text.append('(');
            List<Schema.Field> fields = record.getSchema().getFields();
            for (int index = 0; index < fields.size(); index++) {
                text.append(index == 0 ? "" : ",").append(fields.get(index).name()).append('=');
                append(text, record.get(index));
            }
            text.append(')');
        } else if (value instanceof Record record) {
            text.append('(');
            List<Types.NestedField> fields = record.struct().fields();
            for (int index = 0; index < fields.size(); index++) {
                text.append(index == 0 ? "" : ",").append(fields.get(index).name()).append('=');
                append(text, record.get(index));
            }
            text.append(')');
        } else if (value instanceof StructLike) {
            throw new IllegalArgumentException("Unsupported struct value " + value.getClass().getName());
        } else {
            text.append("?:").append(value);
        }
    }
}
