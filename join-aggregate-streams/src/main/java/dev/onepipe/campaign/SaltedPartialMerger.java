package dev.onepipe.campaign;

import java.time.Duration;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Second stage of the salted aggregation when every update is emitted: each salt's latest partial replaces the one it
 * sent before, so the campaign's window is {@code merged - previous partial + new partial}. Exact because partials
 * keep per-user serve counts (see {@link CampaignWindowAggregate}). Keeps each salt's last partial and the merged
 * metrics (the queryable store) in window stores.
 */
public final class SaltedPartialMerger implements Processor<String, SaltedPartial, String, CampaignMetrics> {

    private final String partialsStoreName;
    private final String mergedStoreName;
    private final long windowSizeMillis;
    private ProcessorContext<String, CampaignMetrics> context;
    private WindowStore<String, CampaignWindowAggregate> partials;
    private WindowStore<String, CampaignWindowAggregate> merged;

    public SaltedPartialMerger(String partialsStoreName, String mergedStoreName, Duration windowSize) {
        this.partialsStoreName = partialsStoreName;
        this.mergedStoreName = mergedStoreName;
        this.windowSizeMillis = windowSize.toMillis();
    }

    public static StoreBuilder<WindowStore<String, CampaignWindowAggregate>> storeBuilder(String storeName, Duration retention,
                                                                                         Duration windowSize) {
        return Stores.windowStoreBuilder(Stores.persistentWindowStore(storeName, retention, windowSize, false),
                Serdes.String(), new CampaignWindowAggregateSerde());
    }

    @Override
    public void init(ProcessorContext<String, CampaignMetrics> context) {
        this.context = context;
        this.partials = context.getStateStore(partialsStoreName);
        this.merged = context.getStateStore(mergedStoreName);
    }

    @Override
    public void process(Record<String, SaltedPartial> record) {
        String campaignId = record.key();
        SaltedPartial partial = record.value();
        long windowStart = partial.windowStart();
        String saltedKey = SaltedPartial.saltedKey(campaignId, partial.salt());
        CampaignWindowAggregate previous = partials.fetch(saltedKey, windowStart);
        CampaignWindowAggregate current = merged.fetch(campaignId, windowStart);
        CampaignWindowAggregate updated = current == null ? new CampaignWindowAggregate() : current;
        if (previous != null) {
            updated.subtract(previous);
        }
        updated.merge(partial.aggregate());
        partials.put(saltedKey, partial.aggregate(), windowStart);
        merged.put(campaignId, updated, windowStart);
        context.forward(new Record<>(campaignId, CampaignMetrics.of(campaignId, windowStart, windowStart + windowSizeMillis, updated),
                record.timestamp(), record.headers()));
    }
}
