package dev.onepipe.archive;

import java.util.Optional;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.cli.ConfigOptions;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.TopologyRunner;
import picocli.CommandLine.Option;

/** Which archive a command works on: a dataset's ({@code --dataset}) or any topic's ({@code --topic}). A picocli argument group. */
public final class ArchiveTarget {

    @Option(names = "--dataset", paramLabel = "<name>", description = "Registered dataset whose topic was archived.")
    String dataset;

    @Option(names = "--topic", paramLabel = "<topic>", description = "Archived topic.")
    String topic;

    /** The archive application's context for this target, with the archive's defaults and every configuration layer. */
    TopologyContext context(ConfigOptions options) {
        ArchiveTopology archive = new ArchiveTopology();
        OnepipeConfig config = TopologyRunner.configure(archive, options.fileLayer(), options.environmentLayer(), options.flagLayer());
        return new TopologyContext(archive.name(), Optional.ofNullable(dataset), topic != null ? topic : dataset, config);
    }
}
