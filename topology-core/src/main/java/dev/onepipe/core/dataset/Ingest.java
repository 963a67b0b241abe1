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
 * datasets.stream("widgets", Ingest.named("widgets").readingNewestVersion().keepingTombstones());
 * }</pre>
 *
 * @param name          names the ingest's processors ({@code <name>-source}, {@code <name>-decode}) and tags its
 *                      {@link DroppedRecordMetrics} (stream {@code <name>})
 * @param fields        the only fields to decode (Avro skips the others), empty for every field
 * @param eventTime     whether each record's timestamp becomes the value of the dataset's {@code eventTimeField}
 * @param newestVersion whether records are read as the newest schema version registered so far (followed while the
 *                      topology runs) instead of the latest version when the topology was built
 * @param tombstones    whether a record without a value (a tombstone) goes on with a null value instead of to the
 *                      dead letters
 */
public record Ingest(String name, List<String> fields, boolean eventTime, boolean newestVersion, boolean tombstones) {

    public Ingest {
        Objects.requireNonNull(name, "name");
        fields = List.copyOf(fields);
        if (newestVersion && !fields.isEmpty()) {
            throw new IllegalArgumentException("Ingest '" + name + "' reads the newest schema version, which reads every field: "
                    + "drop fields(" + fields + ") or readingNewestVersion()");
        }
    }

    /** Every field, record timestamps as the producer set them, as the latest schema version at build time. */
    public static Ingest named(String name) {
        return new Ingest(name, List.of(), false, false, false);
    }

    /** Decodes only {@code fieldNames} (the event-time field is added when reading in event time). */
    public Ingest fields(List<String> fieldNames) {
        return new Ingest(name, fieldNames, eventTime, newestVersion, tombstones);
    }

    /**
     * Stamps each record with its dataset's event time (windows and joins then work in event time, whatever timestamp
     * the producer set); a dataset without an {@code eventTimeField}, or a record whose field is null, keeps its
     * timestamp.
     */
    public Ingest inEventTime() {
        return new Ingest(name, fields, true, newestVersion, tombstones);
    }

    /**
     * Reads every record as the newest version of the dataset's schema seen so far, through the dataset's
     * {@link NewestVersionSerde} ({@link DatasetStreams#newestVersionSerde(String)}): a compatible version registered
     * while the topology runs reaches its output without a restart, and records of earlier versions get the new
     * fields' defaults. Reads every field, so it does not combine with {@link #fields(List)}.
     */
    public Ingest readingNewestVersion() {
        return new Ingest(name, fields, eventTime, true, tombstones);
    }

    /**
     * Lets a record without a value (a tombstone, a deletion in an upsert dataset) go on with a null value, at its own
     * timestamp, instead of going to the dead letters as {@code NULL_VALUE}.
     */
    public Ingest keepingTombstones() {
        return new Ingest(name, fields, eventTime, newestVersion, true);
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
