package dev.onepipe.core;

import java.util.Objects;
import java.util.Optional;

import dev.onepipe.core.config.OnepipeConfig;

/**
 * What a topology is started for: its dataset (or raw topic), the input topic, and the layered configuration.
 *
 * @param topologyName the topology's {@link OnepipeTopology#name()}
 * @param dataset      the registered dataset it runs for, empty when started on a raw topic
 * @param inputTopic   the topic it reads: the dataset's topic, or the raw topic
 * @param config       configuration with every layer applied (defaults, file, environment, flags)
 */
public record TopologyContext(String topologyName, Optional<String> dataset, String inputTopic, OnepipeConfig config) {

    public static final String APPLICATION_ID_PREFIX = "onepipe-";

    public TopologyContext {
        Objects.requireNonNull(topologyName, "topologyName");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(inputTopic, "inputTopic");
        Objects.requireNonNull(config, "config");
    }

    /** What the topology runs for, as it appears in names: the dataset, or else the topic. */
    public String target() {
        return dataset.orElse(inputTopic);
    }

    /** {@code application.id} if configured, else {@code onepipe-<topology>-<dataset or topic>}. */
    public String applicationId() {
        return config.get("application.id").orElse(APPLICATION_ID_PREFIX + topologyName + "-" + target());
    }
}
