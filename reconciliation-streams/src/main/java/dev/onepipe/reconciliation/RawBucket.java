package dev.onepipe.reconciliation;

import java.time.Instant;

/**
 * A bucket of raw data: one partition's records of one record-time hour (UTC), the unit in which the raw archive
 * writes its objects (archive-streams/README.md, "What lands in S3").
 *
 * @param partition the partition
 * @param hour      the record-time hour, in hours since the epoch (UTC); {@code floor(timestamp ms / 3,600,000)}
 */
public record RawBucket(int partition, long hour) implements Comparable<RawBucket> {

    static final long HOUR_MS = 3_600_000L;

    /** The bucket of a record of {@code partition} with timestamp {@code timestampMs}. */
    public static RawBucket of(int partition, long timestampMs) {
        return new RawBucket(partition, Math.floorDiv(timestampMs, HOUR_MS));
    }

    /** The start of the hour. */
    public Instant start() {
        return Instant.ofEpochMilli(hour * HOUR_MS);
    }

    @Override
    public int compareTo(RawBucket other) {
        int byPartition = Integer.compare(partition, other.partition);
        return byPartition != 0 ? byPartition : Long.compare(hour, other.hour);
    }

    @Override
    public String toString() {
        return "partition " + partition + ", " + start().toString().substring(0, 13) + "h";
    }
}
