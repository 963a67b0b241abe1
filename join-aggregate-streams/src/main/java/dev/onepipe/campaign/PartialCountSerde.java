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
 * The internal encoding of {@link PartialCount} on ysb's partial-count repartition topic: a format byte, the kind, the
 * source, then a count's campaign, window start and views or a watermark's time. Late views never cross the topic.
 */
public final class PartialCountSerde implements Serde<PartialCount> {

    private static final byte FORMAT = 1;

    public byte[] serialize(String topic, PartialCount partial) {
        if (partial == null) {
            return null;
        }
        if (partial.isLateView()) {
            throw new SerializationException("A late view is routed to the late topic, never sent as a partial count (" + topic + ")");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(48);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeByte(partial.kind().ordinal());
            out.writeUTF(partial.source());
            if (partial.kind() == PartialCount.Kind.COUNT) {
                out.writeUTF(partial.campaignId());
                out.writeLong(partial.windowStart());
                out.writeLong(partial.views());
            } else {
                out.writeLong(partial.closedThrough());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public PartialCount deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new SerializationException("Unknown partial count format " + format + " on " + topic);
            }
            byte kind = in.readByte();
            String source = in.readUTF();
            if (kind == PartialCount.Kind.COUNT.ordinal()) {
                return PartialCount.count(source, in.readUTF(), in.readLong(), in.readLong());
            }
            if (kind == PartialCount.Kind.WATERMARK.ordinal()) {
                return PartialCount.watermark(source, in.readLong());
            }
            throw new SerializationException("Unknown partial count kind " + kind + " on " + topic);
        } catch (IOException e) {
            throw new SerializationException("Cannot read a partial count from " + topic, e);
        }
    }

    @Override
    public Serializer<PartialCount> serializer() {
        return this::serialize;
    }

    @Override
    public Deserializer<PartialCount> deserializer() {
        return this::deserialize;
    }

    @Override
    public void close() {
    }
}
