package dev.onepipe.testdata;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;

/**
 * The sample datasets shipped with onepipe: for each, an Avro schema and the dataset metadata JSON,
 * loaded from {@code onepipe/datasets/<name>.avsc} and {@code onepipe/datasets/<name>.json} on the class path.
 *
 * <p>Schemas are parsed once, when this class is loaded, and the same {@link Schema} instance is returned
 * on every call: Avro caches readers by schema identity, and generated records carry this instance.
 */
public final class SampleDatasets {

    public static final String WIDGETS = "widgets";
    public static final String AD_SERVED = "ad-served";
    public static final String AD_VIEWS = "ad-views";
    public static final String AD_CLICKS = "ad-clicks";
    public static final String CAMPAIGNS = "campaigns";
    public static final String YSB_EVENTS = "ysb-events";
    public static final String YSB_CAMPAIGNS = "ysb-campaigns";

    private static final String RESOURCE_FOLDER = "onepipe/datasets/";

    private static final List<String> NAMES =
        List.of(WIDGETS, AD_SERVED, AD_VIEWS, AD_CLICKS, CAMPAIGNS, YSB_EVENTS, YSB_CAMPAIGNS);

    private static final Map<String, Schema> SCHEMAS = new LinkedHashMap<>();
    private static final Map<String, String> METADATA = new LinkedHashMap<>();

    static {
        for (final String name : NAMES) {
            // A parser per schema: each file is self-contained, and named types must not leak between files.
            SCHEMAS.put(name, new Schema.Parser().parse(readResource(RESOURCE_FOLDER + name + ".avsc")));
            METADATA.put(name, readResource(RESOURCE_FOLDER + name + ".json"));
        }
    }

    private SampleDatasets() {
    }

    /** Names of all sample datasets, in a fixed order. */
    public static List<String> names() {
        return NAMES;
    }

    /** The parsed value schema of a sample dataset; always the same instance for a name. */
    public static Schema schema(final String name) {
        final Schema schema = SCHEMAS.get(name);
        if (schema == null) {
            throw unknown(name);
        }
        return schema;
    }

    /** The dataset metadata JSON of a sample dataset, as shipped. */
    public static String metadataJson(final String name) {
        final String metadata = METADATA.get(name);
        if (metadata == null) {
            throw unknown(name);
        }
        return metadata;
    }

    static String readResource(final String path) {
        try (InputStream input = SampleDatasets.class.getClassLoader().getResourceAsStream(path)) {
            if (input == null) {
                throw new IllegalStateException("Missing class path resource " + path);
            }
            return new String(input.readAllBytes(), StandardCharsets.UTF_8);
        } catch (final IOException exception) {
            throw new UncheckedIOException("Cannot read class path resource " + path, exception);
        }
    }

    private static IllegalArgumentException unknown(final String name) {
        return new IllegalArgumentException("Unknown sample dataset '" + name + "'; known: " + NAMES);
    }
}
