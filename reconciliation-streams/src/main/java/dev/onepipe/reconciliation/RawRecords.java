package dev.onepipe.reconciliation;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.kafka.common.header.Header;

/**
 * One system's raw records of a topic, as read: per {@link RawBucket}, the (offset, {@link RecordHash}) of every
 * record whose timestamp lies in {@code [from, to)}. The topic and the raw archive are each read into one of these,
 * then compared bucket by bucket.
 */
public final class RawRecords {

    private final long fromMs;
    private final long toMs;
    private final RecordHash hash = new RecordHash();
    private final Map<RawBucket, OffsetHashes> buckets = new TreeMap<>();
    private long records;
    // the bucket of the last record: a partition's records come in time order, so most records need no map lookup
    private int lastPartition = -1;
    private long lastHour = Long.MIN_VALUE;
    private OffsetHashes lastHashes;

    /**
     * @param from first record time taken (inclusive); empty for no lower bound
     * @param to   record time at which to stop (exclusive); empty for no upper bound
     */
    public RawRecords(Optional<Instant> from, Optional<Instant> to) {
        this.fromMs = from.map(Instant::toEpochMilli).orElse(Long.MIN_VALUE);
        this.toMs = to.map(Instant::toEpochMilli).orElse(Long.MAX_VALUE);
    }

    /** An empty one with the same time range. */
    RawRecords emptyCopy() {
        return new RawRecords(fromMs, toMs);
    }

    private RawRecords(long fromMs, long toMs) {
        this.fromMs = fromMs;
        this.toMs = toMs;
    }

    /** Every record, whatever its time. */
    public RawRecords() {
        this(Optional.empty(), Optional.empty());
    }

    /** Takes one record (ignored when its time is outside the range); arguments as {@link RecordHash#hash}. */
    public void add(int partition, long offset, long timestamp, byte[] key, byte[] value, Iterable<Header> headers) {
        if (timestamp < fromMs || timestamp >= toMs) {
            return;
        }
        bucket(partition, timestamp).add(offset, hash.hash(offset, timestamp, key, value, headers));
        records++;
    }

    /**
     * Takes every record of {@code other} (read with the same time range, not yet sealed), as if added here after
     * the records already held.
     */
    public void addAll(RawRecords other) {
        other.buckets.forEach((bucket, hashes) -> buckets.computeIfAbsent(bucket, any -> new OffsetHashes()).addAll(hashes));
        records += other.records;
        lastPartition = -1;
    }

    private OffsetHashes bucket(int partition, long timestamp) {
        long hour = Math.floorDiv(timestamp, RawBucket.HOUR_MS);
        if (partition != lastPartition || hour != lastHour) {
            lastHashes = buckets.computeIfAbsent(new RawBucket(partition, hour), any -> new OffsetHashes());
            lastPartition = partition;
            lastHour = hour;
        }
        return lastHashes;
    }

    /** Takes one record with key and value as buffers (as a Parquet reader gives them); otherwise as {@link #add(int, long, long, byte[], byte[], Iterable)}. */
    public void addBuffers(int partition, long offset, long timestamp, ByteBuffer key, ByteBuffer value, Iterable<Header> headers) {
        if (timestamp < fromMs || timestamp >= toMs) {
            return;
        }
        bucket(partition, timestamp).add(offset, hash.hashBuffers(offset, timestamp, key, value, headers));
        records++;
    }

    /**
     * Takes one record with key and value as array ranges (length -1 for null, as {@link BinaryColumnPages} gives
     * them); otherwise as {@link #add(int, long, long, byte[], byte[], Iterable)}.
     */
    void addRanges(int partition, long offset, long timestamp, byte[] keyArray, int keyStart, int keyLength, byte[] valueArray, int valueStart,
                   int valueLength, Iterable<Header> headers) {
        if (timestamp < fromMs || timestamp >= toMs) {
            return;
        }
        bucket(partition, timestamp).add(offset, hash.hashRanges(offset, timestamp, keyArray, keyStart, keyLength, valueArray, valueStart,
                valueLength, headers));
        records++;
    }

    /** The buckets read, each sealed, in (partition, hour) order. */
    public Map<RawBucket, OffsetHashes> buckets() {
        buckets.values().forEach(OffsetHashes::seal);
        return Collections.unmodifiableMap(buckets);
    }

    /** The records taken so far. */
    public long records() {
        return records;
    }
}
