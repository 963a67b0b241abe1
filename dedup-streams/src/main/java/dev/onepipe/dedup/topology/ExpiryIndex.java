package dev.onepipe.dedup.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.kafka.common.utils.Bytes;

/**
 * Keys of the expiry index: a key-value store holding one entry per kept unique key, ordered by the key's event time,
 * so forgetting the keys past the horizon is a range scan from the start to the cut-off: its cost grows with the keys
 * forgotten, not the keys kept. Entry key: the event time in 8 big-endian bytes with the sign bit flipped (so RocksDB's
 * unsigned byte order is numeric order, negative times included), then the unique key in UTF-8.
 */
final class ExpiryIndex {

    static final byte[] NO_VALUE = new byte[0];

    private ExpiryIndex() {
    }

    static Bytes entry(long eventTimeMillis, String uniqueKey) {
        byte[] key = uniqueKey.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + key.length).putLong(eventTimeMillis ^ Long.MIN_VALUE).put(key).array());
    }

    /** The lowest possible entry. */
    static Bytes first() {
        return Bytes.wrap(new byte[Long.BYTES]);
    }

    static long eventTimeOf(Bytes entry) {
        return ByteBuffer.wrap(entry.get()).getLong() ^ Long.MIN_VALUE;
    }

    static String uniqueKeyOf(Bytes entry) {
        byte[] bytes = entry.get();
        return new String(Arrays.copyOfRange(bytes, Long.BYTES, bytes.length), StandardCharsets.UTF_8);
    }
}
