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
 * @param record          the merged record
 */
record MergedState(long eventTimeMillis, GenericRecord record) {

    /** Bytes: the event time (8 bytes, big-endian), then the record as {@code recordSerde} writes it (the wire format). */
    static Serde<MergedState> serde(Serde<GenericRecord> recordSerde) {
        Serializer<GenericRecord> records = recordSerde.serializer();
        Deserializer<GenericRecord> recordReader = recordSerde.deserializer();
        Serializer<MergedState> serializer = (topic, state) -> {
            if (state == null) {
                return null;
            }
            byte[] record = records.serialize(topic, state.record());
            return ByteBuffer.allocate(Long.BYTES + record.length).putLong(state.eventTimeMillis()).put(record).array();
        };
        Deserializer<MergedState> deserializer = (topic, bytes) -> bytes == null ? null
                : new MergedState(ByteBuffer.wrap(bytes).getLong(), recordReader.deserialize(topic, Arrays.copyOfRange(bytes, Long.BYTES, bytes.length)));
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
