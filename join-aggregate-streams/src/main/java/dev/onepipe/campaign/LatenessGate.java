package dev.onepipe.campaign;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import dev.onepipe.core.dataset.DroppedRecordMetrics;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Routes out events whose window has already closed, instead of letting a windowed operation drop them silently.
 *
 * <p>An event is late when the end of its tumbling window plus the grace period is at or before the stream time:
 * {@code windowEnd <= streamTime - grace}, the rule Kafka Streams applies to a windowed aggregation. Which stream
 * time depends on what follows the gate ({@link StreamTime}); either way, every event the gate lets through is one the
 * windowed operation after it keeps, and every event that operation would drop is routed out here instead, with
 * {@link DropReason#LATE}, counted.
 */
public final class LatenessGate<V> implements FixedKeyProcessor<String, V, Verdict<V>> {

    /** The stream time an event is judged against. */
    public enum StreamTime {
        /**
         * The largest event time this gate has seen: exactly what a windowed aggregation right after it sees (it, too,
         * starts again from nothing after a restart).
         */
        OBSERVED,
        /**
         * The task's stream time, over all its input partitions: never behind the stream time of a join between two of
         * them, whichever side the event is on.
         */
        TASK
    }

    private final long windowSizeMillis;
    private final long graceMillis;
    private final StreamTime streamTimeSource;
    private long observedStreamTime = Long.MIN_VALUE;
    private final Function<V, String> metricsLabel;
    private final Map<String, DroppedRecordMetrics> dropMetrics = new HashMap<>();
    private FixedKeyProcessorContext<String, Verdict<V>> context;

    /**
     * @param metricsLabel the stream an event counts under when it is late
     */
    public LatenessGate(Duration windowSize, Duration grace, StreamTime streamTimeSource, Function<V, String> metricsLabel) {
        this.windowSizeMillis = windowSize.toMillis();
        this.graceMillis = grace.toMillis();
        this.streamTimeSource = streamTimeSource;
        this.metricsLabel = metricsLabel;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Verdict<V>> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, V> record) {
        observedStreamTime = Math.max(observedStreamTime, record.timestamp());
        long streamTime = streamTimeSource == StreamTime.TASK ? context.currentStreamTimeMs() : observedStreamTime;
        long windowEnd = windowEnd(record.timestamp(), windowSizeMillis);
        if (isLate(record.timestamp(), streamTime, windowSizeMillis, graceMillis)) {
            dropMetrics.computeIfAbsent(metricsLabel.apply(record.value()), label -> new DroppedRecordMetrics(context.metrics(), label))
                    .record(DropReason.LATE.metricName());
            context.forward(record.withValue(Verdict.rejected(record.value(), DropReason.LATE,
                    "window end " + windowEnd + " + grace " + graceMillis + " ms <= stream time " + streamTime)));
        } else {
            context.forward(record.withValue(Verdict.accepted(record.value())));
        }
    }

    /** Whether an event at {@code eventTime} is late at {@code streamTime}. */
    public static boolean isLate(long eventTime, long streamTime, long windowSizeMillis, long graceMillis) {
        return windowEnd(eventTime, windowSizeMillis) <= streamTime - graceMillis;
    }

    /** The exclusive end of the epoch-aligned tumbling window that holds {@code eventTime}. */
    public static long windowEnd(long eventTime, long windowSizeMillis) {
        return Math.floorDiv(eventTime, windowSizeMillis) * windowSizeMillis + windowSizeMillis;
    }
}
