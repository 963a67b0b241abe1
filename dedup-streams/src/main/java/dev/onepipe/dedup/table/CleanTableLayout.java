package dev.onepipe.dedup.table;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.serde.UniqueKeyEncoder;
import org.apache.avro.Schema;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * How a dataset's clean table is laid out: its unique key, ordering and event-time fields and the Avro schema of its
 * rows, kept in the table's own properties ({@code onepipe.unique-key}, {@code onepipe.ordering},
 * {@code onepipe.event-time-field}, {@code onepipe.avro-schema}) so readers such as {@code onepipe clean verify} need
 * only the table.
 *
 * <p>Partitioning: {@code day(<event-time field>)} when the field is a timestamp; when it is a plain long of epoch
 * milliseconds, {@code truncate(86400000, <field>)} (Iceberg's truncate floors to a multiple of the width, so each
 * partition is one UTC day, named by its first millisecond). No event-time field: unpartitioned.
 */
public record CleanTableLayout(List<String> uniqueKey, List<String> ordering, Optional<String> eventTimeField,
                               Schema avroSchema) {

    public static final String UNIQUE_KEY = "onepipe.unique-key";
    public static final String ORDERING = "onepipe.ordering";
    public static final String EVENT_TIME_FIELD = "onepipe.event-time-field";
    public static final String AVRO_SCHEMA = "onepipe.avro-schema";
    public static final long MILLIS_PER_DAY = 86_400_000L;

    public CleanTableLayout {
        uniqueKey = List.copyOf(uniqueKey);
        ordering = List.copyOf(ordering);
        if (uniqueKey.isEmpty()) {
            throw new IllegalArgumentException("a clean table needs a unique key");
        }
    }

    /** The layout of {@code dataset}'s table for rows of {@code rowSchema}. */
    public static CleanTableLayout of(DatasetMetadata dataset, Schema rowSchema) {
        return new CleanTableLayout(dataset.uniqueKey(), dataset.ordering(), dataset.eventTimeField(), rowSchema);
    }

    /**
     * The layout recorded in a table's properties.
     *
     * @throws CleanTableException when the table was not written by onepipe (the properties are missing)
     */
    public static CleanTableLayout fromProperties(Map<String, String> properties) {
        String key = properties.get(UNIQUE_KEY);
        String schema = properties.get(AVRO_SCHEMA);
        if (key == null || schema == null) {
            throw new CleanTableException("the table has no " + UNIQUE_KEY + " / " + AVRO_SCHEMA
                    + " properties: it was not created by onepipe's dedup topology");
        }
        return new CleanTableLayout(split(key), split(properties.getOrDefault(ORDERING, "")),
                Optional.ofNullable(properties.get(EVENT_TIME_FIELD)).filter(value -> !value.isBlank()),
                new Schema.Parser().parse(schema));
    }

    private static List<String> split(String list) {
        return list.isBlank() ? List.of() : Arrays.stream(list.split(",")).map(String::trim).toList();
    }

    /** The table properties recording this layout. */
    public Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(UNIQUE_KEY, String.join(",", uniqueKey));
        properties.put(ORDERING, String.join(",", ordering));
        eventTimeField.ifPresent(field -> properties.put(EVENT_TIME_FIELD, field));
        properties.put(AVRO_SCHEMA, avroSchema.toString());
        return properties;
    }

    /** The same layout with the rows' schema replaced (after a schema evolution). */
    public CleanTableLayout withAvroSchema(Schema schema) {
        return new CleanTableLayout(uniqueKey, ordering, eventTimeField, schema);
    }

    /** {@code day(event time)}, {@code truncate(86400000, event time)} or unpartitioned (see the class comment). */
    public PartitionSpec partitionSpec(org.apache.iceberg.Schema schema) {
        if (eventTimeField.isEmpty()) {
            return PartitionSpec.unpartitioned();
        }
        String field = eventTimeField.get();
        Types.NestedField column = schema.findField(field);
        if (column == null) {
            throw new CleanTableException("the event-time field '" + field + "' is not a column of the table");
        }
        if (column.type().typeId() == org.apache.iceberg.types.Type.TypeID.TIMESTAMP) {
            return PartitionSpec.builderFor(schema).day(field).build();
        }
        if (column.type().typeId() == org.apache.iceberg.types.Type.TypeID.LONG) {
            // Iceberg's truncate width is an int: a day in milliseconds fits
            return PartitionSpec.builderFor(schema).truncate(field, (int) MILLIS_PER_DAY, field + "_day").build();
        }
        throw new CleanTableException("the event-time field '" + field + "' is a " + column.type()
                + "; a clean table partitions by a timestamp or an epoch-milliseconds long");
    }

    /** Ascending by the ordering fields, nulls first (Iceberg's default for ascending). */
    public SortOrder sortOrder(org.apache.iceberg.Schema schema) {
        if (ordering.isEmpty()) {
            return SortOrder.unsorted();
        }
        SortOrder.Builder builder = SortOrder.builderFor(schema);
        ordering.forEach(builder::asc);
        return builder.build();
    }

    /** The day a partition tuple of {@code spec} stands for; empty for the null partition and unpartitioned tables. */
    public static Optional<LocalDate> dayOf(PartitionSpec spec, StructLike partition) {
        if (spec.isUnpartitioned() || partition == null || partition.size() == 0) {
            return Optional.empty();
        }
        Object value = partition.get(0, Object.class);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Integer days) {
            return Optional.of(LocalDate.ofEpochDay(days));
        }
        return Optional.of(LocalDate.ofEpochDay(Math.floorDiv(((Number) value).longValue(), MILLIS_PER_DAY)));
    }

    /** The canonical unique key of a table row, exactly as {@link UniqueKeyEncoder} writes it for the same Avro row. */
    public String keyOf(Record row) {
        List<String> forms = new ArrayList<>(uniqueKey.size());
        for (String field : uniqueKey) {
            Schema.Field avroField = avroSchema.getField(field);
            Types.NestedField column = row.struct().field(field);
            if (avroField == null || column == null) {
                throw new CleanTableException("unique-key field '" + field + "' is not a column of the table");
            }
            Object avroValue = IcebergRows.toAvroValue(row.getField(field), column.type(), avroField.schema());
            forms.add(UniqueKeyEncoder.stringForm(field, avroValue, nonNull(avroField.schema())));
        }
        return UniqueKeyEncoder.join(forms);
    }

    private static Schema nonNull(Schema schema) {
        if (schema.getType() == Schema.Type.UNION) {
            Schema option = IcebergRows.optionOf(schema);
            return option == null ? schema : option;
        }
        return schema;
    }
}
