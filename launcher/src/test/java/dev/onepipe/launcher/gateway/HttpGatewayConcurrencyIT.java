package dev.onepipe.launcher.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.onepipe.core.runtime.http.HttpEndpointSettings;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.RegistrationResult;
import dev.onepipe.metadata.SchemaVersion;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gateway under concurrency on the real broker: registrations through the API racing registrations through the
 * registry library (what {@code onepipe metadata register} calls), and producer clients retrying requests under the
 * same {@code Idempotency-Key}. Bounded sizes, loopback only.
 */
class HttpGatewayConcurrencyIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final String METADATA_TOPIC = "_onepipe_metadata_concurrency";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLIENTS = 4;
    private static final int RECORDS_PER_CLIENT = 2_000;
    private static final int BATCH = 200;

    private static Map<String, Object> clientConfig() {
        return new HashMap<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()));
    }

    private static HttpGateway start() throws InterruptedException {
        return HttpGateway.start(HttpEndpointSettings.plain(new InetSocketAddress(HttpEndpointSettings.LOOPBACK, 0), 8), clientConfig(),
                METADATA_TOPIC, true, true);
    }

    private static String schema(String name, int fields) {
        StringBuilder text = new StringBuilder("{\"type\":\"record\",\"name\":\"" + name + "\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}");
        for (int field = 1; field < fields; field++) {
            text.append(",{\"name\":\"f").append(field).append("\",\"type\":\"long\",\"default\":0}");
        }
        return text.append("]}").toString();
    }

    @Test
    void registrationsThroughTheApiAndTheLibraryNeverShareAnIdOrAVersion() throws Exception {
        int versions = 4;
        HttpClient http = HttpClient.newHttpClient();
        try (HttpGateway gateway = start()) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<List<Integer>>> results = new ArrayList<>();
            for (String subject : List.of("api-a-value", "api-b-value")) {
                results.add(pool.submit(() -> {
                    List<Integer> ids = new ArrayList<>();
                    for (int version = 1; version <= versions; version++) {
                        String body = "{\"schema\":" + JSON.writeValueAsString(schema("A", version)) + "}";
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/subjects/" + subject + "/versions"))
                                .header("Content-Type", "application/vnd.schemaregistry.v1+json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        assertEquals(200, response.statusCode(), response.body());
                        ids.add(JSON.readTree(response.body()).path("id").asInt());
                    }
                    return ids;
                }));
            }
            for (String subject : List.of("cli-a-value", "cli-b-value")) {
                results.add(pool.submit(() -> {
                    List<Integer> ids = new ArrayList<>();
                    try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig(), METADATA_TOPIC)) {
                        for (int version = 1; version <= versions; version++) {
                            RegistrationResult result = registry.register(RegistrationRequest.schema(subject, schema("C", version)));
                            assertTrue(result.accepted(), result.summary());
                            ids.add(result.schemaVersion().orElseThrow().id());
                        }
                    }
                    return ids;
                }));
            }
            Set<Integer> ids = new TreeSet<>();
            for (Future<List<Integer>> result : results) {
                ids.addAll(result.get(300, TimeUnit.SECONDS));
            }
            pool.shutdown();
            assertEquals(4 * versions, ids.size(), "every registration took its own id: " + ids);
            try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig(), METADATA_TOPIC)) {
                for (String subject : List.of("api-a-value", "api-b-value", "cli-a-value", "cli-b-value")) {
                    assertEquals(List.of(1, 2, 3, 4), registry.schemaVersions(subject).stream().map(SchemaVersion::version).toList(), subject);
                }
            }
        }
    }

    @Test
    void retriesUnderTheSameIdempotencyKeyWriteEveryRecordExactlyOnce() throws Exception {
        try (Admin admin = Admin.create(clientConfig())) {
            admin.createTopics(List.of(new NewTopic("load", 4, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig(), METADATA_TOPIC)) {
            RegistrationResult result = registry.register(RegistrationRequest.dataset(DatasetMetadata.builder("load").topic("load")
                    .uniqueKey("id").build(), schema("Load", 2)));
            assertTrue(result.accepted(), result.summary());
        }
        Map<Integer, Integer> retriesByClient = new ConcurrentHashMap<>();
        try (HttpGateway gateway = start()) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> clients = new ArrayList<>();
            for (int client = 0; client < CLIENTS; client++) {
                int clientNumber = client;
                clients.add(pool.submit(() -> {
                    Random random = new Random(clientNumber);
                    for (int start = 0; start < RECORDS_PER_CLIENT; start += BATCH) {
                        StringBuilder lines = new StringBuilder();
                        for (int index = start; index < start + BATCH; index++) {
                            lines.append("{\"id\":\"c").append(clientNumber).append("-").append(index).append("\",\"f1\":").append(index).append("}\n");
                        }
                        String key = "client-" + clientNumber + "-batch-" + start;
                        int sends = 1 + (random.nextInt(3) == 0 ? 1 + random.nextInt(2) : 0);
                        for (int send = 0; send < sends; send++) {
                            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/datasets/load/records"))
                                    .header("Content-Type", "application/x-ndjson").header("Idempotency-Key", key)
                                    .POST(HttpRequest.BodyPublishers.ofString(lines.toString())).build(), HttpResponse.BodyHandlers.ofString());
                            assertEquals(200, response.statusCode(), response.body());
                            assertEquals(send > 0, response.headers().firstValue("Idempotent-Replayed").isPresent(), "replayed header");
                            assertEquals(BATCH, JSON.readTree(response.body()).path("offsets").size());
                        }
                        retriesByClient.merge(clientNumber, sends - 1, Integer::sum);
                    }
                    return null;
                }));
            }
            for (Future<?> client : clients) {
                client.get(600, TimeUnit.SECONDS);
            }
            pool.shutdown();

            int sends = CLIENTS * RECORDS_PER_CLIENT / BATCH + retriesByClient.values().stream().mapToInt(Integer::intValue).sum();
            String metrics = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("onepipe_http_produced_records_total{dataset=\"load\"} " + (double) (CLIENTS * RECORDS_PER_CLIENT) + "\n"),
                    "records produced, replays not counted: " + metrics);
            assertTrue(metrics.contains("onepipe_http_request_duration_seconds_count{method=\"POST\",route=\"/datasets\",status=\"200\"} "
                    + sends + "\n"), "one request per send, replays included (" + sends + "): " + metrics);
            assertTrue(metrics.contains("onepipe_http_in_flight_bytes "), metrics);
        }
        assertTrue(retriesByClient.values().stream().mapToInt(Integer::intValue).sum() > 0, "some requests were retried");

        // Keyed requests are Kafka transactions: read what is committed, to the last stable offset (the end offsets also
        // count the transaction markers).
        Map<String, Integer> copies = HttpProducerRestartIT.readCommitted(RUNTIME.bootstrapServers(), "load", 4);
        assertEquals(CLIENTS * RECORDS_PER_CLIENT, copies.values().stream().mapToInt(Integer::intValue).sum(), "records on the topic");
        assertEquals(CLIENTS * RECORDS_PER_CLIENT, copies.size(), "distinct unique keys");
        assertTrue(copies.values().stream().allMatch(count -> count == 1), "every record exactly once");
        for (int client = 0; client < CLIENTS; client++) {
            assertEquals(1, copies.get("c" + client + "-" + (RECORDS_PER_CLIENT - 1)), "last record of client " + client);
        }
    }

    @Test
    void aRestartedGatewayReplaysAKeyFromTheIdempotencyTopicAndRefusesItWithAnotherBody() throws Exception {
        try (Admin admin = Admin.create(clientConfig())) {
            admin.createTopics(List.of(new NewTopic("replayed", 2, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig(), METADATA_TOPIC)) {
            RegistrationResult result = registry.register(RegistrationRequest.dataset(DatasetMetadata.builder("replayed").topic("replayed")
                    .uniqueKey("id").build(), schema("Replayed", 2)));
            assertTrue(result.accepted(), result.summary());
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
        String body = "{\"id\":\"a\",\"f1\":1}\n{\"id\":\"b\",\"f1\":2}\n";
        HttpResponse<String> first;
        try (HttpGateway gateway = start()) {
            first = post(http, gateway, "restart-key", body);
            assertEquals(200, first.statusCode(), first.body());
        }
        try (HttpGateway restarted = start()) {
            HttpResponse<String> replayed = post(http, restarted, "restart-key", body);
            HttpResponse<String> otherBody = post(http, restarted, "restart-key", "{\"id\":\"c\",\"f1\":3}\n");

            assertEquals(200, replayed.statusCode(), replayed.body());
            assertEquals(first.body(), replayed.body(), "the first answer, offsets included");
            assertEquals("true", replayed.headers().firstValue("Idempotent-Replayed").orElse(""));
            assertEquals(422, otherBody.statusCode(), otherBody.body());
        }
        assertEquals(Map.of("a", 1, "b", 1), HttpProducerRestartIT.readCommitted(RUNTIME.bootstrapServers(), "replayed", 2),
                "written once, by the first gateway");
    }

    private static HttpResponse<String> post(HttpClient http, HttpGateway gateway, String key, String lines) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/datasets/replayed/records"))
                .header("Content-Type", "application/x-ndjson").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(lines)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
