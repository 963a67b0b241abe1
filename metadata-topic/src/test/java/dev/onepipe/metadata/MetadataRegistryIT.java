package dev.onepipe.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/** The library entry points the CLI calls, against a real broker. */
class MetadataRegistryIT {

    @Test
    void createsACompactedSinglePartitionTopicAndRefusesAWrongOne() throws Exception {
        final Map<String, Object> config = SharedKafkaBroker.clientConfig();
        try (Admin admin = Admin.create(config)) {
            MetadataTopic.ensureExists(admin, "_onepipe_metadata_created");
            MetadataTopic.ensureExists(admin, "_onepipe_metadata_created");
            final TopicDescription description =
                admin.describeTopics(List.of("_onepipe_metadata_created")).allTopicNames().get().get("_onepipe_metadata_created");
            assertEquals(1, description.partitions().size());
            final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "_onepipe_metadata_created");
            final Config topicConfig = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertEquals("compact", topicConfig.get("cleanup.policy").value());

            admin.createTopics(List.of(new NewTopic("_onepipe_metadata_wide", 2, (short) 1)
                .configs(Map.of("cleanup.policy", "compact")))).all().get();
            assertTrue(assertThrows(IllegalStateException.class,
                () -> MetadataTopic.ensureExists(admin, "_onepipe_metadata_wide")).getMessage().contains("exactly one"));
            admin.createTopics(List.of(new NewTopic("_onepipe_metadata_deleting", 1, (short) 1))).all().get();
            assertTrue(assertThrows(IllegalStateException.class,
                () -> MetadataTopic.ensureExists(admin, "_onepipe_metadata_deleting")).getMessage()
                .contains("cleanup.policy=delete"));
        }
    }

    @Test
    void registerCheckListShowAndDelete() {
        try (MetadataRegistry registry = MetadataRegistry.connect(SharedKafkaBroker.clientConfig(), "_onepipe_metadata_registry")) {
            final RegistrationResult dryRun =
                registry.check(RegistrationRequest.dataset(TestRegistry.widgets(), TestRegistry.WIDGETS_V1));
            assertTrue(dryRun.accepted());
            assertEquals(1, dryRun.schemaVersion().orElseThrow().id());
            assertTrue(registry.listDatasets().isEmpty());

            final RegistrationResult registered =
                registry.register(RegistrationRequest.dataset(TestRegistry.widgets(), TestRegistry.WIDGETS_V1));
            assertTrue(registered.schemaVersionCreated());
            assertTrue(registered.datasetVersionCreated());
            assertEquals("accepted register dataset widgets with schema: subject widgets-value version 1 id 1 (new);"
                + " dataset widgets version 1 (new)", registered.summary());
            assertEquals(List.of("widgets"), registry.listDatasets().stream().map(DatasetVersion::name).toList());
            assertEquals(List.of("widgets-value"), registry.listSubjects());

            final RegistrationResult again = registry.register(RegistrationRequest.schema("widgets-value", TestRegistry.WIDGETS_V1));
            assertFalse(again.schemaVersionCreated());
            assertEquals(1, again.schemaVersion().orElseThrow().version());

            final String incompatible = TestRegistry.WIDGETS_V2.replace("\"default\": \"unpainted\"", "\"doc\": \"no default\"");
            final RegistrationResult rejected = registry.check(RegistrationRequest.datasetSchema("widgets", incompatible));
            assertFalse(rejected.accepted());
            assertTrue(rejected.summary().contains("field 'color': READER_FIELD_MISSING_DEFAULT_VALUE"), rejected.summary());

            assertTrue(registry.register(RegistrationRequest.datasetSchema("widgets", TestRegistry.WIDGETS_V2)).accepted());
            final DatasetDescription description = registry.showDataset("widgets", OptionalInt.empty()).orElseThrow();
            assertEquals(2, description.schemaVersion().orElseThrow().version());
            assertEquals(2, description.schemaVersions().size());
            assertTrue(description.toText().contains("\"name\" : \"color\""), description.toText());
            assertEquals(1, registry.showDataset("widgets", OptionalInt.of(1)).orElseThrow().schemaVersion()
                .orElseThrow().version());
            assertTrue(registry.showDataset("nothing", OptionalInt.empty()).isEmpty());

            assertTrue(registry.deleteSchemaVersion("widgets-value", 2).accepted());
            assertEquals(1, registry.catalog().latestSchemaForDataset("widgets").orElseThrow().version());
            assertTrue(registry.deleteDataset("widgets").accepted());
            assertTrue(registry.listDatasets().isEmpty());
            assertTrue(registry.showDataset("widgets", OptionalInt.empty()).orElseThrow().current().deleted());
            assertFalse(registry.deleteDataset("nothing").accepted());
        }
    }
}
