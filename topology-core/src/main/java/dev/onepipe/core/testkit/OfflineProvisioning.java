package dev.onepipe.core.testkit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.onepipe.core.TopologyProvisioning;
import dev.onepipe.metadata.DatasetVersion;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataRecord;
import dev.onepipe.metadata.RegistrationPlan;
import dev.onepipe.metadata.RegistrationPlanner;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.RegistrationResult;

/**
 * The provisioning {@link OnepipeTestDriver} runs a topology's {@code provision} with: registrations are planned with
 * the registry's own {@link RegistrationPlanner} into the driver's catalog (and later piped into its metadata topic),
 * topics are only noted, and every topic has {@link #OFFLINE_PARTITIONS} partition and no topic-level settings.
 */
final class OfflineProvisioning implements TopologyProvisioning {

    private final MetadataCatalog catalog;
    private final RegistrationPlanner planner;
    private final List<MetadataRecord> records = new ArrayList<>();
    private final Set<String> createdTopics = new LinkedHashSet<>();

    OfflineProvisioning(MetadataCatalog catalog, RegistrationPlanner planner) {
        this.catalog = catalog;
        this.planner = planner;
    }

    @Override
    public boolean offline() {
        return true;
    }

    @Override
    public void requireTopics(Collection<String> topics) {
        // The driver creates a topic when a test pipes into it: every topic exists.
    }

    @Override
    public int partitions(String topic) {
        return OFFLINE_PARTITIONS;
    }

    @Override
    public Optional<String> topicConfig(String topic, String key) {
        return Optional.empty();
    }

    @Override
    public void createTopic(String topic, int partitions, boolean compacted) {
        createdTopics.add(topic);
    }

    @Override
    public DatasetVersion registerDataset(RegistrationRequest request) {
        RegistrationPlan plan = planner.plan(catalog, request);
        RegistrationResult result = plan.result();
        if (!result.accepted()) {
            throw new IllegalStateException("Cannot register " + request + ": " + String.join("; ", result.reasons()));
        }
        catalog.applyAll(plan.entries());
        records.addAll(plan.records());
        return result.datasetVersion().orElseThrow(() -> new IllegalArgumentException(request + " registers no dataset"));
    }

    /** The metadata records of every registration so far, for the driver's metadata topic. */
    List<MetadataRecord> records() {
        return List.copyOf(records);
    }

    /** The topics {@code provision} asked to create. */
    Set<String> createdTopics() {
        return Set.copyOf(createdTopics);
    }
}
