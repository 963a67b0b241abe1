package dev.onepipe.core.dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How {@link DatasetStreams#stream(String, Ingest)} reads a dataset, beyond {@link DatasetStreams#stream(String)}:
 *
 * <pre>{@code
 * datasets.stream("ad-views", Ingest.named("views").inEventTime());
 * datasets.stream("ysb-events", Ingest.named("ysb").fields(List.of("ad_id", "event_type", "event_time")).inEventTime());
 * }</pre>
 *
 * @param name      names the ingest's processors ({@code <name>-source}, {@code <name>-decode}) and tags its
 *                  {@link DroppedRecordMetrics} (stream {@code <name>})
 * @param fields    the only fields to decode (Avro skips the others), empty for every field
 * @param eventTime whether each record's timestamp becomes the value of the dataset's {@code eventTimeField}
 */
public record Ingest(String name, List<String> fields, boolean eventTime) {

    public Ingest {
        Objects.requireNonNull(name, "name");
        fields = List.copyOf(fields);
    }

    /** Every field, record timestamps as the producer set them. */
    public static Ingest named(String name) {
        return new Ingest(name, List.of(), false);
    }

    /** Decodes only {@code fieldNames} (the event-time field is added when reading in event time). */
    public Ingest fields(List<String> fieldNames) {
        return new Ingest(name, fieldNames, eventTime);
    }

    /**
     * Stamps each record with its dataset's event time (windows and joins then work in event time, whatever timestamp
     * the producer set); a dataset without an {@code eventTimeField}, or a record whose field is null, keeps its
     * timestamp.
     */
    public Ingest inEventTime() {
        return new Ingest(name, fields, true);
    }

    /** The fields to decode with {@code eventTimeField} among them; empty for every field. */
    List<String> fieldsWith(String eventTimeField) {
        if (fields.isEmpty() || eventTimeField == null || fields.contains(eventTimeField)) {
            return fields;
        }
        List<String> withEventTime = new ArrayList<>(fields);
        withEventTime.add(eventTimeField);
        return withEventTime;
    }
}
