package dev.onepipe.campaign;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.RegistrationRequest;
import org.apache.avro.Schema;

/**
 * An output dataset this module writes, with its schema and metadata shipped as resources
 * ({@code onepipe/datasets/<name>.avsc} and {@code .json}), so the topology can register it when it is missing.
 */
public enum BundledDataset {

    CAMPAIGN_METRICS("campaign-metrics"),
    YSB_CAMPAIGN_METRICS("ysb-campaign-metrics");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Schema schema;
    private final String metadataJson;

    BundledDataset(String name) {
        this.name = name;
        this.schema = new Schema.Parser().parse(resource(name + ".avsc"));
        this.metadataJson = resource(name + ".json");
    }

    /** The name the dataset is shipped under, e.g. {@code campaign-metrics}. */
    public String bundledName() {
        return name;
    }

    public Schema schema() {
        return schema;
    }

    /** The shipped metadata, renamed to {@code datasetName} (its topic is the same name, its subject {@code <name>-value}). */
    public DatasetMetadata metadata(String datasetName) {
        try {
            ObjectNode metadata = (ObjectNode) JSON.readTree(metadataJson);
            metadata.put("name", datasetName);
            metadata.put("topic", datasetName);
            metadata.put("valueSubject", datasetName + DatasetMetadata.VALUE_SUBJECT_SUFFIX);
            return DatasetMetadata.fromJson(metadata);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Registers the schema and the metadata under {@code datasetName} together. */
    public RegistrationRequest registrationRequest(String datasetName) {
        return RegistrationRequest.dataset(metadata(datasetName), schema);
    }

    private static String resource(String fileName) {
        String path = "onepipe/datasets/" + fileName;
        try (InputStream in = BundledDataset.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
