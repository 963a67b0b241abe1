package dev.onepipe.reconciliation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;
import org.apache.kafka.common.header.Header;

/**
 * The 64-bit hash of one Kafka record that every system's fingerprint sums: xxHash64 (seed 0) of a canonical
 * encoding of the record, so the same record read from the topic, from a raw archive object or from anywhere
 * else hashes to the same value.
 *
 * <p>Encoding, all integers big-endian: offset (8 bytes), timestamp in ms (8), key as a 4-byte length (-1 for
 * null) then its bytes, value the same way, the number of headers (4), then per header in order its key as a
 * 4-byte length and UTF-8 bytes and its value as a 4-byte length (-1 for null) and bytes. Lengths keep
 * {@code (key "ab", value "c")} apart from {@code (key "a", value "bc")}; null stays apart from empty.
 *
 * <p>Not thread-safe: one instance per thread (it reuses its encoding buffer).
 */
public final class RecordHash {

    /** The pure-Java xxHash64: the same value on every platform, no native code in the jar's path. */
    private static final XXHash64 XX_HASH_64 = XXHashFactory.fastestJavaInstance().hash64();
    private static final long SEED = 0L;

    private byte[] buffer = new byte[1024];
    private int length;

    /**
     * The hash of a record.
     *
     * @param offset    the record's offset in its partition
     * @param timestamp the record's timestamp, ms since the epoch
     * @param key       the key bytes, null for a null key
     * @param value     the value bytes, null for a null value (a tombstone)
     * @param headers   the headers in their original order (repeated keys kept), never null
     */
    public long hash(long offset, long timestamp, byte[] key, byte[] value, Iterable<Header> headers) {
        length = 0;
        putLong(offset);
        putLong(timestamp);
        putBytes(key);
        putBytes(value);
        return finish(headers);
    }

    /**
     * The same hash with key and value as buffers (their remaining bytes, positions untouched), as a Parquet reader
     * or a consumer with {@code ByteBufferDeserializer} hands them over: no copy per record before this one.
     */
    public long hashBuffers(long offset, long timestamp, ByteBuffer key, ByteBuffer value, Iterable<Header> headers) {
        length = 0;
        putLong(offset);
        putLong(timestamp);
        putBuffer(key);
        putBuffer(value);
        return finish(headers);
    }

    /**
     * The same hash with key and value as ranges of arrays (as {@link BinaryColumnPages} hands them over): no copy per
     * record before this one.
     *
     * @param keyLength   bytes of the key from {@code keyStart}, -1 for a null key ({@code keyArray} then unused)
     * @param valueLength likewise for the value
     */
    public long hashRanges(long offset, long timestamp, byte[] keyArray, int keyStart, int keyLength, byte[] valueArray, int valueStart,
                           int valueLength, Iterable<Header> headers) {
        length = 0;
        putLong(offset);
        putLong(timestamp);
        putRange(keyArray, keyStart, keyLength);
        putRange(valueArray, valueStart, valueLength);
        return finish(headers);
    }

    private long finish(Iterable<Header> headers) {
        int countAt = length;
        putInt(0);
        int count = 0;
        for (Header header : headers) {
            putBytes(header.key().getBytes(StandardCharsets.UTF_8));
            putBytes(header.value());
            count++;
        }
        writeInt(countAt, count);
        return XX_HASH_64.hash(buffer, 0, length, SEED);
    }

    private void putLong(long value) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buffer[length++] = (byte) (value >>> shift);
        }
    }

    private void putInt(int value) {
        ensure(4);
        writeInt(length, value);
        length += 4;
    }

    private void writeInt(int at, int value) {
        buffer[at] = (byte) (value >>> 24);
        buffer[at + 1] = (byte) (value >>> 16);
        buffer[at + 2] = (byte) (value >>> 8);
        buffer[at + 3] = (byte) value;
    }

    private void putBytes(byte[] bytes) {
        if (bytes == null) {
            putInt(-1);
            return;
        }
        putInt(bytes.length);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, length, bytes.length);
        length += bytes.length;
    }

    private void putRange(byte[] bytes, int start, int size) {
        if (size < 0) {
            putInt(-1);
            return;
        }
        putInt(size);
        ensure(size);
        System.arraycopy(bytes, start, buffer, length, size);
        length += size;
    }

    private void putBuffer(ByteBuffer bytes) {
        if (bytes == null) {
            putInt(-1);
            return;
        }
        int size = bytes.remaining();
        putInt(size);
        ensure(size);
        bytes.get(bytes.position(), buffer, length, size);
        length += size;
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }
}
