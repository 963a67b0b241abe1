package dev.onepipe.core.testkit;

import java.time.Instant;

import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.producer.JsonRecordConverter;
import dev.onepipe.metadata.serde.DatasetSerializer;
import dev.onepipe.metadata.serde.UniqueKeyEncoder;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * Pipes records into a dataset's topic as a onepipe producer would write them: validated against the dataset's
 * registered schema (an invalid record throws {@code WireFormatException} and is not piped), in the wire format,
 * keyed by the unique key unless a key is given. Every record carries an explicit timestamp.
 */
public final class DatasetInputTopic {

    private final MetadataCatalog catalog;
    private final String dataset;
    private final DatasetMetadata metadata;
    private final UniqueKeyEncoder keyEncoder;
    private final TestInputTopic<String, GenericRecord> records;
    private final TestInputTopic<byte[], byte[]> bytes;

    DatasetInputTopic(TopologyTestDriver driver, MetadataCatalog catalog, String dataset) {
        this.catalog = catalog;
        this.dataset = dataset;
        this.metadata = RegisteredDatasets.require(catalog, dataset);
        this.keyEncoder = UniqueKeyEncoder.forDataset(metadata);
        this.records = driver.createInputTopic(metadata.topic(), new StringSerializer(), new DatasetSerializer<>(catalog, dataset));
        this.bytes = driver.createInputTopic(metadata.topic(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Pipes {@code value} keyed by its unique key. */
    public void pipe(GenericRecord value, Instant timestamp) {
        pipe(keyEncoder.encode(value), value, timestamp);
    }

    /** Pipes {@code value} with an explicit key. */
    public void pipe(String key, GenericRecord value, Instant timestamp) {
        records.pipeInput(key, value, timestamp);
    }

    /** Pipes natural JSON converted with the dataset's latest schema, keyed by its unique key. */
    public void pipeJson(String json, Instant timestamp) {
        pipe(record(json), timestamp);
    }

    /** Pipes bytes as they are, e.g. corrupt values that must end up in the dead-letter topic. */
    public void pipeBytes(byte[] key, byte[] value, Instant timestamp) {
        bytes.pipeInput(key, value, timestamp);
    }

    /** A record of the dataset's latest schema from natural JSON ({@code {"price": 9.99, "description": null}}). */
    public GenericRecord record(String json) {
        return JsonRecordConverter.convert(schema(), json);
    }

    /** The dataset's latest registered value schema. */
    public Schema schema() {
        return catalog.latestSchemaForDataset(dataset).orElseThrow(() -> new IllegalStateException(
                "Dataset '" + dataset + "' has no active schema version")).schema();
    }

    public String topic() {
        return metadata.topic();
    }
}
