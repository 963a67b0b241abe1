package dev.onepipe.core.dataset;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.onepipe.core.deadletter.DeadLetterException;
import dev.onepipe.core.deadletter.GlobalDeadLetters;
import dev.onepipe.metadata.serde.WireFormatException;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global processor of a {@link ReferenceTable}: stores each record's bytes when they decode, removes the key on a
 * tombstone, and counts, logs and dead-letters a record that does not decode, leaving the key's value as it was.
 */
final class ReferenceLoader implements Processor<byte[], byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceLoader.class);

    private final String dataset;
    private final String name;
    private final Deserializer<GenericRecord> deserializer;
    private final Map<String, Object> producerSettings;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, byte[]> store;
    private DroppedRecordMetrics dropped;
    private GlobalDeadLetters deadLetters;

    /**
     * @param deserializer     reads whole records of the dataset (waits once per unknown schema id)
     * @param producerSettings the application's client settings, for the dead-letter producer
     */
    ReferenceLoader(String dataset, String name, Deserializer<GenericRecord> deserializer, Map<String, Object> producerSettings) {
        this.dataset = dataset;
        this.name = name;
        this.deserializer = deserializer;
        this.producerSettings = producerSettings;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(ReferenceTable.storeName(name));
        this.dropped = new DroppedRecordMetrics(context.metrics(), name);
        this.deadLetters = GlobalDeadLetters.of(context, producerSettings);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.key() == null) {
            reject(record, new DeadLetterException("NULL_KEY", "a reference record needs its unique key as the Kafka key"));
            return;
        }
        String key = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            store.delete(key);
            return;
        }
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse(dataset);
        try {
            deserializer.deserialize(topic, record.value());
        } catch (WireFormatException e) {
            reject(record, e);
            return;
        } catch (SerializationException e) {
            reject(record, new DeadLetterException("DESERIALIZATION_FAILED", e.getMessage(), e));
            return;
        }
        store.put(key, record.value());
    }

    private void reject(Record<byte[], byte[]> record, Exception failure) {
        dropped.record(DroppedRecordMetrics.CORRUPT);
        String where = context.recordMetadata().map(metadata -> metadata.topic() + "-" + metadata.partition() + "@" + metadata.offset()).orElse(dataset);
        LOG.warn("Reference record {} of dataset '{}' cannot be read ({}); the table keeps the key's previous value, and the record goes to the dead letters",
                where, dataset, failure.getMessage());
        deadLetters.send(record, failure);
    }

    @Override
    public void close() {
        if (deadLetters != null) {
            deadLetters.close();
        }
    }
}
