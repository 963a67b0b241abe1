package dev.onepipe.archive;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Keeps a record's own timestamp out of the archive's internal topics. Kafka Streams stamps a changelog write with the
 * timestamp of the record being processed, and a broker refuses timestamps further ahead of its clock than
 * {@code message.timestamp.after.max.ms} (one hour by default since Kafka 4.0, KIP-937) or behind it than
 * {@code message.timestamp.before.max.ms}: one record stamped 2100-01-01 on a topic that allows it would make every
 * commit of the chunk states fail. So the record goes on stamped with the wall-clock time it is archived at, carrying
 * its own timestamp in the value ({@link Stamped}), which is the one the archive keeps.
 */
final class InternalTimestamp implements FixedKeyProcessor<byte[], byte[], InternalTimestamp.Stamped> {

    /**
     * A record's value and its own timestamp, while the record itself carries the archive's wall-clock time.
     *
     * @param value     the value bytes, null for a tombstone
     * @param timestamp the record's timestamp on its topic, epoch ms
     */
    record Stamped(byte[] value, long timestamp) {
    }

    private FixedKeyProcessorContext<byte[], Stamped> context;

    @Override
    public void init(FixedKeyProcessorContext<byte[], Stamped> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<byte[], byte[]> record) {
        context.forward(record.withValue(new Stamped(record.value(), record.timestamp())).withTimestamp(context.currentSystemTimeMs()));
    }
}
