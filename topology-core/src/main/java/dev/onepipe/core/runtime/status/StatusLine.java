package dev.onepipe.core.runtime.status;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import dev.onepipe.core.runtime.health.TopologyHealth;
import org.apache.kafka.streams.KafkaStreams;

/**
 * One line saying how a running application is doing: state, records in and out per second since the previous
 * line, consumer lag, and dead letters (with the number new since the previous line), e.g.
 * {@code onepipe-widget-prices-widgets RUNNING  in 1,204/s  out 1,180/s  lag 3,400  dead letters 12 (+2)}.
 * An application that makes no progress ({@link TopologyHealth}) says so first and why last:
 * {@code onepipe-archive-t UNHEALTHY RUNNING  in 0/s ...  problem: stream threads failed 2 time(s) since the last commit; last error: ...}.
 *
 * @param problem why the application is unhealthy, with its last error; empty when healthy
 */
public record StatusLine(String applicationId, KafkaStreams.State state, double recordsInPerSecond,
                         double recordsOutPerSecond, OptionalLong lag, long deadLetters, long newDeadLetters, Optional<String> problem) {

    public StatusLine {
        Objects.requireNonNull(problem, "problem");
    }

    /** A line of a healthy application. */
    public StatusLine(String applicationId, KafkaStreams.State state, double recordsInPerSecond, double recordsOutPerSecond,
                      OptionalLong lag, long deadLetters, long newDeadLetters) {
        this(applicationId, state, recordsInPerSecond, recordsOutPerSecond, lag, deadLetters, newDeadLetters, Optional.empty());
    }

    /** The status between two readings of the metrics taken {@code elapsed} apart, health told by the state alone. */
    public static StatusLine between(String applicationId, KafkaStreams.State state, ApplicationMetrics previous,
                                     ApplicationMetrics current, Duration elapsed) {
        return between(applicationId, TopologyHealth.ofState(state), previous, current, elapsed);
    }

    /** The status between two readings of the metrics taken {@code elapsed} apart, with the application's health. */
    public static StatusLine between(String applicationId, TopologyHealth health, ApplicationMetrics previous,
                                     ApplicationMetrics current, Duration elapsed) {
        double seconds = Math.max(elapsed.toNanos(), 1) / 1e9;
        Optional<String> problem = health.healthy() ? Optional.empty()
                : Optional.of(health.problem().orElse("unhealthy") + health.lastError().map(error -> "; last error: " + error).orElse(""));
        return new StatusLine(applicationId, health.state(),
                Math.max(0, current.recordsIn() - previous.recordsIn()) / seconds,
                Math.max(0, current.recordsOut() - previous.recordsOut()) / seconds,
                current.lag(), current.deadLetters(), Math.max(0, current.deadLetters() - previous.deadLetters()), problem);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s %s%s  in %,.0f/s  out %,.0f/s  lag %s  dead letters %,d (+%,d)%s", applicationId,
                problem.isPresent() ? "UNHEALTHY " : "", state,
                recordsInPerSecond, recordsOutPerSecond, lag.isPresent() ? String.format(Locale.ROOT, "%,d", lag.getAsLong()) : "unknown",
                deadLetters, newDeadLetters, problem.map(text -> "  problem: " + text).orElse(""));
    }
}
