package dev.onepipe.testdata;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.avro.generic.GenericRecord;

/**
 * Expected results for a sequence of {@code widgets} records, computed with plain maps as records are added,
 * independently of any topology. Definitions, over the records in the order they were added (generation order):
 * <ul>
 *   <li><b>valid</b>: not corrupt. <b>Duplicate</b>: a valid record whose ({@code widget_id}, {@code version})
 *       appeared in an earlier valid record. <b>First send</b>: a valid record that is not a duplicate.</li>
 *   <li><b>out of order</b>: a first send whose {@code version} is lower than the version of an earlier
 *       first send of the same widget.</li>
 *   <li><b>late</b>: a first send whose {@code updated_at} is more than the grace period below the stream
 *       time, the largest {@code updated_at} of the first sends before it.</li>
 *   <li><b>latest record</b> of a widget: the valid record with the highest {@code version} (versions of one
 *       widget never tie between first sends, and duplicates are equal to their original).</li>
 *   <li><b>hour</b>: {@code floor(timestamp / 3,600,000) * 3,600,000}, the epoch milliseconds of the UTC hour.</li>
 * </ul>
 */
public final class WidgetTally {

    private static final long HOUR_MILLIS = 3_600_000L;

    private final long gracePeriodMillis;
    private final Map<String, Set<Long>> versionsSeen = new HashMap<>();
    private final Map<String, GenericRecord> latestRecords = new HashMap<>();
    private final SortedMap<Long, Long> recordsPerHour = new TreeMap<>();
    private final SortedMap<Long, Long> validRecordsPerHour = new TreeMap<>();
    private final SortedMap<Long, Set<String>> keysPerHour = new TreeMap<>();
    private final Map<CorruptionKind, Long> corruptCounts = new EnumMap<>(CorruptionKind.class);
    private long recordCount;
    private long corruptCount;
    private long duplicateCount;
    private long outOfOrderCount;
    private long lateCount;
    private long streamTimeMillis = Long.MIN_VALUE;

    public WidgetTally(final long gracePeriodMillis) {
        this.gracePeriodMillis = gracePeriodMillis;
    }

    public void add(final GeneratedRecord record) {
        if (!SampleDatasets.WIDGETS.equals(record.dataset())) {
            throw new IllegalArgumentException("Not a widgets record: " + record);
        }
        recordCount++;
        recordsPerHour.merge(hour(record.timestampMillis()), 1L, Long::sum);
        if (record.isCorrupt()) {
            corruptCount++;
            corruptCounts.merge(record.corruptionKind(), 1L, Long::sum);
            return;
        }
        final GenericRecord value = record.value();
        final String widgetId = value.get("widget_id").toString();
        final long version = (Long) value.get("version");
        final long updatedAt = (Long) value.get("updated_at");
        validRecordsPerHour.merge(hour(updatedAt), 1L, Long::sum);
        keysPerHour.computeIfAbsent(hour(updatedAt), hour -> new HashSet<>()).add(widgetId);

        final Set<Long> versions = versionsSeen.computeIfAbsent(widgetId, id -> new HashSet<>());
        if (!versions.add(version)) {
            duplicateCount++;
            return;
        }
        final GenericRecord latest = latestRecords.get(widgetId);
        if (latest == null || (Long) latest.get("version") < version) {
            latestRecords.put(widgetId, value);
        } else {
            outOfOrderCount++;
        }
        if (streamTimeMillis != Long.MIN_VALUE && updatedAt < streamTimeMillis - gracePeriodMillis) {
            lateCount++;
        }
        streamTimeMillis = Math.max(streamTimeMillis, updatedAt);
    }

    public long gracePeriodMillis() {
        return gracePeriodMillis;
    }

    /** All records added, corrupt ones included. */
    public long recordCount() {
        return recordCount;
    }

    public long validCount() {
        return recordCount - corruptCount;
    }

    public long corruptCount() {
        return corruptCount;
    }

    /** Corrupt records per kind; kinds that did not occur are absent. */
    public Map<CorruptionKind, Long> corruptCountsByKind() {
        return Collections.unmodifiableMap(new EnumMap<>(corruptCounts));
    }

    public long duplicateCount() {
        return duplicateCount;
    }

    public long firstSendCount() {
        return validCount() - duplicateCount;
    }

    public long outOfOrderCount() {
        return outOfOrderCount;
    }

    public long lateCount() {
        return lateCount;
    }

    /** Number of distinct widgets among valid records: the row count of a clean, merged copy. */
    public int distinctKeyCount() {
        return latestRecords.size();
    }

    /** Highest version per widget, sorted by widget id. */
    public SortedMap<String, Long> latestVersions() {
        final SortedMap<String, Long> versions = new TreeMap<>();
        latestRecords.forEach((widgetId, value) -> versions.put(widgetId, (Long) value.get("version")));
        return Collections.unmodifiableSortedMap(versions);
    }

    /** The record of the highest version per widget, sorted by widget id: what a LATEST_BY_FIELD merge keeps. */
    public SortedMap<String, GenericRecord> latestRecords() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(latestRecords));
    }

    /** All records (corrupt ones included) per hour of their timestamp: what a raw archive holds per hour. */
    public SortedMap<Long, Long> recordsPerHour() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(recordsPerHour));
    }

    /** Valid records (duplicates included) per hour of {@code updated_at}. */
    public SortedMap<Long, Long> validRecordsPerHour() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(validRecordsPerHour));
    }

    /** Distinct widget ids among valid records per hour of {@code updated_at}. */
    public SortedMap<Long, Integer> distinctKeysPerHour() {
        final SortedMap<Long, Integer> counts = new TreeMap<>();
        keysPerHour.forEach((hour, keys) -> counts.put(hour, keys.size()));
        return Collections.unmodifiableSortedMap(counts);
    }

    static long hour(final long timestampMillis) {
        return Math.floorDiv(timestampMillis, HOUR_MILLIS) * HOUR_MILLIS;
    }
}
