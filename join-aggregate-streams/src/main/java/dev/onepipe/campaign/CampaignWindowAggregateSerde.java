package dev.onepipe.campaign;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** The internal encoding of {@link CampaignWindowAggregate} in window stores, changelogs and repartition topics. */
public final class CampaignWindowAggregateSerde implements Serde<CampaignWindowAggregate> {

    private static final byte FORMAT = 1;

    public byte[] serialize(String topic, CampaignWindowAggregate aggregate) {
        if (aggregate == null) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + 24 * aggregate.servesByUser().size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(aggregate.served());
            out.writeLong(aggregate.views());
            out.writeLong(aggregate.clicks());
            out.writeInt(aggregate.servesByUser().size());
            for (Map.Entry<String, Long> user : aggregate.servesByUser().entrySet()) {
                out.writeUTF(user.getKey());
                out.writeLong(user.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public CampaignWindowAggregate deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new SerializationException("Unknown CampaignWindowAggregate format " + format + " on " + topic);
            }
            long served = in.readLong();
            long views = in.readLong();
            long clicks = in.readLong();
            int users = in.readInt();
            Map<String, Long> servesByUser = new HashMap<>(Math.max(16, users * 2));
            for (int index = 0; index < users; index++) {
                servesByUser.put(in.readUTF(), in.readLong());
            }
            return new CampaignWindowAggregate(served, views, clicks, servesByUser);
        } catch (IOException e) {
            throw new SerializationException("Cannot read a CampaignWindowAggregate from " + topic, e);
        }
    }

    @Override
    public Serializer<CampaignWindowAggregate> serializer() {
        return this::serialize;
    }

    @Override
    public Deserializer<CampaignWindowAggregate> deserializer() {
        return this::deserialize;
    }

    @Override
    public void close() {
    }
}
