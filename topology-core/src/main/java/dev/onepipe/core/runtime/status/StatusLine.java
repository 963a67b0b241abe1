package dev.onepipe.core.runtime.status;

import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;

import org.apache.kafka.streams.KafkaStreams;

/**
 * One line saying how a running application is doing: state, records in and out per second since the previous
 * line, consumer lag, and dead letters (with the number new since the previous line), e.g.
 * {@code onepipe-widget-prices-widgets RUNNING  in 1,204/s  out 1,180/s  lag 3,400  dead letters 12 (+2)}.
 */
public record StatusLine(String applicationId, KafkaStreams.State state, double recordsInPerSecond,
                         double recordsOutPerSecond, OptionalLong lag, long deadLetters, long newDeadLetters) {

    /** The status between two readings of the metrics taken {@code elapsed} apart. */
    public static StatusLine between(String applicationId, KafkaStreams.State state, ApplicationMetrics previous,
                                     ApplicationMetrics current, Duration elapsed) {
        double seconds = Math.max(elapsed.toNanos(), 1) / 1e9;
        return new StatusLine(applicationId, state,
                Math.max(0, current.recordsIn() - previous.recordsIn()) / seconds,
                Math.max(0, current.recordsOut() - previous.recordsOut()) / seconds,
                current.lag(), current.deadLetters(), Math.max(0, current.deadLetters() - previous.deadLetters()));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s %s  in %,.0f/s  out %,.0f/s  lag %s  dead letters %,d (+%,d)", applicationId, state,
                recordsInPerSecond, recordsOutPerSecond, lag.isPresent() ? String.format(Locale.ROOT, "%,d", lag.getAsLong()) : "unknown",
                deadLetters, newDeadLetters);
    }
}
