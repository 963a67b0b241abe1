package dev.onepipe.core.runtime.health;

import java.util.Objects;
import java.util.Optional;

import org.apache.kafka.streams.KafkaStreams;

/**
 * Whether a running application makes progress, as {@code /health} and the status line report it.
 *
 * @param state                   the Kafka Streams state
 * @param healthy                 true only while the state is RUNNING or REBALANCING and {@link ProgressWatch} sees no
 *                                failed stream thread since the last commit and no stall
 * @param problem                 why it is not healthy, in one sentence; empty when healthy
 * @param lastError               the last stream-thread failure, with its cause chain; empty if none since the last commit
 * @param threadFailuresSinceCommit stream threads that failed since a task last committed
 */
public record TopologyHealth(KafkaStreams.State state, boolean healthy, Optional<String> problem, Optional<String> lastError,
                             int threadFailuresSinceCommit) {

    public TopologyHealth {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(lastError, "lastError");
    }

    /** The health told by the state alone: healthy while RUNNING or REBALANCING. */
    public static TopologyHealth ofState(KafkaStreams.State state) {
        boolean healthy = isActive(state);
        return new TopologyHealth(state, healthy, healthy ? Optional.empty() : Optional.of("state is " + state), Optional.empty(), 0);
    }

    static boolean isActive(KafkaStreams.State state) {
        return state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
    }
}
