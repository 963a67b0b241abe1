package dev.onepipe.core.example;

import dev.onepipe.core.testing.OnepipeProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.metadata.MetadataCatalogReader;
import dev.onepipe.metadata.MetadataTopic;
import dev.onepipe.metadata.producer.DatasetProducer;
import dev.onepipe.metadata.serde.DatasetDeserializer;
import dev.onepipe.testdata.GeneratedRecord;
import dev.onepipe.testdata.WidgetGenerator;
import dev.onepipe.testdata.WidgetGeneratorConfig;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's example topology run as an operator runs it, {@code onepipe run widget-prices --dataset widgets} in
 * its own JVM against a real broker: it writes exactly the widgets at or below the price, prints status lines and
 * serves {@code /health} and {@code /metrics}.
 */
class WidgetPricesRunIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final Pattern SERVES = Pattern.compile("serves http://localhost:(\\d+)/health");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void runsThroughOnepipeRunAndReportsItsHealthAndMetrics() throws Exception {
        ExampleDatasets.register(RUNTIME.bootstrapServers(), RUNTIME.admin(), 2);
        List<GeneratedRecord> widgets = new WidgetGenerator(WidgetGeneratorConfig.builder().seed(11).recordCount(500).noDefects().build())
                .generateAll();
        try (DatasetProducer producer = DatasetProducer.connect(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()))) {
            List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new java.util.ArrayList<>();
            widgets.forEach(record -> sent.add(producer.send("widgets", record.value())));
            for (java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> acknowledgement : sent) {
                // A lost input record would look like a topology that drops data: fail here, with the cause, instead.
                acknowledgement.get(2, java.util.concurrent.TimeUnit.MINUTES);
            }
        }
        Set<String> expected = new TreeSet<>();
        for (GeneratedRecord record : widgets) {
            if ((double) record.value().get("price") <= 100.0) {
                expected.add(record.value().get("widget_id") + "/" + record.value().get("version") + " " + record.value().get("price"));
            }
        }
        assertTrue(expected.size() > 20 && expected.size() < widgets.size(), "the filter keeps some and drops some: " + expected.size());

        try (CommittedTopicReader output = new CommittedTopicReader(RUNTIME.bootstrapServers(), "widget-prices", 2);
             OnepipeProcess run = OnepipeProcess.start("run", "widget-prices", "--dataset", "widgets",
                     "--bootstrap-servers", RUNTIME.bootstrapServers(), "--http-port", "0", "--status-interval", "1",
                     "--set", "onepipe.state.root=" + Files.createTempDirectory("widget-prices-run-it"))) {
            assertTrue(output.awaitCount(expected.size(), Duration.ofMinutes(2)), "output " + output.count() + ":\n" + run.output());
            Thread.sleep(1_000);
            assertEquals(expected, written(output.records()));

            String serves = run.awaitLine(line -> SERVES.matcher(line).find(), Duration.ofSeconds(30)).orElseThrow(() ->
                    new AssertionError("no HTTP address printed:\n" + run.output()));
            Matcher port = SERVES.matcher(serves);
            assertTrue(port.find());
            HttpResponse<String> health = get(port.group(1), "/health");
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"state\":\"RUNNING\""), health.body());
            HttpResponse<String> metrics = get(port.group(1), "/metrics");
            assertTrue(metrics.body().contains("kafka_stream_thread_process_total{"), "Kafka Streams metrics are served");
            assertTrue(metrics.body().contains("onepipe_application_state{application_id=\"onepipe-widget-prices-widgets\",state=\"RUNNING\"} 1"));
            assertTrue(run.awaitLine(line -> line.matches("onepipe-widget-prices-widgets RUNNING  in [\\d,]+/s  out [\\d,]+/s  lag [\\d,]+  dead letters 0 \\(\\+0\\)"),
                    Duration.ofSeconds(30)).isPresent(), "status lines are printed:\n" + run.output());

            assertEquals(143, run.terminate(Duration.ofSeconds(60)), run.output());
            assertTrue(run.output().contains("onepipe-widget-prices-widgets stopped cleanly"), run.output());
        }
    }

    private static Set<String> written(List<ConsumerRecord<byte[], byte[]>> records) throws InterruptedException {
        Set<String> written = new TreeSet<>();
        try (MetadataCatalogReader catalog = MetadataCatalogReader.start(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()),
                MetadataTopic.DEFAULT_NAME)) {
            assertTrue(catalog.awaitReady(Duration.ofSeconds(30)));
            DatasetDeserializer<GenericRecord> prices = DatasetDeserializer.readingAsWritten(catalog.catalog(), "widget-prices", Duration.ZERO);
            for (ConsumerRecord<byte[], byte[]> record : records) {
                GenericRecord price = prices.deserialize("widget-prices", record.value());
                assertTrue(written.add(price.get("widget_id") + "/" + price.get("version") + " " + price.get("price")), "written once: " + price);
            }
        }
        return written;
    }

    private static HttpResponse<String> get(String port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
