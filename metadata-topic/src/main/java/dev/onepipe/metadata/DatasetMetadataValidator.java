package dev.onepipe.metadata;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * Checks dataset metadata against the dataset's value schema: every field it names must be a top-level field of the
 * record with a type that fits its role, and a new schema version may not drop or retype a unique-key field.
 *
 * <p>Roles and the types they accept: unique key: string, int, long, boolean or enum, not nullable (it is the record
 * key, see {@code UniqueKeyEncoder}); ordering and LATEST_BY_FIELD: string, int, long, float, double, boolean or enum,
 * optionally nullable; event time: long (epoch milliseconds or a timestamp logical type), optionally nullable;
 * VECTOR_CLOCK: a map of int or long; SUM: int, long, float, double or decimal; MIN and MAX: like ordering.
 */
public final class DatasetMetadataValidator {

    private static final Set<Schema.Type> KEY_TYPES =
        EnumSet.of(Schema.Type.STRING, Schema.Type.INT, Schema.Type.LONG, Schema.Type.BOOLEAN, Schema.Type.ENUM);
    private static final Set<Schema.Type> ORDERABLE_TYPES = EnumSet.of(Schema.Type.STRING, Schema.Type.INT,
        Schema.Type.LONG, Schema.Type.FLOAT, Schema.Type.DOUBLE, Schema.Type.BOOLEAN, Schema.Type.ENUM);
    private static final Set<Schema.Type> NUMERIC_TYPES =
        EnumSet.of(Schema.Type.INT, Schema.Type.LONG, Schema.Type.FLOAT, Schema.Type.DOUBLE);

    private DatasetMetadataValidator() {
    }

    /** Every problem with this metadata for this value schema; empty when they fit together. */
    public static List<String> validate(DatasetMetadata metadata, Schema valueSchema) {
        List<String> problems = new ArrayList<>();
        if (valueSchema.getType() != Schema.Type.RECORD) {
            problems.add("the value schema of dataset '" + metadata.name() + "' must be a record, got "
                + valueSchema.getType().getName());
            return problems;
        }
        for (String field : metadata.uniqueKey()) {
            Schema type = fieldType(valueSchema, field, "unique-key", problems);
            if (type != null && !KEY_TYPES.contains(type.getType())) {
                problems.add("unique-key field '" + field + "' has type " + describe(type)
                    + "; a unique-key field must be a non-null string, int, long, boolean or enum");
            }
        }
        for (String field : metadata.ordering()) {
            requireOrderable(valueSchema, field, "ordering", problems);
        }
        metadata.eventTimeField().ifPresent(field -> {
            Schema type = fieldType(valueSchema, field, "event-time", problems);
            if (type != null && nonNull(type).getType() != Schema.Type.LONG) {
                problems.add("event-time field '" + field + "' has type " + describe(type)
                    + "; it must be a long (epoch milliseconds or a timestamp logical type)");
            }
        });
        MergeStrategy merge = metadata.merge();
        merge.field().ifPresent(field -> {
            if (merge.kind() == MergeStrategy.Kind.LATEST_BY_FIELD) {
                requireOrderable(valueSchema, field, "merge (LATEST_BY_FIELD)", problems);
            } else if (merge.kind() == MergeStrategy.Kind.VECTOR_CLOCK) {
                Schema type = fieldType(valueSchema, field, "merge (VECTOR_CLOCK)", problems);
                if (type != null && (nonNull(type).getType() != Schema.Type.MAP
                    || !EnumSet.of(Schema.Type.INT, Schema.Type.LONG).contains(nonNull(type).getValueType().getType()))) {
                    problems.add("merge (VECTOR_CLOCK) field '" + field + "' has type " + describe(type)
                        + "; a vector clock must be a map of int or long counters");
                }
            }
        });
        for (ReconciliationCheck check : metadata.reconciliation()) {
            check.field().ifPresent(field -> {
                String role = "reconciliation '" + check.name() + "' (" + check.kind() + ")";
                if (check.kind() == ReconciliationCheck.Kind.SUM) {
                    Schema type = fieldType(valueSchema, field, role, problems);
                    if (type != null && !NUMERIC_TYPES.contains(nonNull(type).getType()) && !isDecimal(nonNull(type))) {
                        problems.add(role + " field '" + field + "' has type " + describe(type)
                            + "; SUM needs an int, long, float, double or decimal field");
                    }
                } else if (check.kind() == ReconciliationCheck.Kind.MIN || check.kind() == ReconciliationCheck.Kind.MAX) {
                    requireOrderable(valueSchema, field, role, problems);
                } else {
                    fieldType(valueSchema, field, role, problems);
                }
            });
        }
        return problems;
    }

    /**
     * Problems with a schema evolution for a dataset: a unique-key field of the current metadata that the previous
     * schema has must still exist in the candidate, with the same type.
     */
    public static List<String> validateEvolution(DatasetMetadata metadata, Schema previous,
                                                 Schema candidate) {
        List<String> problems = new ArrayList<>();
        if (previous.getType() != Schema.Type.RECORD || candidate.getType() != Schema.Type.RECORD) {
            return problems;
        }
        for (String field : metadata.uniqueKey()) {
            Schema.Field before = previous.getField(field);
            if (before == null) {
                continue;
            }
            Schema.Field after = candidate.getField(field);
            if (after == null) {
                problems.add("unique-key field '" + field + "' of dataset '" + metadata.name()
                    + "' was dropped; a new schema version may not drop a unique-key field");
            } else if (!SchemaIdentity.of(before.schema()).equals(SchemaIdentity.of(after.schema()))) {
                problems.add("unique-key field '" + field + "' of dataset '" + metadata.name() + "' changed type from "
                    + describe(before.schema()) + " to " + describe(after.schema())
                    + "; a new schema version may not retype a unique-key field");
            }
        }
        return problems;
    }

    private static void requireOrderable(Schema valueSchema, String field, String role,
                                         List<String> problems) {
        Schema type = fieldType(valueSchema, field, role, problems);
        if (type != null && !ORDERABLE_TYPES.contains(nonNull(type).getType())) {
            problems.add(role + " field '" + field + "' has type " + describe(type)
                + "; it must be a string, int, long, float, double, boolean or enum (optionally nullable)");
        }
    }

    private static Schema fieldType(Schema valueSchema, String field, String role,
                                    List<String> problems) {
        Schema.Field schemaField = valueSchema.getField(field);
        if (schemaField == null) {
            problems.add(role + " field '" + field + "' does not exist in schema " + valueSchema.getFullName());
            return null;
        }
        return schemaField.schema();
    }

    /** The non-null branch of a nullable union {@code ["null", T]}; the type itself otherwise. */
    static Schema nonNull(Schema type) {
        if (type.getType() != Schema.Type.UNION) {
            return type;
        }
        List<Schema> branches = new ArrayList<>();
        for (Schema branch : type.getTypes()) {
            if (branch.getType() != Schema.Type.NULL) {
                branches.add(branch);
            }
        }
        return branches.size() == 1 ? branches.get(0) : type;
    }

    private static boolean isDecimal(Schema type) {
        LogicalType logicalType = type.getLogicalType();
        return logicalType instanceof LogicalTypes.Decimal;
    }

    private static String describe(Schema type) {
        if (type.getType() == Schema.Type.UNION) {
            List<String> branches = new ArrayList<>();
            type.getTypes().forEach(branch -> branches.add(describe(branch)));
            return branches.toString();
        }
        LogicalType logicalType = type.getLogicalType();
        String name = type.getType() == Schema.Type.RECORD || type.getType() == Schema.Type.ENUM
            || type.getType() == Schema.Type.FIXED ? type.getType().getName() + " " + type.getFullName()
            : type.getType().getName();
        return logicalType == null ? name : name + " (" + logicalType.getName() + ")";
    }
}
