package dev.onepipe.dedup.topology;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MergeStrategy;

/**
 * Names and metadata of what the dedup topology writes for a dataset, per the clean topic contract in the module
 * README: the dataset {@code <dataset>-clean} (topic of the same name, the dataset's unique key, ordering and
 * event-time fields; its merge strategy is {@code LAST_SEEN}, since each record of the clean topic is the key's new
 * merged state) and the topic {@code <dataset>-clean-conflicts}.
 */
public final class CleanDataset {

    public static final String SUFFIX = "-clean";
    public static final String CONFLICTS_SUFFIX = "-clean-conflicts";

    private CleanDataset() {
    }

    /** {@code <dataset>-clean}: the name of the clean dataset and of its topic. */
    public static String nameOf(String dataset) {
        return dataset + SUFFIX;
    }

    /** {@code <dataset>-clean-conflicts}: where vector-clock conflicts go. */
    public static String conflictsTopicOf(String dataset) {
        return dataset + CONFLICTS_SUFFIX;
    }

    /** The metadata the clean dataset of {@code source} is registered with. */
    public static DatasetMetadata metadataOf(DatasetMetadata source) {
        String name = nameOf(source.name());
        return DatasetMetadata.builder(name)
                .topic(name)
                .valueSubject(name + DatasetMetadata.VALUE_SUBJECT_SUFFIX)
                .uniqueKey(source.uniqueKey())
                .ordering(source.ordering())
                .eventTimeField(source.eventTimeField().orElse(null))
                .merge(MergeStrategy.lastSeen())
                .compatibility(source.compatibility())
                .dedupHorizon(source.dedupHorizon())
                .owner(source.owner().orElse(null))
                .description("The merged state per unique key of dataset " + source.name() + ", written by the dedup topology")
                .build();
    }
}
