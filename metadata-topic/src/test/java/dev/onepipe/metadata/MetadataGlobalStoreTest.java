package dev.onepipe.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Properties;

import dev.onepipe.metadata.serde.DatasetSerdes;
import dev.onepipe.metadata.serde.DatasetSerializer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** The catalog works unchanged inside TopologyTestDriver: schemas planned offline are piped into the metadata topic. */
class MetadataGlobalStoreTest {

    @Test
    void topologyResolvesSchemasPipedIntoTheMetadataTopic() {
        final MetadataCatalog catalog = new MetadataCatalog();
        final StreamsBuilder builder = new StreamsBuilder();
        MetadataGlobalStore.addTo(builder, MetadataTopic.DEFAULT_NAME, catalog);
        builder.stream("widgets", Consumed.with(Serdes.String(), DatasetSerdes.generic(catalog, "widgets", 2)))
            .mapValues(widget -> widget.get("widget_id") + " " + widget.get("color"))
            .to("colors", Produced.with(Serdes.String(), Serdes.String()));

        final Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "global-store-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), config)) {
            final TestInputTopic<byte[], byte[]> metadataTopic = driver.createInputTopic(MetadataTopic.DEFAULT_NAME,
                new ByteArraySerializer(), new ByteArraySerializer());
            final RegistrationPlan plan = TestRegistry.planner().plan(new MetadataCatalog(), List.of(
                RegistrationRequest.dataset(TestRegistry.widgets(), TestRegistry.WIDGETS_V1),
                RegistrationRequest.datasetSchema("widgets", TestRegistry.WIDGETS_V2)));
            for (final MetadataRecord record : plan.records()) {
                metadataTopic.pipeInput(record.key(), record.value());
            }
            assertEquals(2, catalog.schemaVersionCount());
            final KeyValueStore<Bytes, byte[]> store = driver.getKeyValueStore(MetadataGlobalStore.DEFAULT_STORE_NAME);
            assertEquals(3, store.approximateNumEntries());

            final GenericRecord old = new GenericData.Record(catalog.schemaById(1).orElseThrow().schema());
            old.put("widget_id", "w-1");
            old.put("name", "First");
            old.put("version", 1L);
            old.put("updated_at", 0L);
            final TestInputTopic<String, byte[]> widgets =
                driver.createInputTopic("widgets", new StringSerializer(), new ByteArraySerializer());
            widgets.pipeInput("w-1", new DatasetSerializer<GenericRecord>(catalog, "widgets").serialize("widgets", old));

            final TestOutputTopic<String, String> colors =
                driver.createOutputTopic("colors", new StringDeserializer(), new StringDeserializer());
            assertEquals("w-1 unpainted", colors.readValue());
            assertTrue(colors.isEmpty());

            metadataTopic.pipeInput(MetadataKey.dataset("widgets", 1).toBytes(), (byte[]) null);
            assertTrue(catalog.dataset("widgets").isEmpty());
            assertEquals(2, store.approximateNumEntries());
        }
    }
}
