package dev.onepipe.metadata;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.apache.avro.Schema;

/** Schemas, metadata and a fixed-clock planner shared by the tests. */
public final class TestRegistry {

    public static final Instant NOW = Instant.parse("2025-05-01T12:00:00Z");
    public static final String WIDGETS_V1 = "{\"type\": \"record\", \"name\": \"Widget\", \"namespace\": \"example\","
        + " \"fields\": ["
        + "{\"name\": \"widget_id\", \"type\": \"string\"},"
        + "{\"name\": \"name\", \"type\": \"string\"},"
        + "{\"name\": \"price\", \"type\": [\"null\", \"double\"], \"default\": null},"
        + "{\"name\": \"version\", \"type\": \"long\"},"
        + "{\"name\": \"updated_at\", \"type\": {\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}}]}";
    /** v1 plus a field with a default: BACKWARD and FORWARD compatible. */
    public static final String WIDGETS_V2 = "{\"type\": \"record\", \"name\": \"Widget\", \"namespace\": \"example\","
        + " \"fields\": ["
        + "{\"name\": \"widget_id\", \"type\": \"string\"},"
        + "{\"name\": \"name\", \"type\": \"string\"},"
        + "{\"name\": \"price\", \"type\": [\"null\", \"double\"], \"default\": null},"
        + "{\"name\": \"version\", \"type\": \"long\"},"
        + "{\"name\": \"updated_at\", \"type\": {\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}},"
        + "{\"name\": \"color\", \"type\": \"string\", \"default\": \"unpainted\"}]}";

    private TestRegistry() {
    }

    public static Schema parse(final String json) {
        return new Schema.Parser().parse(json);
    }

    public static RegistrationPlanner planner() {
        return new RegistrationPlanner(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    public static DatasetMetadata widgets() {
        return DatasetMetadata.builder("widgets")
            .uniqueKey("widget_id")
            .ordering("updated_at", "version")
            .eventTimeField("updated_at")
            .merge(MergeStrategy.latestByField("version"))
            .owner("catalog-team")
            .build();
    }

    /** A catalog holding the widgets dataset with schema v1, registered through the planner. */
    public static MetadataCatalog catalogWithWidgets() {
        final MetadataCatalog catalog = new MetadataCatalog();
        final RegistrationPlan plan = planner().plan(catalog, RegistrationRequest.dataset(widgets(), WIDGETS_V1));
        if (!plan.allAccepted()) {
            throw new IllegalStateException(plan.results().toString());
        }
        plan.records().forEach(catalog::apply);
        return catalog;
    }

    /** Plans and applies one request, failing when it is rejected. */
    public static RegistrationResult register(final MetadataCatalog catalog, final RegistrationRequest request) {
        final RegistrationPlan plan = planner().plan(catalog, request);
        if (!plan.allAccepted()) {
            throw new IllegalStateException(plan.results().toString());
        }
        plan.records().forEach(catalog::apply);
        return plan.result();
    }
}
