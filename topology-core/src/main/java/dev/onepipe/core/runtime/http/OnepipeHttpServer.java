package dev.onepipe.core.runtime.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
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
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint of a running application ({@code onepipe run --http-port}):
 * <ul>
 *   <li>{@code GET /health}: 200 while the application is healthy ({@link TopologyHealth}: RUNNING or REBALANCING
 *       and making progress by {@link dev.onepipe.core.runtime.health.ProgressWatch}'s rules), 503 otherwise, with a
 *       JSON body naming the application, its state, and when unhealthy the problem and the last error, for load
 *       balancers and orchestrators;</li>
 *   <li>{@code GET /metrics}: every Kafka Streams metric plus onepipe's own, in the Prometheus text format
 *       ({@link PrometheusMetrics}), and the endpoint's own: {@code onepipe_http_request_duration_seconds} (a histogram
 *       per route prefix, method and status, whose {@code _count} counts requests) and
 *       {@code onepipe_http_in_flight_bytes}; a service adds its own meters to {@link #metricsRegistry()};</li>
 *   <li>the topology's own {@link HttpRoute}s, by path prefix, or any service's routes added with {@link #route}.</li>
 * </ul>
 *
 * <p>Started with {@link HttpEndpointSettings} it also serves HTTPS from a PKCS12 keystore, authenticates every
 * request but {@code /health} with HTTP Basic against a users file (401 with {@code WWW-Authenticate} otherwise),
 * refuses bodies over the size limit (413) and bounds the body bytes held by all requests at once (429 with
 * {@code Retry-After}); the body of a refused request is left unread (Jetty drains a little of it, then closes the
 * connection). A path no route serves answers 404, or 503 with {@code Retry-After} while the endpoint is still starting
 * (before {@link #serve} or {@link #health(Supplier)}), so a client retrying against a restarting service waits rather
 * than failing. It runs on Jetty 12's core handlers (no servlets), on {@link HttpEndpointSettings#threads()} request
 * threads plus Jetty's acceptor and selector. Errors it answers itself are JSON, {@code {"error_code": <status>, "message": "..."}}.
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
    /** Jetty's acceptor and selector threads, on top of the request threads. */
    private static final int JETTY_THREADS = 3;
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");

    private final Server server;
    private final ServerConnector connector;
    private final HttpEndpointSettings settings;
    private final Semaphore inFlightBytes;
    /** Routes by path prefix, longest first, so a request goes to the longest prefix its path starts with. */
    private final Map<String, HttpRoute> routes = new ConcurrentSkipListMap<>(
            Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram requestSeconds;
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

    private OnepipeHttpServer(HttpEndpointSettings settings) {
        this.settings = settings;
        int maxInFlight = (int) Math.min(Integer.MAX_VALUE, settings.maxInFlightBytes());
        this.inFlightBytes = new Semaphore(maxInFlight);
        this.requestSeconds = Histogram.builder().name("onepipe_http_request_duration_seconds")
                .help("HTTP requests answered, by route prefix, method and status: time from the request's arrival to its answer")
                .labelNames("route", "method", "status").classicOnly().register(registry);
        GaugeWithCallback.builder().name("onepipe_http_in_flight_bytes")
                .help("Request body bytes held by the requests being served now (limit " + HttpEndpointSettings.MAX_IN_FLIGHT_BYTES + ")")
                .callback(callback -> callback.call(maxInFlight - inFlightBytes.availablePermits())).register(registry);
        QueuedThreadPool threads = new QueuedThreadPool(settings.threads() + JETTY_THREADS, Math.min(settings.threads() + JETTY_THREADS, 4));
        threads.setName("onepipe-http");
        threads.setDaemon(true);
        threads.setReservedThreads(0);
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        HttpConnectionFactory plain = new HttpConnectionFactory(http);
        if (settings.tls()) {
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setSslContext(sslContext(settings));
            this.connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(tls, plain.getProtocol()), plain);
        } else {
            this.connector = new ServerConnector(server, 1, 1, plain);
        }
        connector.setHost(settings.address().getHostString());
        connector.setPort(settings.address().getPort());
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                serve(request, response, callback);
                return true;
            }
        });
        routes.put(HEALTH_PATH, request -> health());
        routes.put(METRICS_PATH, request -> metrics());
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
        OnepipeHttpServer endpoint = new OnepipeHttpServer(settings);
        try {
            endpoint.server.start();
        } catch (IOException e) {
            endpoint.close();
            throw new UncheckedIOException("Cannot serve HTTP on " + settings.address() + ": " + e.getMessage(), e);
        } catch (Exception e) {
            endpoint.close();
            throw new IllegalStateException("Cannot start the HTTP endpoint on " + settings.address() + ": " + e.getMessage(), e);
        }
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
        registry.register(new ApplicationCollector(application));
        checked.forEach(this::route);
    }

    /**
     * Serves {@code route} under a path prefix, e.g. {@code /subjects}: a request goes to the longest prefix its path
     * starts with (as {@code com.sun.net.httpserver} contexts did, so {@code /subjects} also takes {@code /subjectsX}).
     *
     * @throws IllegalArgumentException when the prefix is not absolute, is {@code /}, or is already served
     */
    public void route(String prefix, HttpRoute route) {
        Objects.requireNonNull(route, "route");
        if (!prefix.startsWith("/") || prefix.equals("/") || prefix.startsWith(HEALTH_PATH) || prefix.startsWith(METRICS_PATH)) {
            throw new IllegalArgumentException("HTTP route '" + prefix + "' must start with '/' and may not be '/', "
                    + HEALTH_PATH + " or " + METRICS_PATH);
        }
        if (routes.putIfAbsent(prefix, route) != null) {
            throw new IllegalArgumentException("HTTP route '" + prefix + "' is already served");
        }
    }

    /** Answers {@code /health} with {@code health} from now on, for a service that is not a Kafka Streams application. */
    public void health(Supplier<HttpRouteResponse> health) {
        this.healthOverride.set(Objects.requireNonNull(health, "health"));
    }

    /**
     * The registry {@code /metrics} reports, for a service's own meters, e.g.
     * {@code Counter.builder().name("onepipe_http_produced_records").labelNames("topic").register(server.metricsRegistry())}.
     */
    public PrometheusRegistry metricsRegistry() {
        return registry;
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
        return connector.getLocalPort();
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

    /** Before {@link #serve} or {@link #health(Supplier)}: the routes may not all be there yet. */
    private boolean starting() {
        return application.get() == null && healthOverride.get() == null;
    }

    HttpRouteResponse metrics() {
        if (starting()) {
            return HttpRouteResponse.text(503, "starting");
        }
        return new HttpRouteResponse(200, PrometheusMetrics.CONTENT_TYPE, PrometheusMetrics.text(registry));
    }

    /** The metrics of a running application, read from Kafka Streams, its health and its catalog at each scrape. */
    private static final class ApplicationCollector implements MultiCollector {

        private final Application application;

        ApplicationCollector(Application application) {
            this.application = application;
        }

        @Override
        public MetricSnapshots collect() {
            Map<MetricName, ? extends Metric> metrics = application.metrics().get();
            List<MetricSnapshot> snapshots = new ArrayList<>(PrometheusMetrics.kafkaSnapshots(metrics));
            snapshots.add(PrometheusMetrics.gauge("onepipe_application_state", "1 for the application's current Kafka Streams state",
                    Map.of(Map.of("application_id", application.applicationId(), "state", application.state().get().name()), 1.0)));
            Map<Map<String, String>, Double> deadLetters = new LinkedHashMap<>();
            DeadLetterMetrics.totalsByTopic(metrics).forEach((topic, count) -> deadLetters.put(Map.of("topic", topic), count.doubleValue()));
            if (!deadLetters.isEmpty()) {
                io.prometheus.metrics.model.snapshots.CounterSnapshot.Builder counter = io.prometheus.metrics.model.snapshots.CounterSnapshot
                        .builder().name("onepipe_dead_letter_records").help("Records sent to dead-letter topics by the tasks assigned now");
                deadLetters.forEach((labels, count) -> counter.dataPoint(io.prometheus.metrics.model.snapshots.CounterSnapshot
                        .CounterDataPointSnapshot.builder().labels(PrometheusMetrics.labels(labels)).value(count).build()));
                snapshots.add(counter.build());
            }
            MetadataCatalog catalog = application.catalog();
            snapshots.add(PrometheusMetrics.gauge("onepipe_catalog_schema_versions", "Schema versions known to the catalog",
                    Map.of(Map.of(), (double) catalog.schemaVersionCount())));
            snapshots.add(PrometheusMetrics.gauge("onepipe_catalog_dataset_versions", "Dataset metadata versions known to the catalog",
                    Map.of(Map.of(), (double) catalog.datasetVersionCount())));
            snapshots.add(PrometheusMetrics.counter("onepipe_catalog_skipped_records", "Metadata topic records that were not valid entries",
                    Map.of(), catalog.skippedRecordCount()));
            return new MetricSnapshots(snapshots);
        }
    }

    private void serve(Request request, Response response, Callback callback) {
        long started = System.nanoTime();
        String method = request.getMethod();
        String path = request.getHttpURI().getPath();
        Map.Entry<String, HttpRoute> route = route(path == null ? "/" : path);
        HttpRouteResponse answer;
        try {
            answer = route != null ? authenticateAndServe(request, route.getValue())
                    : starting() ? error(503, "starting: the routes are not served yet").withHeader("Retry-After", "1")
                    : error(404, "no route for " + path);
        } catch (Exception e) {
            LOG.warn("HTTP {} {} failed", method, path, e);
            answer = HttpRouteResponse.text(500, String.valueOf(e.getMessage()));
        }
        send(request, response, callback, answer);
        requestSeconds.labelValues(route == null ? "none" : route.getKey(), METHODS.contains(method) ? method : "other",
                Integer.toString(answer.status())).observe((System.nanoTime() - started) / 1e9);
    }

    private Map.Entry<String, HttpRoute> route(String path) {
        for (Map.Entry<String, HttpRoute> route : routes.entrySet()) {
            if (path.startsWith(route.getKey())) {
                return route;
            }
        }
        return null;
    }

    private HttpRouteResponse authenticateAndServe(Request request, HttpRoute route) throws Exception {
        Optional<String> user = Optional.empty();
        Set<String> roles = HttpRouteRequest.ALL_ROLES;
        boolean open = request.getHttpURI().getPath().startsWith(HEALTH_PATH);
        if (settings.users().isPresent() && !open) {
            Optional<Map.Entry<String, Set<String>>> authenticated =
                    settings.users().get().authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION));
            if (authenticated.isEmpty()) {
                return error(401, "authentication required: HTTP Basic with a user of this endpoint")
                        .withHeader("WWW-Authenticate", "Basic realm=\"onepipe\", charset=\"UTF-8\"");
            }
            user = Optional.of(authenticated.get().getKey());
            roles = authenticated.get().getValue();
        }
        URI uri;
        try {
            uri = URI.create(request.getHttpURI().getPathQuery());
        } catch (IllegalArgumentException e) {
            return error(400, "the request URI is not valid: " + e.getMessage());
        }
        long length = request.getLength();
        if (length > settings.maxRequestBytes()) {
            return error(413, "request body of " + length + " bytes is over the limit of " + settings.maxRequestBytes() + " bytes");
        }
        boolean hasBody = length > 0 || (length < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING));
        int reserved = hasBody ? (int) (length < 0 ? settings.maxRequestBytes() : length) : 0;
        if (reserved > 0 && !inFlightBytes.tryAcquire(reserved)) {
            return error(429, "busy: " + settings.maxInFlightBytes() + " bytes of requests are being served; retry shortly")
                    .withHeader("Retry-After", "1");
        }
        try {
            byte[] body = hasBody ? readBody(Request.asInputStream(request), settings.maxRequestBytes()) : new byte[0];
            if (body == null) {
                return error(413, "request body is over the limit of " + settings.maxRequestBytes() + " bytes");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (HttpField field : request.getHeaders()) {
                if (!"authorization".equalsIgnoreCase(field.getName())) {
                    headers.putIfAbsent(field.getName(), field.getValue());
                }
            }
            return route.handle(new HttpRouteRequest(request.getMethod(), uri, headers, body, user, roles));
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

    private static void send(Request request, Response response, Callback callback, HttpRouteResponse answer) {
        byte[] body = answer.body();
        response.setStatus(answer.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
        answer.headers().forEach((name, value) -> response.getHeaders().put(name, value));
        boolean head = "HEAD".equals(request.getMethod());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, head || body.length == 0 ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
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
        try {
            server.setStopTimeout(0);
            server.stop();
        } catch (Exception e) {
            LOG.debug("Stopping the HTTP endpoint failed", e);
        }
    }
}
