package dev.onepipe.core.runtime.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
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
 *   <li>the topology's own {@link HttpRoute}s, by path prefix, or any service's routes added with {@link #route}.</li>
 * </ul>
 *
 * <p>Started with {@link HttpEndpointSettings} it also serves HTTPS from a PKCS12 keystore, authenticates every
 * request but {@code /health} with HTTP Basic against a users file (401 with {@code WWW-Authenticate} otherwise),
 * refuses bodies over the size limit (413) and bounds the body bytes held by all requests at once (429 with
 * {@code Retry-After}); the body of a refused request is left unread (the JDK server drains a little of it, then closes
 * the connection). Errors it answers itself are JSON, {@code {"error_code": <status>, "message": "..."}}.
 * Credentials never reach a log line: failed requests are logged by method and path only.
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
    private final HttpEndpointSettings settings;
    private final Semaphore inFlightBytes;
    private final AtomicReference<Application> application = new AtomicReference<>();
    private final AtomicReference<Supplier<HttpRouteResponse>> healthOverride = new AtomicReference<>();

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

    private OnepipeHttpServer(HttpServer server, ExecutorService executor, HttpEndpointSettings settings) {
        this.server = server;
        this.executor = executor;
        this.settings = settings;
        this.inFlightBytes = new Semaphore((int) Math.min(Integer.MAX_VALUE, settings.maxInFlightBytes()));
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
        return bind(HttpEndpointSettings.plain(address, THREADS));
    }

    /**
     * Listens as {@code settings} say: HTTPS when a keystore is set, HTTP Basic when users are; {@code /health}
     * answers 503 until {@link #serve} or {@link #health(Supplier)}.
     *
     * @throws UncheckedIOException     when the address cannot be bound or the keystore read
     * @throws IllegalArgumentException when the keystore does not open with its password
     */
    public static OnepipeHttpServer bind(HttpEndpointSettings settings) {
        HttpServer server;
        InetSocketAddress address = settings.address();
        try {
            if (settings.tls()) {
                HttpsServer https = HttpsServer.create(address, 0);
                https.setHttpsConfigurator(new HttpsConfigurator(sslContext(settings)));
                server = https;
            } else {
                server = HttpServer.create(address, 0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serve HTTP on " + address + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(settings.threads(), runnable -> {
            Thread thread = new Thread(runnable, "onepipe-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        OnepipeHttpServer endpoint = new OnepipeHttpServer(server, executor, settings);
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
     * Serves {@code route} under a path prefix, e.g. {@code /subjects}: the JDK server matches a request to the longest
     * prefix its path starts with.
     *
     * @throws IllegalArgumentException when the prefix is not absolute, is {@code /}, or is already served
     */
    public void route(String prefix, HttpRoute route) {
        Objects.requireNonNull(route, "route");
        if (!prefix.startsWith("/") || prefix.equals("/") || prefix.startsWith(HEALTH_PATH) || prefix.startsWith(METRICS_PATH)) {
            throw new IllegalArgumentException("HTTP route '" + prefix + "' must start with '/' and may not be '/', "
                    + HEALTH_PATH + " or " + METRICS_PATH);
        }
        server.createContext(prefix, exchange -> serve(exchange, route));
    }

    /** Answers {@code /health} with {@code health} from now on, for a service that is not a Kafka Streams application. */
    public void health(Supplier<HttpRouteResponse> health) {
        this.healthOverride.set(Objects.requireNonNull(health, "health"));
    }

    /** Whether requests are served over TLS. */
    public boolean tls() {
        return settings.tls();
    }

    /** The URL this endpoint is reached by on this machine, e.g. {@code https://localhost:8443}. */
    public String localUrl() {
        String host = settings.loopbackOnly() || settings.address().getAddress() == null || settings.address().getAddress().isAnyLocalAddress()
                ? "localhost" : settings.address().getHostString();
        return (tls() ? "https" : "http") + "://" + host + ":" + port();
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
        Supplier<HttpRouteResponse> override = healthOverride.get();
        if (override != null) {
            return override.get();
        }
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
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        try {
            response = authenticateAndServe(exchange, route);
        } catch (Exception e) {
            LOG.warn("HTTP {} {} failed", method, path, e);
            response = HttpRouteResponse.text(500, String.valueOf(e.getMessage()));
        }
        send(exchange, response);
    }

    private HttpRouteResponse authenticateAndServe(HttpExchange exchange, HttpRoute route) throws Exception {
        Optional<String> user = Optional.empty();
        Set<String> roles = HttpRouteRequest.ALL_ROLES;
        boolean open = HEALTH_PATH.equals(exchange.getRequestURI().getPath());
        if (settings.users().isPresent() && !open) {
            Optional<Map.Entry<String, Set<String>>> authenticated =
                    settings.users().get().authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
            if (authenticated.isEmpty()) {
                return error(401, "authentication required: HTTP Basic with a user of this endpoint")
                        .withHeader("WWW-Authenticate", "Basic realm=\"onepipe\", charset=\"UTF-8\"");
            }
            user = Optional.of(authenticated.get().getKey());
            roles = authenticated.get().getValue();
        }
        String declaredLength = exchange.getRequestHeaders().getFirst("Content-Length");
        long length;
        try {
            length = declaredLength == null ? -1 : Long.parseLong(declaredLength.trim());
        } catch (NumberFormatException e) {
            return error(400, "Content-Length is not a number");
        }
        if (length > settings.maxRequestBytes()) {
            return error(413, "request body of " + length + " bytes is over the limit of " + settings.maxRequestBytes() + " bytes");
        }
        boolean hasBody = length > 0 || (length < 0 && exchange.getRequestHeaders().containsKey("Transfer-encoding"));
        int reserved = hasBody ? (int) (length < 0 ? settings.maxRequestBytes() : length) : 0;
        if (reserved > 0 && !inFlightBytes.tryAcquire(reserved)) {
            return error(429, "busy: " + settings.maxInFlightBytes() + " bytes of requests are being served; retry shortly")
                    .withHeader("Retry-After", "1");
        }
        try {
            byte[] body = hasBody ? readBody(exchange.getRequestBody(), settings.maxRequestBytes()) : new byte[0];
            if (body == null) {
                return error(413, "request body is over the limit of " + settings.maxRequestBytes() + " bytes");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!values.isEmpty() && !"authorization".equalsIgnoreCase(name)) {
                    headers.put(name, values.get(0));
                }
            });
            return route.handle(new HttpRouteRequest(exchange.getRequestMethod(), exchange.getRequestURI(), headers, body, user, roles));
        } finally {
            if (reserved > 0) {
                inFlightBytes.release(reserved);
            }
        }
    }

    /** The body, or null when it is longer than {@code limit}. */
    private static byte[] readBody(InputStream input, long limit) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = input.read(buffer)) >= 0) {
            if (body.size() + (long) read > limit) {
                return null;
            }
            body.write(buffer, 0, read);
        }
        return body.toByteArray();
    }

    private static void send(HttpExchange exchange, HttpRouteResponse response) throws IOException {
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

    /** A JSON error body in the shape Confluent's REST APIs use: {@code {"error_code": status, "message": ...}}. */
    public static HttpRouteResponse error(int status, String message) {
        return HttpRouteResponse.json(status, JSON.createObjectNode().put("error_code", status).put("message", message).toString());
    }

    private static SSLContext sslContext(HttpEndpointSettings settings) {
        char[] password = settings.keystorePassword().orElse("").toCharArray();
        try (InputStream input = Files.newInputStream(settings.keystore().orElseThrow())) {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(input, password);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the TLS keystore " + settings.keystore().get() + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot use the TLS keystore " + settings.keystore().get() + " (PKCS12 expected): "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
