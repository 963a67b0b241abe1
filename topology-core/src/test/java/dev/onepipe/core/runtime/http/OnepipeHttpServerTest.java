package dev.onepipe.core.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.example.WidgetPricesTopology;
import dev.onepipe.core.testkit.OnepipeTestDriver;
import dev.onepipe.metadata.MetadataCatalog;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The endpoint over real HTTP, with the metrics of a topology that has run in the test driver. */
class OnepipeHttpServerTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static HttpResponse<String> get(OnepipeHttpServer server, String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static OnepipeTestDriver driverWithOneDeadLetter() {
        OnepipeTestDriver driver = OnepipeTestDriver.builder(new WidgetPricesTopology())
                .registerDatasetResources("onepipe/datasets/widgets.json", "onepipe/datasets/widgets.avsc")
                .registerDatasetResources("datasets/widget-prices.json", "datasets/widget-prices.avsc")
                .dataset("widgets")
                .build();
        driver.input("widgets").pipeBytes(new byte[] {1}, new byte[] {0x13, 0x37}, Instant.parse("2024-01-01T00:00:00Z"));
        return driver;
    }

    @Test
    void healthFollowsTheApplicationState() throws Exception {
        AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.REBALANCING);
        try (OnepipeTestDriver driver = driverWithOneDeadLetter();
             OnepipeHttpServer server = OnepipeHttpServer.start(new InetSocketAddress("127.0.0.1", 0),
                     new OnepipeHttpServer.Application("onepipe-widget-prices-widgets", state::get, driver::metrics, driver.catalog()), Map.of())) {
            HttpResponse<String> rebalancing = get(server, "/health");
            state.set(KafkaStreams.State.RUNNING);
            HttpResponse<String> running = get(server, "/health");
            state.set(KafkaStreams.State.ERROR);
            HttpResponse<String> failed = get(server, "/health");

            assertEquals(200, rebalancing.statusCode());
            assertEquals(200, running.statusCode());
            assertEquals(503, failed.statusCode());
            JsonNode body = new ObjectMapper().readTree(failed.body());
            assertEquals("onepipe-widget-prices-widgets", body.get("application").asText());
            assertEquals("ERROR", body.get("state").asText());
            assertEquals(false, body.get("healthy").asBoolean());
            assertTrue(failed.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        }
    }

    @Test
    void metricsAreKafkaStreamsMetricsAndOnepipesInPrometheusFormat() throws Exception {
        try (OnepipeTestDriver driver = driverWithOneDeadLetter();
             OnepipeHttpServer server = OnepipeHttpServer.start(new InetSocketAddress("127.0.0.1", 0),
                     new OnepipeHttpServer.Application("onepipe-widget-prices-widgets", () -> KafkaStreams.State.RUNNING, driver::metrics,
                             driver.catalog()), Map.of())) {
            HttpResponse<String> response = get(server, "/metrics");

            assertEquals(200, response.statusCode());
            assertEquals(PrometheusMetrics.CONTENT_TYPE, response.headers().firstValue("Content-Type").orElse(""));
            String body = response.body();
            assertTrue(body.contains("# TYPE kafka_stream_task_process_total counter\n"), body);
            assertTrue(body.contains("onepipe_dead_letter_records_total{topic=\"widgets.dlq\"} 1.0\n"), body);
            assertTrue(body.contains("onepipe_application_state{application_id=\"onepipe-widget-prices-widgets\",state=\"RUNNING\"} 1.0\n"), body);
            assertTrue(body.contains("onepipe_catalog_dataset_versions 2.0\n"), body);
            for (String line : body.split("\n")) {
                assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ")
                        || line.matches("[a-zA-Z_][a-zA-Z0-9_]*(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\")*})? \\S+"),
                        "not a Prometheus line: " + line);
            }
        }
    }

    @Test
    void topologyRoutesAnswerUnderTheirPrefixAndFailuresBecomeServerErrors() throws Exception {
        HttpRoute campaigns = request -> request.pathSegments().size() == 3 && request.pathSegments().get(2).equals("metrics")
                ? HttpRouteResponse.json(200, "{\"campaign\":\"" + request.pathSegments().get(1) + "\",\"window\":\""
                        + request.queryParameter("window").orElse("all") + "\"}")
                : HttpRouteResponse.notFound("no such campaign view");
        HttpRoute broken = request -> {
            throw new IllegalStateException("store not ready");
        };
        try (OnepipeTestDriver driver = driverWithOneDeadLetter();
             OnepipeHttpServer server = OnepipeHttpServer.start(new InetSocketAddress("127.0.0.1", 0),
                     new OnepipeHttpServer.Application("app", () -> KafkaStreams.State.RUNNING, driver::metrics, driver.catalog()),
                     Map.of("/campaigns/", campaigns, "/broken", broken))) {
            HttpResponse<String> found = get(server, "/campaigns/campaign-0001/metrics?window=2024-01-01T00%3A00Z");
            HttpResponse<String> notFound = get(server, "/campaigns/campaign-0001");
            HttpResponse<String> failure = get(server, "/broken");
            HttpResponse<String> unknown = get(server, "/nothing-here");

            assertEquals(200, found.statusCode());
            assertEquals("{\"campaign\":\"campaign-0001\",\"window\":\"2024-01-01T00:00Z\"}", found.body());
            assertEquals(404, notFound.statusCode());
            assertEquals(500, failure.statusCode());
            assertEquals("store not ready", failure.body());
            assertEquals(404, unknown.statusCode());
        }
    }

    @Test
    void aRouteMayNotHideHealthOrMetrics() {
        assertThrows(IllegalArgumentException.class, () -> OnepipeHttpServer.start(new InetSocketAddress("127.0.0.1", 0),
                new OnepipeHttpServer.Application("app", () -> KafkaStreams.State.RUNNING, Map::of, new MetadataCatalog()),
                Map.of("/metrics", request -> HttpRouteResponse.text(200, "mine"))));
    }

    @Test
    void anEndpointBoundBeforeTheApplicationStartsAdvertisesItsPortAndAnswersOnceServing() throws Exception {
        HttpRoute moved = request -> HttpRouteResponse.text(307, "").withHeader("Location", "http://elsewhere:8080" + request.path());
        try (OnepipeTestDriver driver = driverWithOneDeadLetter();
             OnepipeHttpServer server = OnepipeHttpServer.bind(new InetSocketAddress("127.0.0.1", 0))) {
            OnepipeConfig advertised = server.advertisedIn(OnepipeConfig.builder()
                    .layer("test", Map.of(OnepipeHttpServer.ADVERTISED_HOST, "instance-a")).build());
            OnepipeConfig configured = server.advertisedIn(OnepipeConfig.builder()
                    .layer("test", Map.of(StreamsConfig.APPLICATION_SERVER_CONFIG, "chosen:9000")).build());
            HttpResponse<String> starting = get(server, "/health");
            HttpResponse<String> routeBeforeServing = get(server, "/campaigns/c/metrics");
            server.serve(new OnepipeHttpServer.Application("app", () -> KafkaStreams.State.RUNNING, driver::metrics, driver.catalog()),
                    Map.of("/campaigns/", moved));
            HttpResponse<String> running = get(server, "/health");
            HttpResponse<String> redirect = get(server, "/campaigns/c/metrics");

            assertEquals(Optional.of("instance-a:" + server.port()), advertised.get(StreamsConfig.APPLICATION_SERVER_CONFIG));
            assertEquals(Optional.of("chosen:9000"), configured.get(StreamsConfig.APPLICATION_SERVER_CONFIG));
            assertEquals(503, starting.statusCode());
            assertEquals(503, routeBeforeServing.statusCode(), "not served yet: retry");
            assertEquals(Optional.of("1"), routeBeforeServing.headers().firstValue("Retry-After"));
            assertEquals(200, running.statusCode());
            assertEquals(307, redirect.statusCode());
            assertEquals(Optional.of("http://elsewhere:8080/campaigns/c/metrics"), redirect.headers().firstValue("Location"));
        }
    }
}
