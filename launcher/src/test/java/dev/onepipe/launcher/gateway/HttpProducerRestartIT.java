package dev.onepipe.launcher.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.onepipe.core.embedded.LoopbackPorts;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.core.testing.OnepipeProcess;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.RegistrationResult;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP producer's load and restart test on the real broker, loopback only: concurrent clients send batches under
 * an {@code Idempotency-Key}, send some again on purpose, and retry every request that fails; meanwhile the
 * {@code onepipe serve} process is killed with SIGKILL and a new one started on the same port. Every record must be on
 * the topic exactly once (read with {@code read_committed}), by the generator's own list of unique keys.
 *
 * <p>Sizes are system properties so CI runs a small case: {@code onepipe.it.serve.clients} (4),
 * {@code onepipe.it.serve.records} per client (1,000), {@code onepipe.it.serve.batch} (100), {@code onepipe.it.serve.kills}
 * (1). The full size: {@code -Donepipe.it.serve.clients=8 -Donepipe.it.serve.records=25000
 * -Donepipe.it.serve.batch=500 -Donepipe.it.serve.kills=2}.
 */
class HttpProducerRestartIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final String METADATA_TOPIC = "_onepipe_metadata_restart";
    private static final String TOPIC = "restart-load";
    private static final int PARTITIONS = 4;
    private static final int CLIENTS = Integer.getInteger("onepipe.it.serve.clients", 4);
    private static final int RECORDS_PER_CLIENT = Integer.getInteger("onepipe.it.serve.records", 1_000);
    private static final int BATCH = Integer.getInteger("onepipe.it.serve.batch", 100);
    private static final int KILLS = Integer.getInteger("onepipe.it.serve.kills", 1);
    private static final Duration DEADLINE = Duration.ofMinutes(Long.getLong("onepipe.it.serve.minutes", 10));
    private static final ObjectMapper JSON = new ObjectMapper();

    private volatile OnepipeProcess service;

    private static Map<String, Object> clientConfig() {
        return new HashMap<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()));
    }

    private static OnepipeProcess startService(int port) throws InterruptedException {
        OnepipeProcess process = OnepipeProcess.start("serve", "--http-port", Integer.toString(port), "--no-schema-registry",
                "--bootstrap-servers", RUNTIME.bootstrapServers(), "--set", "onepipe.metadata.topic=" + METADATA_TOPIC);
        if (process.awaitLine(line -> line.startsWith("onepipe serve:"), Duration.ofSeconds(180)).isEmpty()) {
            String output = process.output();
            process.close();
            throw new AssertionError("onepipe serve did not start:\n" + output);
        }
        return process;
    }

    @Test
    void everyRecordIsOnTheTopicOnceThroughRetriesAndAServiceKilledAndRestarted() throws Exception {
        try (Admin admin = Admin.create(clientConfig())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig(), METADATA_TOPIC)) {
            RegistrationResult result = registry.register(RegistrationRequest.dataset(DatasetMetadata.builder(TOPIC).topic(TOPIC)
                    .uniqueKey("id").build(), "{\"type\":\"record\",\"name\":\"Load\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
                    + "{\"name\":\"n\",\"type\":\"long\"}]}"));
            assertTrue(result.accepted(), result.summary());
        }
        int port = LoopbackPorts.freePort(); // restarted on the same port: below the ephemeral range clients connect from
        String url = "http://localhost:" + port + "/datasets/" + TOPIC + "/records";
        int batches = CLIENTS * ((RECORDS_PER_CLIENT + BATCH - 1) / BATCH);
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger deliberateRetries = new AtomicInteger();
        AtomicLong failedAttempts = new AtomicLong();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        long started = System.nanoTime();
        service = startService(port);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            List<Future<?>> clients = new ArrayList<>();
            for (int client = 0; client < CLIENTS; client++) {
                int clientNumber = client;
                clients.add(pool.submit(() -> {
                    Random random = new Random(clientNumber);
                    for (int start = 0; start < RECORDS_PER_CLIENT; start += BATCH) {
                        StringBuilder lines = new StringBuilder();
                        for (int index = start; index < Math.min(start + BATCH, RECORDS_PER_CLIENT); index++) {
                            lines.append("{\"id\":\"c").append(clientNumber).append('-').append(index).append("\",\"n\":").append(index).append("}\n");
                        }
                        String key = "client-" + clientNumber + "-batch-" + start;
                        int sends = 1 + (random.nextInt(4) == 0 ? 1 : 0);
                        deliberateRetries.addAndGet(sends - 1);
                        for (int send = 0; send < sends; send++) {
                            HttpResponse<String> response = null;
                            while (response == null || response.statusCode() != 200) {
                                assertTrue(System.nanoTime() < deadline, "the clients finished within " + DEADLINE);
                                try {
                                    response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                                            .header("Content-Type", "application/x-ndjson").header("Idempotency-Key", key)
                                            .POST(HttpRequest.BodyPublishers.ofString(lines.toString())).build(), HttpResponse.BodyHandlers.ofString());
                                } catch (IOException e) {
                                    response = null;
                                }
                                if (response == null || response.statusCode() != 200) {
                                    // a killed service refuses connections until its successor listens; 429/503 ask to retry
                                    HttpResponse<String> failed = response;
                                    assertTrue(failed == null || failed.statusCode() == 503 || failed.statusCode() == 429,
                                            () -> "unexpected answer to " + key + ": " + failed.statusCode() + " " + failed.body());
                                    failedAttempts.incrementAndGet();
                                    Thread.sleep(100);
                                }
                            }
                            assertEquals(Math.min(BATCH, RECORDS_PER_CLIENT - start), JSON.readTree(response.body()).path("offsets").size(), response.body());
                        }
                        acknowledged.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (int kill = 1; kill <= KILLS; kill++) {
                int threshold = batches * kill / (KILLS + 1);
                while (acknowledged.get() < threshold && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                service.kill();
                service.close();
                service = startService(port);
            }
            for (Future<?> client : clients) {
                client.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            service.close();
        }
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("HttpProducerRestartIT: %d clients x %d records in batches of %d, %d kills, %d deliberate retries, "
                        + "%d failed attempts retried, %,d ms, %,.0f records/s%n", CLIENTS, RECORDS_PER_CLIENT, BATCH, KILLS,
                deliberateRetries.get(), failedAttempts.get(), elapsedMs, CLIENTS * RECORDS_PER_CLIENT * 1000.0 / Math.max(1, elapsedMs));
        assertTrue(deliberateRetries.get() > 0, "some requests were sent twice on purpose");

        Map<String, Integer> copies = readCommitted(RUNTIME.bootstrapServers(), TOPIC, PARTITIONS);
        List<String> missing = new ArrayList<>();
        List<String> duplicated = new ArrayList<>();
        for (int client = 0; client < CLIENTS; client++) {
            for (int index = 0; index < RECORDS_PER_CLIENT; index++) {
                String id = "c" + client + "-" + index;
                int count = copies.getOrDefault(id, 0);
                if (count == 0) {
                    missing.add(id);
                } else if (count > 1) {
                    duplicated.add(id + " x" + count);
                }
            }
        }
        assertEquals(List.of(), missing.subList(0, Math.min(20, missing.size())), missing.size() + " records lost");
        assertEquals(List.of(), duplicated.subList(0, Math.min(20, duplicated.size())), duplicated.size() + " records duplicated");
        assertEquals(CLIENTS * RECORDS_PER_CLIENT, copies.size(), "no record the clients did not send");
    }

    /** Copies per record key of everything committed on {@code topic}, read to its last stable offset. */
    static Map<String, Integer> readCommitted(String bootstrapServers, String topic, int partitions) {
        Map<String, Integer> copies = new HashMap<>();
        Map<String, Object> config = new HashMap<>(Map.of("bootstrap.servers", bootstrapServers));
        config.put("isolation.level", "read_committed");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> assigned = new ArrayList<>();
            for (int partition = 0; partition < partitions; partition++) {
                assigned.add(new TopicPartition(topic, partition));
            }
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned, Duration.ofSeconds(60));
            long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            while (assigned.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                assertTrue(System.nanoTime() < deadline, "the topic was read within 180 s");
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    copies.merge(record.key(), 1, Integer::sum);
                }
            }
        }
        return copies;
    }
}
