package dev.onepipe.metadata;

import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Makes the metadata topic a global store of a topology and keeps a {@link MetadataCatalog} in step with it, so every
 * serde of the topology resolves schemas and metadata from memory.
 *
 * <p>Why this works on restart (checked in kafka-streams 4.3.1): {@code StreamsBuilder.addGlobalStore} registers the
 * store with {@code reprocessOnRestore = true}, and {@code GlobalStateManagerImpl.initialize()} then restores it with
 * {@code reprocessState}, which creates a processor from this supplier, calls {@code init} and runs every record from
 * the store's checkpoint (or the beginning) to the end of the topic through {@code process}, before any stream task
 * runs. (A {@code globalTable} restores raw bytes into the store instead and would never feed the catalog.) The store
 * is in-memory, so it has no checkpoint and every start replays the whole topic; {@code init} also loads whatever the
 * store already holds, which keeps the catalog complete if a persistent store is ever used. Inside
 * {@code TopologyTestDriver}, records piped into the metadata topic go through {@code process} synchronously.
 *
 * <p>Add {@link #requiredStreamsConfig()} to the topology's settings.
 */
public final class MetadataGlobalStore {

    public static final String DEFAULT_STORE_NAME = "onepipe-metadata-store";

    private MetadataGlobalStore() {
    }

    /**
     * Streams settings a topology with this store must have: its global consumer reads committed entries only. Under
     * exactly-once Streams already does so; under at-least-once it would otherwise also see the entries of a
     * registration whose transaction is later aborted, and keep a schema under an id that is then given to another.
     */
    public static Map<String, Object> requiredStreamsConfig() {
        return Map.of(StreamsConfig.globalConsumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG),
            IsolationLevel.READ_COMMITTED.toString());
    }

    /** Adds the default-named global store over {@code metadataTopic}, feeding {@code catalog}. */
    public static StreamsBuilder addTo(StreamsBuilder builder, String metadataTopic,
                                       MetadataCatalog catalog) {
        return addTo(builder, metadataTopic, DEFAULT_STORE_NAME, catalog);
    }

    public static StreamsBuilder addTo(StreamsBuilder builder, String metadataTopic, String storeName,
                                       MetadataCatalog catalog) {
        return builder.addGlobalStore(
            Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(storeName), Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingDisabled(),
            metadataTopic,
            Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(storeName + "-source"),
            new CatalogUpdaterSupplier(storeName, catalog));
    }

    private static final class CatalogUpdaterSupplier implements ProcessorSupplier<byte[], byte[], Void, Void> {

        private final String storeName;
        private final MetadataCatalog catalog;

        CatalogUpdaterSupplier(String storeName, MetadataCatalog catalog) {
            this.storeName = storeName;
            this.catalog = catalog;
        }

        @Override
        public Processor<byte[], byte[], Void, Void> get() {
            return new CatalogUpdater(storeName, catalog);
        }
    }

    private static final class CatalogUpdater implements Processor<byte[], byte[], Void, Void> {

        private final String storeName;
        private final MetadataCatalog catalog;
        private KeyValueStore<Bytes, byte[]> store;

        CatalogUpdater(String storeName, MetadataCatalog catalog) {
            this.storeName = storeName;
            this.catalog = catalog;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
            try (KeyValueIterator<Bytes, byte[]> entries = store.all()) {
                while (entries.hasNext()) {
                    KeyValue<Bytes, byte[]> entry = entries.next();
                    catalog.apply(entry.key.get(), entry.value);
                }
            }
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                store.delete(Bytes.wrap(record.key()));
            } else {
                store.put(Bytes.wrap(record.key()), record.value());
            }
            catalog.apply(record.key(), record.value());
        }
    }
}
