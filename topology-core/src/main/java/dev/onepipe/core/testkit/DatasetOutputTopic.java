package dev.onepipe.core.testkit;

import java.util.List;

import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.serde.DatasetDeserializer;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Reads what a topology wrote to a dataset's topic, each record in the schema version it was written with. Each
 * record is read once; reading from an empty topic throws {@link java.util.NoSuchElementException}.
 */
public final class DatasetOutputTopic {

    private final String topic;
    private final TestOutputTopic<String, GenericRecord> records;

    DatasetOutputTopic(TopologyTestDriver driver, MetadataCatalog catalog, String dataset) {
        this.topic = RegisteredDatasets.require(catalog, dataset).topic();
        this.records = driver.createOutputTopic(topic, new StringDeserializer(),
                DatasetDeserializer.readingAsWritten(catalog, dataset, DatasetDeserializer.DEFAULT_UNKNOWN_ID_WAIT));
    }

    public GenericRecord readValue() {
        return records.readValue();
    }

    public KeyValue<String, GenericRecord> readKeyValue() {
        return records.readKeyValue();
    }

    /** The next record with its key, value, timestamp and headers. */
    public TestRecord<String, GenericRecord> readRecord() {
        return records.readRecord();
    }

    public List<GenericRecord> readValuesToList() {
        return records.readValuesToList();
    }

    public List<KeyValue<String, GenericRecord>> readKeyValuesToList() {
        return records.readKeyValuesToList();
    }

    public List<TestRecord<String, GenericRecord>> readRecordsToList() {
        return records.readRecordsToList();
    }

    public boolean isEmpty() {
        return records.isEmpty();
    }

    /** Records written and not read yet. */
    public long queueSize() {
        return records.getQueueSize();
    }

    public String topic() {
        return topic;
    }
}
