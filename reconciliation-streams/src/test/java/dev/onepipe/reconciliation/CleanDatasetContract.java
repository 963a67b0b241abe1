package dev.onepipe.reconciliation;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MergeStrategy;

/**
 * The clean dataset as dedup-streams/README.md ("Clean topic") says it is registered, written out here from that
 * contract (a test of this module never uses dedup's classes): the dataset {@code <dataset>-clean}, its topic of the
 * same name, value subject {@code <dataset>-clean-value}, the source's unique key, ordering and event-time fields.
 */
final class CleanDatasetContract {

    private CleanDatasetContract() {
    }

    /** The metadata of {@code source}'s clean dataset. */
    static DatasetMetadata metadataOf(DatasetMetadata source) {
        String name = source.name() + "-clean";
        return DatasetMetadata.builder(name)
                .topic(name)
                .valueSubject(name + DatasetMetadata.VALUE_SUBJECT_SUFFIX)
                .uniqueKey(source.uniqueKey())
                .ordering(source.ordering())
                .eventTimeField(source.eventTimeField().orElse(null))
                .merge(MergeStrategy.lastSeen())
                .compatibility(source.compatibility())
                .build();
    }
}
