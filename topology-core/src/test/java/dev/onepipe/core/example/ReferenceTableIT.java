package dev.onepipe.core.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.dataset.DatasetStreams;
import dev.onepipe.core.dataset.DroppedRecordMetrics;
import dev.onepipe.core.dataset.Ingest;
import dev.onepipe.core.dataset.ReferenceTable;
import dev.onepipe.core.deadletter.DeadLetter;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.metadata.producer.DatasetProducer;
import dev.onepipe.metadata.producer.JsonRecordConverter;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On a real broker: a reference table's unreadable records, one there before the start (read while the table is
 * built) and one arriving while it runs, reach {@code widgets.dlq} (created by the first dead letter) through the
 * table's own producer, and the join still sees the key's earlier value.
 */
class ReferenceTableIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final int PARTITIONS = 3;
    private static final String WIDGET = "{\"widget_id\": \"w-1\", \"version\": 1, \"updated_at\": 1704096000000,"
            + " \"name\": \"Blue Valve\", \"price\": 12.5, \"status\": \"ACTIVE\", \"tags\": [], \"description\": null}";
    private static final String PRICE = "{\"widget_id\": \"w-1\", \"version\": 1, \"name\": \"any\", \"price\": 2.5, \"updated_at\": 1704096000000}";

    /** Widget prices joined to the widgets reference table: "id name" per price. */
    private static final class NamedPrices implements OnepipeTopology {
        @Override
        public String name() {
            return "named-prices";
        }

        @Override
        public String description() {
            return "widget prices with the widget's name";
        }

        @Override
        public List<TopologySetting> settings() {
            return List.of();
        }

        @Override
        public void addTo(StreamsBuilder builder, TopologyContext context) {
            DatasetStreams datasets = DatasetStreams.of(builder, context);
            ReferenceTable widgets = datasets.referenceTable("widgets", Ingest.named("widget-names").fields(List.of("name")));
            widgets.leftJoin(datasets.stream("widget-prices"), (id, price) -> price.get("widget_id").toString(),
                            (price, widget) -> price.get("widget_id") + " " + (widget == null ? "-" : widget.get("name")), Named.as("join-widget"))
                    .to("named-prices", Produced.with(Serdes.String(), Serdes.String()));
        }
    }

    @Test
    void unreadableReferenceRecordsAreDeadLetteredBeforeAndWhileRunningAndTheKeyKeepsItsValue() throws Exception {
        ExampleDatasets.register(RUNTIME.bootstrapServers(), RUNTIME.admin(), PARTITIONS);
        RUNTIME.admin().createTopics(List.of(new NewTopic("named-prices", 1, (short) 1))).all().get();
        byte[] before = {0x42, 0x01};
        byte[] during = {0x42, 0x02};
        Map<String, Object> clientConfig = Map.of("bootstrap.servers", RUNTIME.bootstrapServers());
        try (DatasetProducer datasets = DatasetProducer.connect(clientConfig);
             KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(clientConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
            datasets.send("widgets", JsonRecordConverter.convert(SampleDatasets.schema(SampleDatasets.WIDGETS), WIDGET)).get();
            // the same key as the good widget, so the same partition, after it
            raw.send(new ProducerRecord<>("widgets", "w-1".getBytes(StandardCharsets.UTF_8), before)).get();
        }
        OnepipeConfig config = TopologyRunner.configure(new NamedPrices(), Map.of(), Map.of(), Map.of(
                OnepipeConfig.BOOTSTRAP_SERVERS, RUNTIME.bootstrapServers(),
                TopologyRunner.STATE_ROOT, Files.createTempDirectory("reference-table-it").toString()));
        TopologyContext context = new TopologyContext("named-prices", Optional.of("widget-prices"), "widget-prices", config, RegisteredDatasets.load(config));
        try (TopologyRunner runner = TopologyRunner.start(new NamedPrices(), context);
             CommittedTopicReader named = new CommittedTopicReader(RUNTIME.bootstrapServers(), "named-prices", 1)) {
            try (DatasetProducer datasets = DatasetProducer.connect(clientConfig);
                 KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(clientConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>("widgets", "w-1".getBytes(StandardCharsets.UTF_8), during)).get();
                datasets.send("widget-prices", JsonRecordConverter.convert(datasets.catalog().latestSchemaForDataset("widget-prices").orElseThrow().schema(), PRICE)).get();
            }
            assertTrue(named.awaitCount(1, Duration.ofMinutes(2)), "the price is joined");
            assertEquals("w-1 Blue Valve", new String(named.records().get(0).value(), StandardCharsets.UTF_8), "w-1 keeps its readable value");

            try (CommittedTopicReader deadLetters = new CommittedTopicReader(RUNTIME.bootstrapServers(), "widgets.dlq", PARTITIONS)) {
                assertTrue(deadLetters.awaitCount(2, Duration.ofMinutes(2)), "dead letters: " + deadLetters.count());
                List<DeadLetter> letters = deadLetters.records().stream().map(DeadLetter::from).toList();
                assertEquals(List.of("WRONG_MAGIC_BYTE", "WRONG_MAGIC_BYTE"), letters.stream().map(DeadLetter::reason).toList());
                assertArrayEquals(before, letters.get(0).value());
                assertArrayEquals(during, letters.get(1).value());
                assertEquals(Optional.of("widgets"), letters.get(0).sourceTopic());
                assertArrayEquals("w-1".getBytes(StandardCharsets.UTF_8), letters.get(1).key());
            }
            assertEquals(2, DroppedRecordMetrics.total(runner.streams().metrics(), "widget-names", DroppedRecordMetrics.CORRUPT));
        }
    }
}
