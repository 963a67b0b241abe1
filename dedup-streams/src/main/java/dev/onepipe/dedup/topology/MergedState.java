package dev.onepipe.dedup.topology;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A key's merged state as the merge store keeps it.
 *
 * @param eventTimeMillis the state's event time: its event-time field, or the timestamp of the record that made it
 *                        when the dataset has no event-time field or the field is null; the state is forgotten a
 *                        horizon after it
 * @param indexedAtMillis the time the key's entry in the {@link ExpiryIndex} is filed under, never later than
 *                        {@code eventTimeMillis}: a change to a later event time leaves the entry where it is, and the
 *                        entry is moved when it comes up for expiry
 * @param record          the merged record
 * @param encoded         {@code record} already in the wire format of the store's record serde (encoded once for the
 *                        store and the clean topic), or null to encode it when stored
 */
record MergedState(long eventTimeMillis, long indexedAtMillis, GenericRecord record, byte[] encoded) {

    MergedState(long eventTimeMillis, long indexedAtMillis, GenericRecord record) {
        this(eventTimeMillis, indexedAtMillis, record, null);
    }

    /** First byte of the current format; the first format began with the event time's high byte (0x00 until 2^56 ms). */
    private static final byte FORMAT_2 = 0x01;

    /**
     * Bytes: {@code 0x01}, the event time and the indexed-at time (8 bytes each, big-endian), then the record as
     * {@code recordSerde} writes it (the wire format). Also reads the first format (the event time, then the record;
     * indexed at its event time), so stores and changelogs written before stay readable.
     */
    static Serde<MergedState> serde(Serde<GenericRecord> recordSerde) {
        Serializer<GenericRecord> records = recordSerde.serializer();
        Deserializer<GenericRecord> recordReader = recordSerde.deserializer();
        Serializer<MergedState> serializer = (topic, state) -> {
            if (state == null) {
                return null;
            }
            byte[] record = state.encoded() != null ? state.encoded() : records.serialize(topic, state.record());
            return ByteBuffer.allocate(1 + 2 * Long.BYTES + record.length).put(FORMAT_2).putLong(state.eventTimeMillis())
                    .putLong(state.indexedAtMillis()).put(record).array();
        };
        Deserializer<MergedState> deserializer = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            if (bytes[0] == FORMAT_2) {
                buffer.get();
                long eventTime = buffer.getLong();
                long indexedAt = buffer.getLong();
                return new MergedState(eventTime, indexedAt, recordReader.deserialize(topic, Arrays.copyOfRange(bytes, buffer.position(), bytes.length)));
            }
            long eventTime = buffer.getLong();
            return new MergedState(eventTime, eventTime, recordReader.deserialize(topic, Arrays.copyOfRange(bytes, Long.BYTES, bytes.length)));
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
