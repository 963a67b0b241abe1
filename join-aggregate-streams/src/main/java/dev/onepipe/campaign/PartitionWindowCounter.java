package dev.onepipe.campaign;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import dev.onepipe.core.dataset.DroppedRecordMetrics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * ysb's combiner: counts views per campaign per tumbling window <b>per input partition</b>, before the repartition,
 * and sends each window's counts on when that partition's own stream time closes it, followed by a watermark.
 *
 * <p>Each input partition (topic-partition of the record, so one per task in production) has its own clock: the
 * largest event time it has delivered. A view is late when its window end plus grace is at or before its own
 * partition's clock ({@link LatenessGate#isLate}); it is sent on as {@link PartialCount#lateView}, counted as
 * {@link DropReason#LATE}. Every other view adds one to its window. When a partition's clock reaches a window's end
 * plus grace, the window's counts go on as {@link PartialCount#count}s, then a {@link PartialCount#watermark} saying
 * that every window of the partition ending at or before {@code clock - grace} is closed; {@link PartialCountSum}
 * publishes a window once every input partition's watermark has passed it. This is Flink's rule (a watermark per source
 * partition, bounded out-of-orderness = grace, min over partitions), and it makes a backlog read from several
 * partitions at different speeds count exactly what the partitions hold, where a count after the repartition, whose
 * stream time is the largest over all partitions, would find the views of a partition that lags by more than the
 * grace late.
 *
 * <p>With {@code emitUpdates}, the open windows' counts are also sent on every {@code updateInterval} of wall-clock time
 * (as deltas), so the results change while a window is open. Counts and clocks are kept in {@link #STORE} (logged, so
 * restored exactly after a restart under exactly-once); the working copy is in memory.
 */
public final class PartitionWindowCounter implements Processor<String, AdEvent, String, PartialCount> {

    public static final String STORE = "ysb-partition-counts-store";
    private static final String CLOCK = "t\u0000";
    private static final String COUNT = "c\u0000";
    private static final char SEPARATOR = '\u0000';

    private final long windowSizeMillis;
    private final long graceMillis;
    private final boolean emitUpdates;
    private final Duration updateInterval;
    private final String metricsLabel;
    private final Map<String, InputPartition> partitions = new HashMap<>();
    private ProcessorContext<String, PartialCount> context;
    private KeyValueStore<String, Long> store;
    private DroppedRecordMetrics dropMetrics;
    private String lastTopic;
    private int lastPartition = -1;
    private InputPartition last;

    /**
     * @param metricsLabel the stream late views count under ({@code ysb})
     */
    public PartitionWindowCounter(Duration windowSize, Duration grace, boolean emitUpdates, Duration updateInterval, String metricsLabel) {
        this.windowSizeMillis = windowSize.toMillis();
        this.graceMillis = grace.toMillis();
        this.emitUpdates = emitUpdates;
        this.updateInterval = updateInterval;
        this.metricsLabel = metricsLabel;
    }

    /** The store this processor needs, in memory and logged to a changelog, with the record cache in front. */
    public static StoreBuilder<KeyValueStore<String, Long>> storeBuilder() {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.String(), Serdes.Long()).withCachingEnabled();
    }

    @Override
    public void init(ProcessorContext<String, PartialCount> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        this.dropMetrics = new DroppedRecordMetrics(context.metrics(), metricsLabel);
        try (KeyValueIterator<String, Long> entries = store.all()) {
            while (entries.hasNext()) {
                KeyValue<String, Long> entry = entries.next();
                if (entry.key.startsWith(CLOCK)) {
                    inputPartition(entry.key.substring(CLOCK.length())).clock = entry.value;
                } else {
                    int sourceEnd = entry.key.indexOf(SEPARATOR, COUNT.length());
                    int windowEnd = entry.key.indexOf(SEPARATOR, sourceEnd + 1);
                    InputPartition partition = inputPartition(entry.key.substring(COUNT.length(), sourceEnd));
                    long windowStart = Long.parseLong(entry.key.substring(sourceEnd + 1, windowEnd));
                    partition.windows.computeIfAbsent(windowStart, start -> new HashMap<>())
                            .put(entry.key.substring(windowEnd + 1), new Count(entry.key, entry.value));
                }
            }
        }
        if (emitUpdates) {
            context.schedule(updateInterval, PunctuationType.WALL_CLOCK_TIME, now -> partitions.values().forEach(this::sendOpenCounts));
        }
    }

    @Override
    public void process(Record<String, AdEvent> record) {
        InputPartition partition = inputPartitionOf();
        long time = record.timestamp();
        if (time > partition.clock) {
            partition.clock = time;
            store.put(partition.clockKey, time);
        }
        long windowStart = Math.floorDiv(time, windowSizeMillis) * windowSizeMillis;
        if (LatenessGate.isLate(time, partition.clock, windowSizeMillis, graceMillis)) {
            dropMetrics.record(DropReason.LATE.metricName());
            context.forward(record.withValue(PartialCount.lateView(Verdict.rejected(record.value(), DropReason.LATE,
                    "window end " + (windowStart + windowSizeMillis) + " + grace " + graceMillis + " ms <= stream time "
                            + partition.clock + " of input partition " + partition.source))));
            return;
        }
        String campaignId = record.value().campaignId();
        Count count = partition.windows.computeIfAbsent(windowStart, start -> new HashMap<>())
                .computeIfAbsent(campaignId, campaign -> new Count(COUNT + partition.source + SEPARATOR + windowStart + SEPARATOR + campaign, 0));
        count.views++;
        store.put(count.storeKey, count.views);
        close(partition, record.timestamp());
    }

    /** Sends on the counts of the windows the partition's clock has closed, then its watermark if it moved a window. */
    private void close(InputPartition partition, long timestamp) {
        long closedThrough = partition.clock - graceMillis;
        while (!partition.windows.isEmpty() && partition.windows.firstKey() + windowSizeMillis <= closedThrough) {
            Map.Entry<Long, Map<String, Count>> window = partition.windows.pollFirstEntry();
            send(partition, window.getKey(), window.getValue());
        }
        if (Math.floorDiv(closedThrough, windowSizeMillis) > Math.floorDiv(partition.watermarkSent, windowSizeMillis)) {
            context.forward(new Record<>(partition.source, PartialCount.watermark(partition.source, closedThrough), timestamp));
            partition.watermarkSent = closedThrough;
        }
    }

    private void sendOpenCounts(InputPartition partition) {
        partition.windows.forEach((windowStart, counts) -> send(partition, windowStart, counts));
        partition.windows.clear();
    }

    private void send(InputPartition partition, long windowStart, Map<String, Count> counts) {
        long timestamp = windowStart + windowSizeMillis - 1;
        counts.forEach((campaignId, count) -> {
            context.forward(new Record<>(campaignId, PartialCount.count(partition.source, campaignId, windowStart, count.views), timestamp));
            store.delete(count.storeKey);
        });
    }

    private InputPartition inputPartitionOf() {
        RecordMetadata metadata = context.recordMetadata()
                .orElseThrow(() -> new IllegalStateException("The per-partition count needs records from an input topic"));
        if (metadata.partition() != lastPartition || !metadata.topic().equals(lastTopic)) {
            lastTopic = metadata.topic();
            lastPartition = metadata.partition();
            last = inputPartition(lastTopic + "-" + lastPartition);
        }
        return last;
    }

    private InputPartition inputPartition(String source) {
        return partitions.computeIfAbsent(source, InputPartition::new);
    }

    /** One input partition's clock and open windows (window start → campaign → count). */
    private static final class InputPartition {
        final String source;
        final String clockKey;
        long clock = Long.MIN_VALUE;
        long watermarkSent = Long.MIN_VALUE;
        final TreeMap<Long, Map<String, Count>> windows = new TreeMap<>();

        InputPartition(String source) {
            this.source = source;
            this.clockKey = CLOCK + source;
        }
    }

    private static final class Count {
        final String storeKey;
        long views;

        Count(String storeKey, long views) {
            this.storeKey = storeKey;
            this.views = views;
        }
    }
}
