package dev.onepipe.core.runtime.http;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.deadletter.DeadLetterMetrics;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.runtime.health.TopologyHealth;
import dev.onepipe.metadata.MetadataCatalog;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint of a running application ({@code onepipe run --http-port}):
 * <ul>
 *   <li>{@code GET /health}: 200 while the application is healthy ({@link TopologyHealth}: RUNNING or REBALANCING
 *       and making progress by {@link dev.onepipe.core.runtime.health.ProgressWatch}'s rules), 503 otherwise, with a
 *       JSON body naming the application, its state, and when unhealthy the problem and the last error, for load
 *       balancers and orchestrators;</li>
 *   <li>{@code GET /metrics}: every Kafka Streams metric plus onepipe's own, in the Prometheus text format;</li>
 *   <li>the topology's own {@link HttpRoute}s, by path prefix.</li>
 * </ul>
 */
public final class OnepipeHttpServer implements AutoCloseable {

    public static final String PORT = "onepipe.http.port";
    /** The host name other instances and clients reach this endpoint by, advertised as {@code application.server}. */
    public static final String ADVERTISED_HOST = "onepipe.http.advertised.host";
    public static final String DEFAULT_ADVERTISED_HOST = "localhost";
    public static final String HEALTH_PATH = "/health";
    public static final String METRICS_PATH = "/metrics";

    private static final Logger LOG = LoggerFactory.getLogger(OnepipeHttpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int THREADS = 2;

    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicReference<Application> application = new AtomicReference<>();

    /**
     * What the endpoint reports on.
     *
     * @param applicationId the application id
     * @param state         the current Kafka Streams state
     * @param metrics       the current Kafka Streams metrics
     * @param catalog       the catalog the application resolves datasets with
     * @param health        whether it makes progress
     */
    public record Application(String applicationId, Supplier<KafkaStreams.State> state,
                              Supplier<Map<MetricName, ? extends Metric>> metrics, MetadataCatalog catalog,
                              Supplier<TopologyHealth> health) {

        public Application {
            Objects.requireNonNull(applicationId, "applicationId");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(metrics, "metrics");
            Objects.requireNonNull(catalog, "catalog");
            Objects.requireNonNull(health, "health");
        }

        /** An application whose health is told by its state alone. */
        public Application(String applicationId, Supplier<KafkaStreams.State> state,
                           Supplier<Map<MetricName, ? extends Metric>> metrics, MetadataCatalog catalog) {
            this(applicationId, state, metrics, catalog, () -> TopologyHealth.ofState(state.get()));
        }

        public static Application of(KafkaStreams streams, TopologyContext context) {
            return new Application(context.applicationId(), streams::state, streams::metrics, context.catalog());
        }

        /** The application {@code runner} runs, healthy by {@link TopologyRunner#health()}. */
        public static Application of(TopologyRunner runner, TopologyContext context) {
            KafkaStreams streams = runner.streams();
            return new Application(context.applicationId(), streams::state, streams::metrics, context.catalog(), runner::health);
        }
    }

    private OnepipeHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts serving on {@code address} (port 0 picks a free port).
     *
     * @param routes the topology's routes by path prefix, e.g. {@code /campaigns/}
     */
    public static OnepipeHttpServer start(InetSocketAddress address, Application application, Map<String, HttpRoute> routes) {
        OnepipeHttpServer endpoint = bind(address);
        try {
            endpoint.serve(application, routes);
        } catch (RuntimeException e) {
            endpoint.close();
            throw e;
        }
        return endpoint;
    }

    /**
     * Listens on {@code address} (port 0 picks a free port) before the application starts, so its port can be
     * advertised as Kafka Streams' {@code application.server}; {@code /health} answers 503 until {@link #serve}.
     */
    public static OnepipeHttpServer bind(InetSocketAddress address) {
        HttpServer server;
        try {
            server = HttpServer.create(address, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serve HTTP on " + address + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, runnable -> {
            Thread thread = new Thread(runnable, "onepipe-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        OnepipeHttpServer endpoint = new OnepipeHttpServer(server, executor);
        server.createContext(HEALTH_PATH, exchange -> endpoint.serve(exchange, request -> endpoint.health()));
        server.createContext(METRICS_PATH, exchange -> endpoint.serve(exchange, request -> endpoint.metrics()));
        server.start();
        return endpoint;
    }

    /**
     * Reports on {@code application} from now on and serves its routes.
     *
     * @param routes the topology's routes by path prefix, e.g. {@code /campaigns/}
     */
    public void serve(Application application, Map<String, HttpRoute> routes) {
        Objects.requireNonNull(application, "application");
        Map<String, HttpRoute> checked = new LinkedHashMap<>();
        routes.forEach((prefix, route) -> {
            if (!prefix.startsWith("/") || prefix.equals("/") || prefix.startsWith(HEALTH_PATH) || prefix.startsWith(METRICS_PATH)) {
                throw new IllegalArgumentException("HTTP route '" + prefix + "' must start with '/' and may not be '/', "
                        + HEALTH_PATH + " or " + METRICS_PATH);
            }
            checked.put(prefix, Objects.requireNonNull(route, "route"));
        });
        if (!this.application.compareAndSet(null, application)) {
            throw new IllegalStateException("This endpoint already serves " + this.application.get().applicationId());
        }
        checked.forEach((prefix, route) -> server.createContext(prefix, exchange -> serve(exchange, route)));
    }

    /**
     * {@code config} with Kafka Streams' {@code application.server} set to this endpoint ({@value #ADVERTISED_HOST}
     * and the bound port), unless it is configured already: interactive queries then find which instance holds a key.
     */
    public OnepipeConfig advertisedIn(OnepipeConfig config) {
        if (config.get(StreamsConfig.APPLICATION_SERVER_CONFIG).isPresent()) {
            return config;
        }
        String host = config.get(ADVERTISED_HOST).orElse(DEFAULT_ADVERTISED_HOST);
        return config.with("http endpoint", Map.of(StreamsConfig.APPLICATION_SERVER_CONFIG, host + ":" + port()));
    }

    /** The port served, useful when started on port 0. */
    public int port() {
        return server.getAddress().getPort();
    }

    HttpRouteResponse health() {
        Application application = this.application.get();
        if (application == null) {
            return HttpRouteResponse.json(503, JSON.createObjectNode().put("state", "STARTING").put("healthy", false).toString());
        }
        TopologyHealth health = application.health().get();
        ObjectNode body = JSON.createObjectNode()
                .put("application", application.applicationId())
                .put("state", health.state().name())
                .put("healthy", health.healthy());
        health.problem().ifPresent(problem -> body.put("problem", problem));
        health.lastError().ifPresent(error -> body.put("lastError", error));
        if (health.threadFailuresSinceCommit() > 0) {
            body.put("threadFailuresSinceCommit", health.threadFailuresSinceCommit());
        }
        return HttpRouteResponse.json(health.healthy() ? 200 : 503, body.toString());
    }

    HttpRouteResponse metrics() {
        Application application = this.application.get();
        if (application == null) {
            return HttpRouteResponse.text(503, "starting");
        }
        Map<MetricName, ? extends Metric> metrics = application.metrics().get();
        PrometheusTextFormat text = new PrometheusTextFormat().addKafkaMetrics(metrics);
        text.add("onepipe_application_state", "gauge", "1 for the application's current Kafka Streams state",
                Map.of("application_id", application.applicationId(), "state", application.state().get().name()), 1);
        DeadLetterMetrics.totalsByTopic(metrics).forEach((topic, count) ->
                text.add("onepipe_dead_letter_records_total", "counter", "Records sent to dead-letter topics by the tasks assigned now",
                        Map.of("topic", topic), count));
        MetadataCatalog catalog = application.catalog();
        text.add("onepipe_catalog_schema_versions", "gauge", "Schema versions known to the catalog", Map.of(), catalog.schemaVersionCount());
        text.add("onepipe_catalog_dataset_versions", "gauge", "Dataset metadata versions known to the catalog", Map.of(),
                catalog.datasetVersionCount());
        text.add("onepipe_catalog_skipped_records_total", "counter", "Metadata topic records that were not valid entries", Map.of(),
                catalog.skippedRecordCount());
        return new HttpRouteResponse(200, PrometheusTextFormat.CONTENT_TYPE, text.render().getBytes(StandardCharsets.UTF_8));
    }

    private void serve(HttpExchange exchange, HttpRoute route) throws IOException {
        HttpRouteResponse response;
        try {
            response = route.handle(new HttpRouteRequest(exchange.getRequestMethod(), exchange.getRequestURI()));
        } catch (Exception e) {
            LOG.warn("HTTP {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            response = HttpRouteResponse.text(500, String.valueOf(e.getMessage()));
        }
        byte[] body = response.body();
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(response.status(), head || body.length == 0 ? -1 : body.length);
        try (OutputStream output = exchange.getResponseBody()) {
            if (!head) {
                output.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
