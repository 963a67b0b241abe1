package dev.onepipe.metadata;

import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;

/**
 * One reason a candidate schema is incompatible with a registered version: which field, which rule, and which
 * direction of the check (new schema reading old data, or old schema reading new data) failed.
 *
 * @param mode            the compatibility mode checked
 * @param direction       which schema read and which wrote in the failed check
 * @param existingVersion the registered version the candidate was checked against
 * @param fieldPath       the offending field as a dotted path in the reading schema ({@code []} marks array items,
 *                        {@code {}} map values)
 * @param location        Avro's JSON-pointer location in the reading schema, e.g. {@code /fields/2/type}
 * @param type            Avro's incompatibility type; {@code null} for a {@link #LOGICAL_TYPE_MISMATCH}
 * @param detail          Avro's own message for the incompatibility
 */
public record CompatibilityViolation(CompatibilityMode mode, Direction direction, int existingVersion, String fieldPath,
                                     String location, SchemaIncompatibilityType type, String detail) {

    /** Which schema reads and which writes in the failed check. */
    public enum Direction {
        NEW_SCHEMA_READS_OLD_DATA,
        OLD_SCHEMA_READS_NEW_DATA
    }

    /** {@link #kind()} of a violation found by {@link LogicalTypeCompatibility}, which Avro has no type for. */
    public static final String LOGICAL_TYPE_MISMATCH = "LOGICAL_TYPE_MISMATCH";

    /** Avro's incompatibility type name, or {@link #LOGICAL_TYPE_MISMATCH}. */
    public String kind() {
        return type == null ? LOGICAL_TYPE_MISMATCH : type.name();
    }

    /** The rule that was broken, in words. */
    public String rule() {
        if (type == null) {
            return "a logical type may not change what stored values mean: it must stay the same, except that a"
                + " decimal may grow its precision at the same scale";
        }
        switch (type) {
            case READER_FIELD_MISSING_DEFAULT_VALUE:
                return "a field the reader expects but the writer does not have must declare a default";
            case TYPE_MISMATCH:
                return "a field's type may only change to one Avro can promote it to "
                    + "(int to long, float or double; long to float or double; float to double; string and bytes)";
            case MISSING_ENUM_SYMBOLS:
                return "the reader's enum must contain every symbol the writer can write, or declare a default symbol";
            case MISSING_UNION_BRANCH:
                return "the reader's union must accept every branch of the writer's union";
            case NAME_MISMATCH:
                return "a named type (record, enum, fixed) must keep its name or list the old one as an alias";
            case FIXED_SIZE_MISMATCH:
                return "a fixed type must keep its size";
            default:
                return type.name();
        }
    }

    @Override
    public String toString() {
        String reader = direction == Direction.NEW_SCHEMA_READS_OLD_DATA
            ? "new schema reading data written with version " + existingVersion
            : "version " + existingVersion + " reading data written with the new schema";
        return "field '" + fieldPath + "': " + kind() + " (" + detail + ") breaks " + mode + " rule: " + rule()
            + " [" + reader + ", at " + location + "]";
    }
}
