package dev.onepipe.core;

import java.util.List;

import org.apache.kafka.streams.StreamsBuilder;

/**
 * A onepipe topology: a named piece of Kafka Streams processing for one dataset (or topic), found on the
 * classpath through {@link java.util.ServiceLoader}, so a topology jar added later needs no launcher change.
 *
 * <p>Implementations list themselves in {@code META-INF/services/dev.onepipe.core.OnepipeTopology} and are
 * started with {@code onepipe run <name> --dataset <dataset>}; their application id defaults to
 * {@code onepipe-<name>-<dataset>}.
 */
public interface OnepipeTopology {

    /** The name used on the command line, e.g. {@code archive}. Lower case, digits and dashes. */
    String name();

    /** One line saying what the topology does, shown by {@code onepipe topologies}. */
    String description();

    /** The settings this topology reads, with their defaults and documentation. */
    List<TopologySetting> settings();

    /**
     * Whether the topology can run on any topic, registered or not ({@code --topic}), rather than only on a
     * registered dataset.
     */
    default boolean acceptsAnyTopic() {
        return false;
    }

    /** Adds this topology's processing for {@code context}'s dataset to {@code builder}. */
    void addTo(StreamsBuilder builder, TopologyContext context);
}
