package dev.onepipe.campaign;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ysb's count after the repartition: adds up the partial counts of {@link PartitionWindowCounter} per campaign and
 * window, and publishes a window once the watermark of <b>every</b> input partition has passed its end (the smallest
 * watermark, as in Flink), so its number is final: each input partition sends a window's counts before the watermark
 * that closes it, on the same topic partition, so they arrive first.
 *
 * <p>The number of input partitions must be known ({@code inputPartitions}, the input topic's partition count): until
 * every one has sent a watermark, nothing is published, and an input partition that never receives a view holds every
 * window open. With {@code emitUpdates}, every new partial count also publishes the window's new total at once.
 * Sums and watermarks are kept in {@link #STORE} (logged); the working copy is in memory.
 */
public final class PartialCountSum implements Processor<String, PartialCount, String, CampaignWindowCount> {

    public static final String STORE = "ysb-window-sums-store";
    private static final Logger LOG = LoggerFactory.getLogger(PartialCountSum.class);
    private static final String WATERMARK = "w\u0000";
    private static final String SUM = "s\u0000";
    private static final char SEPARATOR = '\u0000';

    private final long windowSizeMillis;
    private final int inputPartitions;
    private final boolean emitUpdates;
    private final Map<String, Long> watermarks = new HashMap<>();
    private final TreeMap<Long, Map<String, Sum>> windows = new TreeMap<>();
    private long closedThrough = Long.MIN_VALUE;
    private ProcessorContext<String, CampaignWindowCount> context;
    private KeyValueStore<String, Long> store;

    /**
     * @param inputPartitions how many input partitions send partial counts and watermarks (at least 1)
     */
    public PartialCountSum(long windowSizeMillis, int inputPartitions, boolean emitUpdates) {
        if (inputPartitions < 1) {
            throw new IllegalArgumentException("inputPartitions must be at least 1, not " + inputPartitions);
        }
        this.windowSizeMillis = windowSizeMillis;
        this.inputPartitions = inputPartitions;
        this.emitUpdates = emitUpdates;
    }

    /** The store this processor needs, in memory and logged to a changelog, with the record cache in front. */
    public static StoreBuilder<KeyValueStore<String, Long>> storeBuilder() {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.String(), Serdes.Long()).withCachingEnabled();
    }

    @Override
    public void init(ProcessorContext<String, CampaignWindowCount> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        try (KeyValueIterator<String, Long> entries = store.all()) {
            while (entries.hasNext()) {
                KeyValue<String, Long> entry = entries.next();
                if (entry.key.startsWith(WATERMARK)) {
                    watermarks.put(entry.key.substring(WATERMARK.length()), entry.value);
                } else {
                    int windowEnd = entry.key.indexOf(SEPARATOR, SUM.length());
                    windows.computeIfAbsent(Long.parseLong(entry.key.substring(SUM.length(), windowEnd)), start -> new HashMap<>())
                            .put(entry.key.substring(windowEnd + 1), new Sum(entry.key, entry.value));
                }
            }
        }
        closedThrough = smallestWatermark();
    }

    @Override
    public void process(Record<String, PartialCount> record) {
        PartialCount partial = record.value();
        switch (partial.kind()) {
            case COUNT -> add(partial);
            case WATERMARK -> advance(partial);
            case LATE_VIEW -> throw new IllegalStateException("A late view is routed to the late topic before the partial counts");
        }
    }

    private void add(PartialCount partial) {
        long windowStart = partial.windowStart();
        Sum sum = windows.computeIfAbsent(windowStart, start -> new HashMap<>())
                .computeIfAbsent(partial.campaignId(), campaign -> new Sum(SUM + windowStart + SEPARATOR + campaign, 0));
        sum.views += partial.views();
        store.put(sum.storeKey, sum.views);
        boolean closed = windowStart + windowSizeMillis <= closedThrough;
        if (closed) {
            // only when the input topic gained partitions after the window closed: publish the corrected total
            LOG.warn("Partial count of {} for {} in window {} arrived after the window closed; republishing its total",
                    partial.source(), partial.campaignId(), windowStart);
        }
        if (emitUpdates || closed) {
            publish(partial.campaignId(), windowStart, sum.views);
        }
        if (closed) {
            closeThrough(closedThrough);
        }
    }

    private void advance(PartialCount watermark) {
        Long previous = watermarks.get(watermark.source());
        if (previous != null && previous >= watermark.closedThrough()) {
            return;
        }
        watermarks.put(watermark.source(), watermark.closedThrough());
        store.put(WATERMARK + watermark.source(), watermark.closedThrough());
        long smallest = smallestWatermark();
        if (smallest > closedThrough) {
            closedThrough = smallest;
            closeThrough(smallest);
        }
    }

    /** Publishes (emit final) and forgets every window ending at or before {@code time}, oldest first. */
    private void closeThrough(long time) {
        while (!windows.isEmpty() && windows.firstKey() + windowSizeMillis <= time) {
            Map.Entry<Long, Map<String, Sum>> window = windows.pollFirstEntry();
            window.getValue().forEach((campaignId, sum) -> {
                if (!emitUpdates) {
                    publish(campaignId, window.getKey(), sum.views);
                }
                store.delete(sum.storeKey);
            });
        }
    }

    private void publish(String campaignId, long windowStart, long views) {
        long windowEnd = windowStart + windowSizeMillis;
        context.forward(new Record<>(campaignId, new CampaignWindowCount(campaignId, windowStart, windowEnd, views), windowEnd - 1));
    }

    private long smallestWatermark() {
        if (watermarks.size() < inputPartitions) {
            return Long.MIN_VALUE;
        }
        return watermarks.values().stream().mapToLong(Long::longValue).min().orElse(Long.MIN_VALUE);
    }

    private static final class Sum {
        final String storeKey;
        long views;

        Sum(String storeKey, long views) {
            this.storeKey = storeKey;
            this.views = views;
        }
    }
}
