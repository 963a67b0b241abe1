package dev.onepipe.archive.cli;

import java.util.Optional;

import dev.onepipe.archive.ArchiveTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.cli.ConfigOptions;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.metadata.MetadataCatalog;
import picocli.CommandLine.Option;

/** Which archive a command works on: a dataset's ({@code --dataset}) or any topic's ({@code --topic}). A picocli argument group. */
public final class ArchiveTarget {

    @Option(names = "--dataset", paramLabel = "<name>", description = "Registered dataset whose topic was archived.")
    String dataset;

    @Option(names = "--topic", paramLabel = "<topic>", description = "Archived topic.")
    String topic;

    /**
     * The archive application's context for this target, with the archive's defaults and every configuration layer.
     * A dataset's topic is looked up in the registry, so its application id (the archive's consumer group) is
     * {@code onepipe-archive-<dataset>}, as {@code onepipe run archive --dataset <name>} names it.
     *
     * @throws IllegalArgumentException if {@code --dataset} names a dataset that is not registered
     */
    TopologyContext context(ConfigOptions options) {
        ArchiveTopology archive = new ArchiveTopology();
        OnepipeConfig config = TopologyRunner.configure(archive, options.fileLayer(), options.environmentLayer(), options.flagLayer());
        if (dataset == null) {
            return new TopologyContext(archive.name(), Optional.empty(), topic, config);
        }
        MetadataCatalog catalog = RegisteredDatasets.load(config);
        String datasetTopic = RegisteredDatasets.require(catalog, dataset).topic();
        return new TopologyContext(archive.name(), Optional.of(dataset), datasetTopic, config, catalog);
    }
}
