package dev.onepipe.core.example;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.RegistrationResult;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/** The example's datasets, widgets and widget-prices, registered on a real broker with their topics. */
final class ExampleDatasets {

    private ExampleDatasets() {
    }

    /** Registers both datasets and creates their topics; returns the schema id registered for widgets. */
    static int register(String bootstrapServers, Admin admin, int partitions) throws ExecutionException, InterruptedException {
        int widgetsSchemaId;
        try (MetadataRegistry registry = MetadataRegistry.connect(Map.of("bootstrap.servers", bootstrapServers))) {
            List<RegistrationResult> results = registry.registerAll(List.of(
                    RegistrationRequest.dataset(DatasetMetadata.fromJson(SampleDatasets.metadataJson(SampleDatasets.WIDGETS)),
                            SampleDatasets.schema(SampleDatasets.WIDGETS)),
                    RegistrationRequest.dataset(DatasetMetadata.fromJson(resource("datasets/widget-prices.json")),
                            resource("datasets/widget-prices.avsc"))));
            results.forEach(ExampleDatasets::accepted);
            widgetsSchemaId = results.get(0).schemaVersion().orElseThrow().id();
        }
        admin.createTopics(List.of(new NewTopic("widgets", partitions, (short) 1), new NewTopic("widget-prices", partitions, (short) 1)))
                .all().get();
        return widgetsSchemaId;
    }

    private static RegistrationResult accepted(RegistrationResult result) {
        if (!result.accepted()) {
            throw new IllegalStateException("Registration rejected: " + result.reasons());
        }
        return result;
    }

    private static String resource(String name) {
        try (InputStream input = ExampleDatasets.class.getClassLoader().getResourceAsStream(name)) {
            return new String(input.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
