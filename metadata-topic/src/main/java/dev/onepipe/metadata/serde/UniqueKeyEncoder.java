package dev.onepipe.metadata.serde;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.onepipe.metadata.DatasetMetadata;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;

/**
 * The canonical Kafka record key of a dataset record, derived from its unique-key fields. Other modules re-key by it,
 * so it is defined exactly:
 *
 * <p>The <em>string form</em> of a field value is: a string or enum symbol as is; an int or long (including the date,
 * time and timestamp logical types, as the underlying Avro number) in decimal, with a leading {@code -} when
 * negative and no leading zeros; a boolean as {@code true} or {@code false}.
 *
 * <p>With one unique-key field, the key is the UTF-8 encoding of its string form: {@code widget_id = "w-1"} gives
 * {@code w-1}. With several, each field in the declared order contributes the decimal byte length of its UTF-8 string
 * form, a colon, and those bytes, with nothing between fields: ({@code "w-1"}, {@code "eu"}) gives {@code 3:w-12:eu}.
 * The length prefixes make the encoding unambiguous whatever the values contain. A null key field is an error.
 */
public final class UniqueKeyEncoder {

    private final List<String> fields;
    private volatile Positions positions;

    public UniqueKeyEncoder(List<String> fields) {
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("a unique key needs at least one field");
        }
        this.fields = List.copyOf(fields);
    }

    public static UniqueKeyEncoder forDataset(DatasetMetadata metadata) {
        return new UniqueKeyEncoder(metadata.uniqueKey());
    }

    public List<String> fields() {
        return fields;
    }

    /**
     * The key of a record, as a string whose UTF-8 bytes are the canonical key.
     *
     * @throws IllegalArgumentException when a key field is missing from the record's schema, null, or of a type a
     *                                  unique key cannot have
     */
    public String encode(IndexedRecord record) {
        Positions current = positionsFor(record.getSchema());
        if (fields.size() == 1) {
            return stringForm(fields.get(0), record.get(current.positions[0]), current.schemas[0]);
        }
        List<String> forms = new ArrayList<>(fields.size());
        for (int index = 0; index < fields.size(); index++) {
            forms.add(stringForm(fields.get(index), record.get(current.positions[index]), current.schemas[index]));
        }
        return join(forms);
    }

    public byte[] encodeToBytes(IndexedRecord record) {
        return encode(record).getBytes(StandardCharsets.UTF_8);
    }

    /** The canonical key from the string forms of the key fields, in declared order (for keys computed elsewhere). */
    public static String join(List<String> stringForms) {
        if (stringForms.size() == 1) {
            return stringForms.get(0);
        }
        StringBuilder key = new StringBuilder();
        for (String form : stringForms) {
            key.append(form.getBytes(StandardCharsets.UTF_8).length).append(':').append(form);
        }
        return key.toString();
    }

    /** The string form of a unique-key value; {@code fieldSchema} decides how logical-type objects are numbered. */
    public static String stringForm(String field, Object value, Schema fieldSchema) {
        if (value == null) {
            throw new IllegalArgumentException("unique-key field '" + field + "' is null");
        }
        if (value instanceof CharSequence || value instanceof GenericEnumSymbol || value instanceof UUID) {
            return value.toString();
        }
        if (value instanceof Integer || value instanceof Long) {
            return Long.toString(((Number) value).longValue());
        }
        if (value instanceof Boolean) {
            return value.toString();
        }
        if (value instanceof Enum) {
            return ((Enum<?>) value).name();
        }
        LogicalType logicalType = fieldSchema == null ? null : fieldSchema.getLogicalType();
        String logicalName = logicalType == null ? "" : logicalType.getName();
        if (value instanceof Instant) {
            Instant instant = (Instant) value;
            return logicalName.endsWith("micros")
                ? Long.toString(ChronoUnit.MICROS.between(Instant.EPOCH, instant))
                : Long.toString(instant.toEpochMilli());
        }
        if (value instanceof LocalDate) {
            return Long.toString(((LocalDate) value).toEpochDay());
        }
        if (value instanceof LocalTime) {
            long nanos = ((LocalTime) value).toNanoOfDay();
            return Long.toString(logicalName.endsWith("micros") ? nanos / 1_000L : nanos / 1_000_000L);
        }
        throw new IllegalArgumentException("unique-key field '" + field + "' holds a " + value.getClass().getName()
            + "; a unique key must be a string, int, long, boolean or enum");
    }

    private Positions positionsFor(Schema schema) {
        Positions current = positions;
        if (current != null && current.schema == schema) {
            return current;
        }
        int[] fieldPositions = new int[fields.size()];
        Schema[] fieldSchemas = new Schema[fields.size()];
        for (int index = 0; index < fields.size(); index++) {
            Schema.Field field = schema.getField(fields.get(index));
            if (field == null) {
                throw new IllegalArgumentException("unique-key field '" + fields.get(index) + "' is not in schema "
                    + schema.getFullName());
            }
            fieldPositions[index] = field.pos();
            fieldSchemas[index] = field.schema();
        }
        Positions created = new Positions(schema, fieldPositions, fieldSchemas);
        positions = created;
        return created;
    }

    private static final class Positions {

        private final Schema schema;
        private final int[] positions;
        private final Schema[] schemas;

        Positions(Schema schema, int[] positions, Schema[] schemas) {
            this.schema = schema;
            this.positions = positions;
            this.schemas = schemas;
        }
    }
}
