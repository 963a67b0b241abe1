package dev.onepipe.metadata.serde;

import java.io.IOException;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.UnresolvedUnionException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.Encoder;

/**
 * A {@link GenericDatumWriter} that validates while it writes, in the same single pass: every value must have the Java
 * type the schema demands (the checks of {@code GenericData.validate}: Avro's writer alone would silently narrow a
 * long into an int field, truncate an oversized fixed, or write a record of another schema by field position), and
 * any failure is raised as an {@link InvalidDatumException} naming the field path. A separate validation pass would
 * walk every record twice.
 *
 * <p>Thread-safe, like the writer it extends: the only state is a small copy-on-write list of record schemas found
 * equal to the expected ones, so {@link Schema#equals} runs once per schema object rather than once per record.
 */
final class ValidatingDatumWriter extends GenericDatumWriter<Object> {

    private static final int MAXIMUM_REMEMBERED_SCHEMAS = 64;

    private volatile Schema[][] knownEqualSchemas = new Schema[0][];

    ValidatingDatumWriter(Schema schema, GenericData data) {
        super(schema, data);
    }

    @Override
    protected void writeWithoutConversion(Schema schema, Object datum, Encoder out) throws IOException {
        // only where Avro's writer would be lenient: it narrows any Number, ignores the value of a null type, and
        // truncates a long fixed; every other wrong type already fails a cast inside the writer
        Schema.Type type = schema.getType();
        if (datum == null) {
            expect(type == Schema.Type.NULL || type == Schema.Type.UNION, schema, null);
        } else {
            switch (type) {
                case INT:
                    expect(datum instanceof Integer, schema, datum);
                    break;
                case LONG:
                    expect(datum instanceof Long, schema, datum);
                    break;
                case FLOAT:
                    expect(datum instanceof Float, schema, datum);
                    break;
                case DOUBLE:
                    expect(datum instanceof Double, schema, datum);
                    break;
                case NULL:
                    expect(false, schema, datum);
                    break;
                case FIXED:
                    expect(datum instanceof GenericFixed && ((GenericFixed) datum).bytes().length == schema.getFixedSize(),
                        schema, datum);
                    break;
                default:
                    break;
            }
        }
        super.writeWithoutConversion(schema, datum, out);
    }

    @Override
    protected void writeRecord(Schema schema, Object datum, Encoder out) throws IOException {
        if (!(datum instanceof IndexedRecord)) {
            throw new InvalidDatumException("expected record " + schema.getFullName() + ", got " + describe(datum));
        }
        Schema actual = ((IndexedRecord) datum).getSchema();
        if (actual != schema && !isKnownEqual(actual, schema)) {
            throw new InvalidDatumException("expected a record of schema " + schema.getFullName()
                + ", got a record of a different schema " + actual.getFullName()
                + " (its fields would be written by position)");
        }
        super.writeRecord(schema, datum, out);
    }

    @Override
    protected void writeField(Object datum, Schema.Field field, Encoder out, Object state)
        throws IOException {
        try {
            super.writeField(datum, field, out, state);
        } catch (InvalidDatumException exception) {
            throw exception.inField(field.name());
        } catch (UnresolvedUnionException exception) {
            throw new InvalidDatumException("value " + describe(exception.getUnresolvedDatum())
                + " matches no branch of union " + field.schema()).inField(field.name());
        } catch (NullPointerException | ClassCastException | AvroRuntimeException exception) {
            throw new InvalidDatumException(String.valueOf(exception.getMessage())).inField(field.name());
        }
    }

    @Override
    protected void writeArray(Schema schema, Object datum, Encoder out) throws IOException {
        try {
            super.writeArray(schema, datum, out);
        } catch (InvalidDatumException exception) {
            throw exception.inContainer("[]");
        }
    }

    @Override
    protected void writeMap(Schema schema, Object datum, Encoder out) throws IOException {
        try {
            super.writeMap(schema, datum, out);
        } catch (InvalidDatumException exception) {
            throw exception.inContainer("{}");
        }
    }

    private static void expect(boolean conforms, Schema schema, Object datum) {
        if (!conforms) {
            throw new InvalidDatumException(datum == null
                ? "null value where " + typeName(schema) + " is required (the type is not nullable)"
                : "expected " + typeName(schema) + ", got " + describe(datum));
        }
    }

    private boolean isKnownEqual(Schema actual, Schema expected) {
        Schema[][] known = knownEqualSchemas;
        for (Schema[] pair : known) {
            if (pair[0] == actual && pair[1] == expected) {
                return true;
            }
        }
        if (!actual.equals(expected)) {
            return false;
        }
        if (known.length < MAXIMUM_REMEMBERED_SCHEMAS) {
            Schema[][] grown = java.util.Arrays.copyOf(known, known.length + 1);
            grown[known.length] = new Schema[] {actual, expected};
            knownEqualSchemas = grown;
        }
        return true;
    }

    private static String typeName(Schema schema) {
        switch (schema.getType()) {
            case FIXED:
                return "fixed " + schema.getFullName() + " of " + schema.getFixedSize() + " bytes";
            case RECORD:
            case ENUM:
                return schema.getType().getName() + " " + schema.getFullName();
            default:
                return schema.getType().getName();
        }
    }

    static String describe(Object datum) {
        if (datum == null) {
            return "null";
        }
        String text = String.valueOf(datum);
        return datum.getClass().getName() + " " + (text.length() > 60 ? text.substring(0, 60) + "..." : text);
    }
}
