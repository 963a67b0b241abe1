package dev.onepipe.archive.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.apache.kafka.common.header.Headers;

/**
 * One record of the archived topic, with everything needed to produce it again: its offset, the offset of
 * the record before it on the same partition (so gaps can be told from offsets that hold no record, such as
 * transaction markers), its timestamp, key, value and headers.
 *
 * @param offset         the record's offset in its partition
 * @param previousOffset the offset of the record the archive saw before this one on the partition, or
 *                       {@link #NO_PREVIOUS_OFFSET} for the first record it ever saw
 * @param timestamp      the record's timestamp in epoch milliseconds
 * @param key            the key bytes, {@code null} for a record without key
 * @param value          the value bytes, {@code null} for a tombstone
 * @param headers        the headers, in their original order
 */
public record ArchivedRecord(long offset, long previousOffset, long timestamp, byte[] key, byte[] value, List<Header> headers) {

    public static final long NO_PREVIOUS_OFFSET = -1L;
    private static final int ABSENT = -1;

    public ArchivedRecord {
        Objects.requireNonNull(headers, "headers");
        headers = List.copyOf(headers);
    }

    /**
     * A record header. Kafka allows repeated keys and {@code null} values; both are kept.
     *
     * @param key   the header key
     * @param value the header value, possibly {@code null}
     */
    /** A Kafka record as the archive keeps it: its headers in their order, linked to {@code previousOffset}. */
    public static ArchivedRecord of(long offset, long previousOffset, long timestamp, byte[] key, byte[] value,
                                    Headers kafkaHeaders) {
        List<Header> headers = new ArrayList<>();
        kafkaHeaders.forEach(header -> headers.add(new Header(header.key(), header.value())));
        return new ArchivedRecord(offset, previousOffset, timestamp, key, value, headers);
    }

    public record Header(String key, byte[] value) {

        public Header {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Header header && key.equals(header.key) && Arrays.equals(value, header.value);
        }

        @Override
        public int hashCode() {
            return 31 * key.hashCode() + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return key + "=" + (value == null ? "null" : value.length + " bytes");
        }
    }

    /**
     * The record without its offsets, as the buffer stores it: the offsets are in the buffer's key.
     * Layout: timestamp, key, value, header count, then each header's key and value; byte arrays are
     * length-prefixed, with length -1 for {@code null}.
     */
    public byte[] serialize() {
        return serialize(0);
    }

    /** {@link #serialize()} after {@code reserved} bytes left free for the caller. */
    public byte[] serialize(int reserved) {
        int size = reserved + Long.BYTES + lengthOf(key) + lengthOf(value) + Integer.BYTES;
        List<byte[]> headerKeys = new ArrayList<>(headers.size());
        for (Header header : headers) {
            byte[] headerKey = header.key().getBytes(StandardCharsets.UTF_8);
            headerKeys.add(headerKey);
            size += lengthOf(headerKey) + lengthOf(header.value());
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.position(reserved);
        buffer.putLong(timestamp);
        putBytes(buffer, key);
        putBytes(buffer, value);
        buffer.putInt(headers.size());
        for (int index = 0; index < headers.size(); index++) {
            putBytes(buffer, headerKeys.get(index));
            putBytes(buffer, headers.get(index).value());
        }
        return buffer.array();
    }

    /** The length of {@link #serialize(int)} with {@code reserved} bytes in front, without serializing. */
    public int serializedSize(int reserved) {
        int size = reserved + Long.BYTES + lengthOf(key) + lengthOf(value) + Integer.BYTES;
        for (Header header : headers) {
            size += lengthOf(header.key().getBytes(StandardCharsets.UTF_8)) + lengthOf(header.value());
        }
        return size;
    }

    /** Reads what {@link #serialize()} wrote, with the offsets kept in the buffer's key. */
    public static ArchivedRecord deserialize(long offset, long previousOffset, byte[] bytes) {
        return deserialize(offset, previousOffset, bytes, 0);
    }

    /** {@link #deserialize(long, long, byte[])} of bytes written by {@link #serialize(int)} with {@code reserved} bytes in front. */
    public static ArchivedRecord deserialize(long offset, long previousOffset, byte[] bytes, int reserved) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, reserved, bytes.length - reserved);
        long timestamp = buffer.getLong();
        byte[] key = getBytes(buffer);
        byte[] value = getBytes(buffer);
        int headerCount = buffer.getInt();
        List<Header> headers = new ArrayList<>(headerCount);
        for (int index = 0; index < headerCount; index++) {
            headers.add(new Header(new String(getBytes(buffer), StandardCharsets.UTF_8), getBytes(buffer)));
        }
        return new ArchivedRecord(offset, previousOffset, timestamp, key, value, headers);
    }

    private static int lengthOf(byte[] bytes) {
        return Integer.BYTES + (bytes == null ? 0 : bytes.length);
    }

    private static void putBytes(ByteBuffer buffer, byte[] bytes) {
        if (bytes == null) {
            buffer.putInt(ABSENT);
        } else {
            buffer.putInt(bytes.length);
            buffer.put(bytes);
        }
    }

    private static byte[] getBytes(ByteBuffer buffer) {
        int length = buffer.getInt();
        if (length == ABSENT) {
            return null;
        }
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ArchivedRecord record && offset == record.offset && previousOffset == record.previousOffset
                && timestamp == record.timestamp && Arrays.equals(key, record.key) && Arrays.equals(value, record.value)
                && headers.equals(record.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, previousOffset, timestamp, Arrays.hashCode(key), Arrays.hashCode(value), headers);
    }

    @Override
    public String toString() {
        return "ArchivedRecord[offset=" + offset + ", previousOffset=" + previousOffset + ", timestamp=" + timestamp
                + ", key=" + (key == null ? "null" : key.length + " bytes") + ", value=" + (value == null ? "null" : value.length + " bytes")
                + ", headers=" + headers + "]";
    }
}
