package dev.onepipe.launcher;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.onepipe.core.embedded.EmbeddedRuntime;
import dev.onepipe.core.runtime.http.HttpEndpointSettings;
import dev.onepipe.launcher.gateway.HttpGateway;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.MetadataTopic;
import dev.onepipe.metadata.PartitionLeaders;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.RegistrationResult;
import dev.onepipe.metadata.producer.DatasetProducer;
import dev.onepipe.metadata.producer.SendFailures;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code onepipe bench serve}: records per second through the HTTP producer ({@code POST /datasets/{name}/records},
 * JSON lines, concurrent clients on loopback) next to {@link DatasetProducer} sending the same records directly from
 * as many threads, in the same run on the embedded broker, and the p50/p99 latency of the HTTP requests; then the same
 * requests each with an {@code Idempotency-Key} (one Kafka transaction per request, with the key). Target: HTTP at
 * least half the direct rate.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"HTTP producer throughput next to DatasetProducer in the same run, and p50/p99 request latency, "
                + "without and with an Idempotency-Key per request."})
final class ServeBenchmark implements Callable<Integer> {

    private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"Reading\",\"namespace\":\"dev.onepipe.bench\",\"fields\":["
            + "{\"name\":\"reading_id\",\"type\":\"string\"},{\"name\":\"sensor\",\"type\":\"string\"},"
            + "{\"name\":\"value\",\"type\":\"double\"},{\"name\":\"taken_at\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}]}";

    @Option(names = "--records", defaultValue = "200000", description = "Records per run (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--clients", defaultValue = "8", description = "Concurrent HTTP clients (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--batch", defaultValue = "500", description = "Records per HTTP request (default: ${DEFAULT-VALUE}).")
    int batch;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (EmbeddedRuntime runtime = EmbeddedRuntime.start()) {
            Map<String, Object> client = Map.of("bootstrap.servers", runtime.bootstrapServers());
            try (Admin admin = Admin.create(client)) {
                admin.createTopics(List.of(new NewTopic("readings-direct", 4, (short) 1), new NewTopic("readings-http", 4, (short) 1),
                                new NewTopic("readings-keyed", 4, (short) 1)))
                        .all().get(60, TimeUnit.SECONDS);
                PartitionLeaders.await(admin, List.of("readings-direct", "readings-http", "readings-keyed"));
            }
            try (MetadataRegistry registry = MetadataRegistry.connect(client)) {
                for (String name : List.of("readings-direct", "readings-http", "readings-keyed")) {
                    RegistrationResult result = registry.register(RegistrationRequest.dataset(DatasetMetadata.builder(name).topic(name)
                            .uniqueKey("reading_id").build(), SCHEMA));
                    if (!result.accepted()) {
                        throw new IllegalStateException(result.summary());
                    }
                }
            }
            double direct = direct(client);
            try (HttpGateway gateway = HttpGateway.start(HttpEndpointSettings.plain(new InetSocketAddress(HttpEndpointSettings.LOOPBACK, 0),
                    Math.max(clients, 2)), client, MetadataTopic.DEFAULT_NAME, false, true)) {
                long[] latencies = new long[(records + batch - 1) / batch];
                double http = http(gateway.url(), "readings-http", false, latencies);
                Arrays.sort(latencies);
                long[] keyedLatencies = new long[latencies.length];
                double keyed = http(gateway.url(), "readings-keyed", true, keyedLatencies);
                Arrays.sort(keyedLatencies);
                out.printf("DatasetProducer (direct): %,.0f records/s%n", direct);
                out.printf("HTTP producer:            %,.0f records/s (%d clients, %d records a request) = %.2f of direct (target >= 0.5)%n",
                        http, clients, batch, http / direct);
                out.printf("request latency:          p50 %.1f ms, p99 %.1f ms (%d requests)%n", latencies[latencies.length / 2] / 1e6,
                        latencies[Math.min(latencies.length - 1, (int) (latencies.length * 0.99))] / 1e6, latencies.length);
                out.printf("with Idempotency-Key:     %,.0f records/s = %.2f of direct; p50 %.1f ms, p99 %.1f ms%n", keyed, keyed / direct,
                        keyedLatencies[keyedLatencies.length / 2] / 1e6,
                        keyedLatencies[Math.min(keyedLatencies.length - 1, (int) (keyedLatencies.length * 0.99))] / 1e6);
            }
        }
        out.flush();
        return 0;
    }

    private static String line(int index) {
        return "{\"reading_id\":\"r-" + index + "\",\"sensor\":\"s-" + (index % 97) + "\",\"value\":" + (index * 0.5)
                + ",\"taken_at\":" + (1_700_000_000_000L + index) + "}";
    }

    /**
     * Converts and sends every record through one DatasetProducer from as many threads as there are HTTP clients, the
     * same JSON the HTTP clients send, so both sides get the same parallelism.
     */
    private double direct(Map<String, Object> client) throws Exception {
        try (DatasetProducer producer = DatasetProducer.connect(client)) {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<?>> running = new ArrayList<>();
            SendFailures failures = new SendFailures();
            long start = System.nanoTime();
            for (int thread = 0; thread < clients; thread++) {
                int first = thread;
                running.add(pool.submit(() -> {
                    for (int index = first; index < records; index += clients) {
                        GenericRecord record = producer.fromJson("readings-direct", line(index));
                        producer.send("readings-direct", record, failures);
                    }
                    return null;
                }));
            }
            for (Future<?> thread : running) {
                thread.get();
            }
            producer.flush();
            failures.throwIfAny("of readings-direct");
            double rate = records / ((System.nanoTime() - start) / 1e9);
            pool.shutdown();
            return rate;
        }
    }

    private double http(String url, String dataset, boolean idempotencyKeys, long[] latencies) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        int requests = latencies.length;
        List<Future<?>> running = new ArrayList<>();
        long start = System.nanoTime();
        for (int client = 0; client < clients; client++) {
            int first = client;
            running.add(pool.submit(() -> {
                for (int request = first; request < requests; request += clients) {
                    StringBuilder body = new StringBuilder();
                    for (int index = request * batch; index < Math.min(records, (request + 1) * batch); index++) {
                        body.append(line(index)).append('\n');
                    }
                    long sent = System.nanoTime();
                    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url + "/datasets/" + dataset + "/records"))
                            .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body.toString()));
                    if (idempotencyKeys) {
                        builder.header("Idempotency-Key", "bench-" + request);
                    }
                    HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
                    latencies[request] = System.nanoTime() - sent;
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> client : running) {
            client.get();
        }
        double rate = records / ((System.nanoTime() - start) / 1e9);
        pool.shutdown();
        return rate;
    }
}
