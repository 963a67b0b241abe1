package dev.onepipe.core;

import java.util.Objects;
import java.util.Optional;

import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataTopic;

/**
 * What a topology is started for: its dataset (or raw topic), the input topic, the layered configuration, and
 * the catalog of schemas and dataset metadata its serdes resolve against.
 *
 * <p>The runner (and the test kit) keep {@link #catalog()} in step with the metadata topic through a global
 * store, so a topology may hand it to serdes when it builds and rely on it being complete before the first
 * record is processed.
 *
 * @param topologyName the topology's {@link OnepipeTopology#name()}
 * @param dataset      the registered dataset it runs for, empty when started on a raw topic
 * @param inputTopic   the topic it reads: the dataset's topic, or the raw topic
 * @param config       configuration with every layer applied (defaults, file, environment, flags)
 * @param catalog      schemas and dataset metadata, fed from the metadata topic
 */
public record TopologyContext(String topologyName, Optional<String> dataset, String inputTopic, OnepipeConfig config,
                              MetadataCatalog catalog) {

    public static final String APPLICATION_ID_PREFIX = "onepipe-";
    public static final String METADATA_TOPIC = "onepipe.metadata.topic";

    public TopologyContext {
        Objects.requireNonNull(topologyName, "topologyName");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(inputTopic, "inputTopic");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(catalog, "catalog");
    }

    /** A context with an empty catalog, filled from the metadata topic once the topology runs. */
    public TopologyContext(String topologyName, Optional<String> dataset, String inputTopic, OnepipeConfig config) {
        this(topologyName, dataset, inputTopic, config, new MetadataCatalog());
    }

    /** What the topology runs for, as it appears in names: the dataset, or else the topic. */
    public String target() {
        return dataset.orElse(inputTopic);
    }

    /** {@code application.id} if configured, else {@code onepipe-<topology>-<dataset or topic>}. */
    public String applicationId() {
        return config.get("application.id").orElse(APPLICATION_ID_PREFIX + topologyName + "-" + target());
    }

    /** The registry's topic: {@code onepipe.metadata.topic}, by default {@value MetadataTopic#DEFAULT_NAME}. */
    public String metadataTopic() {
        return metadataTopic(config);
    }

    public static String metadataTopic(OnepipeConfig config) {
        return config.get(METADATA_TOPIC, MetadataTopic.DEFAULT_NAME);
    }
}
