package dev.onepipe.campaign;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The internal encoding of {@link AdEvent} on repartition topics and in join stores: a format byte, then the fields.
 * Internal topics are private to one application, so a compact hand-written format is enough here.
 */
public final class AdEventSerde implements Serde<AdEvent> {

    private static final byte FORMAT = 1;
    private static final AdStream[] STREAMS = AdStream.values();

    public byte[] serialize(String topic, AdEvent event) {
        if (event == null) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeByte(event.stream().ordinal());
            out.writeUTF(event.eventId());
            out.writeUTF(event.adId());
            writeNullable(out, event.campaignId());
            writeNullable(out, event.userId());
            out.writeLong(event.eventTime());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public AdEvent deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new SerializationException("Unknown AdEvent format " + format + " on " + topic);
            }
            AdStream stream = STREAMS[in.readByte()];
            return new AdEvent(stream, in.readUTF(), in.readUTF(), readNullable(in), readNullable(in), in.readLong());
        } catch (IOException e) {
            throw new SerializationException("Cannot read an AdEvent from " + topic, e);
        }
    }

    static void writeNullable(DataOutputStream out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    @Override
    public Serializer<AdEvent> serializer() {
        return this::serialize;
    }

    @Override
    public Deserializer<AdEvent> deserializer() {
        return this::deserialize;
    }

    @Override
    public void close() {
    }
}
