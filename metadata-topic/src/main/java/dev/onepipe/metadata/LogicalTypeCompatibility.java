package dev.onepipe.metadata;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * The logical-type half of a compatibility check, which Avro's {@code SchemaCompatibility} does not do: it resolves
 * only the underlying types, so {@code decimal(9,2)} read as {@code decimal(9,4)} is "compatible" and a stored
 * {@code 12.34} reads as {@code 0.1234}.
 *
 * <p>The reading and the writing schema are walked side by side the way Avro resolves them (record fields by name or
 * reader alias, array items, map values, a writer's union branch by branch, a reader's union by the branch Avro would
 * pick: the first of the same type, else the first it can promote to). Wherever both sides are the same primitive,
 * fixed or promotable types, their logical types must agree by this rule:
 * <ul>
 *   <li>the same logical type with the same attributes: allowed;</li>
 *   <li>a {@code decimal} whose scale is unchanged and whose precision is equal or larger in the reader: allowed
 *       (the stored unscaled integer times 10<sup>-scale</sup> is unchanged and the reader can hold every value);</li>
 *   <li>anything else is forbidden: adding, removing or changing a logical type, or a decimal's scale, changes what
 *       the stored number or bytes mean (days vs epoch millis, millis vs micros, UTC vs local time, a scale of 2 vs 4),
 *       and a smaller decimal precision cannot hold every stored value.</li>
 * </ul>
 * A logical type Avro does not know (a custom {@code logicalType} attribute) is compared by its name.
 */
public final class LogicalTypeCompatibility {

    /**
     * Where the reader would read a stored value with a different meaning, and why.
     *
     * @param location JSON-pointer location in the reading schema, as Avro's own incompatibilities give it
     * @param detail   the two logical types, e.g. {@code reader decimal(9,4), writer decimal(9,2)}
     */
    public record Mismatch(String location, String detail) {
    }

    private LogicalTypeCompatibility() {
    }

    /**
     * @param reader the schema reading the data
     * @param writer the schema the data was written with
     * @return every position where the two disagree on a logical type; empty when they agree
     */
    public static List<Mismatch> check(Schema reader, Schema writer) {
        List<Mismatch> mismatches = new ArrayList<>();
        walk(reader, writer, "", new HashSet<>(), mismatches);
        return mismatches;
    }

    private static void walk(Schema reader, Schema writer, String location,
                             Set<String> visitedRecords, List<Mismatch> mismatches) {
        if (writer.getType() == Schema.Type.UNION) {
            for (Schema branch : writer.getTypes()) {
                walk(reader, branch, location, visitedRecords, mismatches);
            }
            return;
        }
        if (reader.getType() == Schema.Type.UNION) {
            int branch = readerBranch(reader, writer);
            if (branch >= 0) {
                walk(reader.getTypes().get(branch), writer, location + "/" + branch, visitedRecords, mismatches);
            }
            return;
        }
        switch (reader.getType()) {
            case RECORD:
                if (writer.getType() == Schema.Type.RECORD
                    && visitedRecords.add(reader.getFullName() + "<" + writer.getFullName())) {
                    List<Schema.Field> fields = reader.getFields();
                    for (int position = 0; position < fields.size(); position++) {
                        Schema.Field writerField = writerField(fields.get(position), writer);
                        if (writerField != null) {
                            walk(fields.get(position).schema(), writerField.schema(),
                                location + "/fields/" + position + "/type", visitedRecords, mismatches);
                        }
                    }
                }
                return;
            case ARRAY:
                if (writer.getType() == Schema.Type.ARRAY) {
                    walk(reader.getElementType(), writer.getElementType(), location + "/items", visitedRecords,
                        mismatches);
                }
                return;
            case MAP:
                if (writer.getType() == Schema.Type.MAP) {
                    walk(reader.getValueType(), writer.getValueType(), location + "/values", visitedRecords,
                        mismatches);
                }
                return;
            default:
                if (resolvable(reader.getType(), writer.getType()) && !allowed(reader, writer)) {
                    mismatches.add(new Mismatch(location, "reader " + describe(reader) + ", writer " + describe(writer)));
                }
        }
    }

    private static boolean allowed(Schema reader, Schema writer) {
        LogicalType readerType = reader.getLogicalType();
        LogicalType writerType = writer.getLogicalType();
        if (readerType instanceof LogicalTypes.Decimal && writerType instanceof LogicalTypes.Decimal) {
            LogicalTypes.Decimal readerDecimal = (LogicalTypes.Decimal) readerType;
            LogicalTypes.Decimal writerDecimal = (LogicalTypes.Decimal) writerType;
            return readerDecimal.getScale() == writerDecimal.getScale()
                && readerDecimal.getPrecision() >= writerDecimal.getPrecision();
        }
        return Objects.equals(logicalType(reader), logicalType(writer));
    }

    /** The logical type with its attributes, {@code null} when there is none. */
    private static String logicalType(Schema schema) {
        LogicalType logicalType = schema.getLogicalType();
        if (logicalType instanceof LogicalTypes.Decimal) {
            LogicalTypes.Decimal decimal = (LogicalTypes.Decimal) logicalType;
            return "decimal(" + decimal.getPrecision() + "," + decimal.getScale() + ")";
        }
        return logicalType != null ? logicalType.getName() : schema.getProp(LogicalType.LOGICAL_TYPE_PROP);
    }

    /** The logical type as users write it, {@code decimal(9,2)}, {@code timestamp-millis}, or "no logical type". */
    static String describe(Schema schema) {
        String logicalType = logicalType(schema);
        return logicalType == null ? "no logical type (" + schema.getType().getName() + ")" : logicalType;
    }

    private static Schema.Field writerField(Schema.Field readerField, Schema writer) {
        Schema.Field byName = writer.getField(readerField.name());
        if (byName != null) {
            return byName;
        }
        for (String alias : readerField.aliases()) {
            Schema.Field byAlias = writer.getField(alias);
            if (byAlias != null) {
                return byAlias;
            }
        }
        return null;
    }

    /** The reader branch Avro resolves a writer value into: the first of the same type, else the first promotion. */
    private static int readerBranch(Schema readerUnion, Schema writer) {
        List<Schema> branches = readerUnion.getTypes();
        for (int index = 0; index < branches.size(); index++) {
            Schema branch = branches.get(index);
            if (branch.getType() == writer.getType()
                && (!isNamed(branch) || branch.getFullName().equals(writer.getFullName())
                    || branch.getAliases().contains(writer.getFullName()))) {
                return index;
            }
        }
        for (int index = 0; index < branches.size(); index++) {
            if (resolvable(branches.get(index).getType(), writer.getType())) {
                return index;
            }
        }
        return -1;
    }

    private static boolean isNamed(Schema schema) {
        return schema.getType() == Schema.Type.RECORD || schema.getType() == Schema.Type.ENUM
            || schema.getType() == Schema.Type.FIXED;
    }

    /** Same type, or a promotion of the Avro spec's "Schema Resolution" section. */
    private static boolean resolvable(Schema.Type reader, Schema.Type writer) {
        if (reader == writer) {
            return true;
        }
        switch (writer) {
            case INT:
                return reader == Schema.Type.LONG || reader == Schema.Type.FLOAT || reader == Schema.Type.DOUBLE;
            case LONG:
                return reader == Schema.Type.FLOAT || reader == Schema.Type.DOUBLE;
            case FLOAT:
                return reader == Schema.Type.DOUBLE;
            case STRING:
                return reader == Schema.Type.BYTES;
            case BYTES:
                return reader == Schema.Type.STRING;
            default:
                return false;
        }
    }
}
