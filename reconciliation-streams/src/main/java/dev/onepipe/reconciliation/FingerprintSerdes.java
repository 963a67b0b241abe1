package dev.onepipe.reconciliation;

import java.nio.ByteBuffer;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Fixed-width binary forms of what the reconciliation topology keeps in its state stores, big-endian so that keys sort
 * by (partition, hour) in RocksDB: a {@link RawBucket} as 12 bytes (partition 4, hour 8) and a {@link Fingerprint} as
 * 32 bytes (count, first offset, last offset, hash sum, 8 each).
 */
public final class FingerprintSerdes {

    private FingerprintSerdes() {
    }

    /** Serde of {@link RawBucket}: 12 bytes. */
    public static Serde<RawBucket> buckets() {
        Serializer<RawBucket> serializer = (topic, bucket) -> bucket == null ? null
                : ByteBuffer.allocate(12).putInt(bucket.partition()).putLong(bucket.hour()).array();
        Deserializer<RawBucket> deserializer = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            return new RawBucket(buffer.getInt(), buffer.getLong());
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }

    /** Serde of {@link Fingerprint}: 32 bytes. */
    public static Serde<Fingerprint> fingerprints() {
        Serializer<Fingerprint> serializer = (topic, print) -> print == null ? null
                : ByteBuffer.allocate(32).putLong(print.count()).putLong(print.firstOffset()).putLong(print.lastOffset()).putLong(print.hashSum()).array();
        Deserializer<Fingerprint> deserializer = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            return new Fingerprint(buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong());
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
