package dev.onepipe.core;

import java.util.List;
import java.util.Map;

import dev.onepipe.core.runtime.http.HttpRoute;
import org.apache.kafka.streams.KafkaStreams;
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

    /**
     * Prepares the cluster before the topology starts: checks its inputs, creates the topics it writes and registers
     * the datasets it publishes, through {@code provisioning}. Runs once per start, after the registry has been read
     * into {@code context.catalog()} and before {@link #addTo}, so a dataset registered here resolves there:
     *
     * <pre>{@code
     * @Override
     * public void provision(TopologyContext context, TopologyProvisioning provisioning) {
     *     DatasetVersion output = provisioning.registerDataset(RegistrationRequest.dataset(metadata, schema));
     *     provisioning.createTopic(output.metadata().topic(), provisioning.partitions(context.inputTopic()), true);
     * }
     * }</pre>
     *
     * {@code TopologyRunner.start} calls it with the cluster's provisioning; {@code OnepipeTestDriver} calls it with an
     * offline one (registrations go into the driver's catalog, topics need not exist). The default does nothing.
     *
     * @throws IllegalArgumentException or IllegalStateException when the topology cannot run (a missing input,
     *                                  a refused registration); the start fails with that message
     */
    default void provision(TopologyContext context, TopologyProvisioning provisioning) {
    }

    /**
     * Adds this topology's processing for {@code context}'s dataset to {@code builder}. Builds only: anything the
     * cluster needs first belongs in {@link #provision}.
     */
    void addTo(StreamsBuilder builder, TopologyContext context);

    /**
     * HTTP routes served next to {@code /health} and {@code /metrics} when the topology runs with
     * {@code --http-port}, by path prefix (e.g. {@code /campaigns/}), for answering from state stores with
     * interactive queries on {@code streams}. Called once, after the application has started.
     */
    default Map<String, HttpRoute> httpRoutes(KafkaStreams streams, TopologyContext context) {
        return Map.of();
    }
}
