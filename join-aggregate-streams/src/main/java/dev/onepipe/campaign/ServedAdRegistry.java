package dev.onepipe.campaign;

import java.time.Duration;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Remembers which ads were served (and when), so a view or click that never joins can be told apart: its serve
 * exists but too far away in time, or there is no serve at all. Passes serves on unchanged.
 */
public final class ServedAdRegistry implements FixedKeyProcessor<String, AdEvent, AdEvent> {

    private final String storeName;
    private FixedKeyProcessorContext<String, AdEvent> context;
    private WindowStore<String, Long> servedAds;

    public ServedAdRegistry(String storeName) {
        this.storeName = storeName;
    }

    /** Serve time by ad id, kept for {@code retention} of event time. */
    public static StoreBuilder<WindowStore<String, Long>> storeBuilder(String storeName, Duration retention) {
        return Stores.windowStoreBuilder(Stores.persistentWindowStore(storeName, retention, Duration.ofMillis(1), false),
                Serdes.String(), Serdes.Long());
    }

    @Override
    public void init(FixedKeyProcessorContext<String, AdEvent> context) {
        this.context = context;
        this.servedAds = context.getStateStore(storeName);
    }

    @Override
    public void process(FixedKeyRecord<String, AdEvent> record) {
        servedAds.put(record.value().adId(), record.timestamp(), record.timestamp());
        context.forward(record);
    }
}
