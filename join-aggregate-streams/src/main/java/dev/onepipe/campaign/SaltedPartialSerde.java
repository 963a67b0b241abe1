package dev.onepipe.campaign;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** The internal encoding of {@link SaltedPartial}: salt, window start, then the aggregate's own encoding. */
public final class SaltedPartialSerde implements Serde<SaltedPartial> {

    private static final int HEADER_LENGTH = Integer.BYTES + Long.BYTES;
    private final CampaignWindowAggregateSerde aggregates = new CampaignWindowAggregateSerde();

    public byte[] serialize(String topic, SaltedPartial partial) {
        if (partial == null) {
            return null;
        }
        byte[] aggregate = aggregates.serialize(topic, partial.aggregate());
        return ByteBuffer.allocate(HEADER_LENGTH + aggregate.length)
                .putInt(partial.salt()).putLong(partial.windowStart()).put(aggregate).array();
    }

    public SaltedPartial deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(data);
        return new SaltedPartial(buffer.getInt(), buffer.getLong(),
                aggregates.deserialize(topic, Arrays.copyOfRange(data, HEADER_LENGTH, data.length)));
    }

    @Override
    public Serializer<SaltedPartial> serializer() {
        return this::serialize;
    }

    @Override
    public Deserializer<SaltedPartial> deserializer() {
        return this::deserialize;
    }

    @Override
    public void close() {
    }
}
