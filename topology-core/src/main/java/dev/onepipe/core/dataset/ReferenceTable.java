package dev.onepipe.core.dataset;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KeyValueMapper;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reference data (a dataset such as campaigns or the ad-to-campaign mapping) kept whole on every instance, as a
 * {@code GlobalKTable} would be, and joined to streams: made by {@link DatasetStreams#referenceTable(String, Ingest)}.
 *
 * <pre>{@code
 * ReferenceTable campaigns = datasets.referenceTable("ysb-campaigns", Ingest.named("ysb-ad-campaigns").fields(List.of("campaign_id")));
 * KStream<String, AdEvent> attributed = campaigns.leftJoin(views, (eventId, view) -> view.adId(),
 *         (view, campaign) -> campaign == null ? view : view.attributedTo(campaign.get("campaign_id").toString()), Named.as("ysb-join-campaign"));
 * }</pre>
 *
 * <p>The table is a global store ({@code <name>-store}, in memory: a lookup per event stays a hash lookup) filled by a
 * global processor (after the source {@code <name>-source}) that decodes every record through the same path as
 * {@link DatasetStreams#stream(String, Ingest)}, while it is read and while the store is rebuilt after a restart. The
 * store keeps the bytes of the records that decode; a lookup decodes them again as the ingest says (only its fields),
 * once per distinct bytes (reference data is small and looked up for every event).
 *
 * <p><b>A reference record that cannot be read</b> (wrong magic byte, unknown schema id, truncated) does not change the
 * table: the key keeps its previous value, or has none. It is counted in {@link DroppedRecordMetrics} (stream
 * {@code <name>}, reason {@value DroppedRecordMetrics#CORRUPT}), logged at WARN with its topic, partition, offset and
 * reason, and sent to the dataset's {@code <topic>.dlq} with its original bytes and the {@code onepipe.dlq.*} headers by
 * {@link dev.onepipe.core.deadletter.GlobalDeadLetters} (a producer of the global processor's own, as the global
 * thread has none; at least once: the in-memory store is rebuilt from the topic at every start, so an unreadable
 * record is dead-lettered again at every start, with the same source partition and offset in its headers). A
 * tombstone removes the key.
 */
public final class ReferenceTable {

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceTable.class);
    /** Reference data is small and read over and over: decode each distinct record once, up to this many. */
    private static final int MAX_CACHED_RECORDS = 100_000;

    private final String dataset;
    private final String name;
    private final Deserializer<GenericRecord> values;
    private final Map<ByteBuffer, GenericRecord> decoded = new ConcurrentHashMap<>();

    ReferenceTable(String dataset, String name, Deserializer<GenericRecord> values) {
        this.dataset = dataset;
        this.name = name;
        this.values = values;
    }

    /** The dataset the table holds. */
    public String dataset() {
        return dataset;
    }

    /** The ingest's name: the table's processors, its metrics' stream. */
    public String name() {
        return name;
    }

    /** The global store's name, {@code <name>-store}: keys are unique keys as text, values the records' wire-format bytes. */
    public String storeName() {
        return storeName(name);
    }

    static String storeName(String name) {
        return name + "-store";
    }

    /**
     * Joins each record of {@code stream} to the reference record under the key {@code keySelector} gives, as
     * {@link KStream#leftJoin(org.apache.kafka.streams.kstream.GlobalKTable, KeyValueMapper, ValueJoiner, Named)} does:
     * the joiner gets null when the key is null or the table has no value for it.
     *
     * @param named names the lookup processor
     */
    public <V, R> KStream<String, R> leftJoin(KStream<String, V> stream, KeyValueMapper<? super String, ? super V, String> keySelector,
                                             ValueJoiner<? super V, ? super GenericRecord, ? extends R> joiner, Named named) {
        Objects.requireNonNull(keySelector, "keySelector");
        Objects.requireNonNull(joiner, "joiner");
        return stream.processValues(() -> new Lookup<>(keySelector, joiner), named);
    }

    /** The record in {@code bytes} (stored bytes, which decoded when they were loaded), or null. */
    GenericRecord decode(byte[] bytes) {
        ByteBuffer key = ByteBuffer.wrap(bytes);
        GenericRecord record = decoded.get(key);
        if (record == null) {
            record = values.deserialize(dataset, bytes);
            if (decoded.size() >= MAX_CACHED_RECORDS) {
                decoded.clear();
            }
            decoded.put(key, record);
        }
        return record;
    }

    /** The lookup of {@link #leftJoin}, in the stream's task. */
    private final class Lookup<V, R> implements FixedKeyProcessor<String, V, R> {

        private final KeyValueMapper<? super String, ? super V, String> keySelector;
        private final ValueJoiner<? super V, ? super GenericRecord, ? extends R> joiner;
        private FixedKeyProcessorContext<String, R> context;
        private KeyValueStore<String, byte[]> store;

        Lookup(KeyValueMapper<? super String, ? super V, String> keySelector, ValueJoiner<? super V, ? super GenericRecord, ? extends R> joiner) {
            this.keySelector = keySelector;
            this.joiner = joiner;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, R> context) {
            this.context = context;
            this.store = context.getStateStore(storeName());
        }

        @Override
        public void process(FixedKeyRecord<String, V> record) {
            String key = keySelector.apply(record.key(), record.value());
            byte[] bytes = key == null ? null : store.get(key);
            GenericRecord reference = null;
            if (bytes != null) {
                try {
                    reference = decode(bytes);
                } catch (SerializationException e) {
                    // Only bytes that decoded are stored: this is a schema deleted since. The join goes on without it.
                    LOG.warn("Reference record '{}' of dataset '{}' no longer decodes ({}); joined as absent", key, dataset, e.getMessage());
                }
            }
            context.forward(record.withValue(joiner.apply(record.value(), reference)));
        }
    }
}
