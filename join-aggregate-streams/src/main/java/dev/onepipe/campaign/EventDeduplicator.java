package dev.onepipe.campaign;

import java.time.Duration;

import dev.onepipe.core.dataset.DroppedRecordMetrics;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Filter: drops re-sent events. An event whose {@code event_id} was seen within the dedup window (in event time, on
 * either side) is counted as {@link DropReason#DUPLICATE}; the first one goes on. Event ids live in a window store
 * that forgets them after the dedup window, so the state stays bounded. Dataset topics are keyed by their unique key,
 * so every copy of an event reaches the same task.
 */
public final class EventDeduplicator implements FixedKeyProcessor<String, GenericRecord, GenericRecord> {

    private final String storeName;
    private final String metricsLabel;
    private final Duration dedupWindow;
    private FixedKeyProcessorContext<String, GenericRecord> context;
    private WindowStore<String, Long> seenEventIds;
    private DroppedRecordMetrics dropMetrics;

    public EventDeduplicator(String storeName, String metricsLabel, Duration dedupWindow) {
        this.storeName = storeName;
        this.metricsLabel = metricsLabel;
        this.dedupWindow = dedupWindow;
    }

    /** The store of seen event ids, retained for the dedup window. */
    public static StoreBuilder<WindowStore<String, Long>> storeBuilder(String storeName, Duration dedupWindow) {
        return Stores.windowStoreBuilder(Stores.persistentWindowStore(storeName, dedupWindow, Duration.ofMillis(1), false),
                Serdes.String(), Serdes.Long());
    }

    @Override
    public void init(FixedKeyProcessorContext<String, GenericRecord> context) {
        this.context = context;
        this.seenEventIds = context.getStateStore(storeName);
        this.dropMetrics = new DroppedRecordMetrics(context.metrics(), metricsLabel);
    }

    @Override
    public void process(FixedKeyRecord<String, GenericRecord> record) {
        GenericRecord value = record.value();
        String eventId = FieldText.of(value, "event_id").orElse(record.key());
        long time = record.timestamp();
        long window = dedupWindow.toMillis();
        try (WindowStoreIterator<Long> seen = seenEventIds.fetch(eventId, Math.max(0, time - window), time + window)) {
            if (seen.hasNext()) {
                dropMetrics.record(DropReason.DUPLICATE.metricName());
                return;
            }
        }
        seenEventIds.put(eventId, time, time);
        context.forward(record);
    }
}
