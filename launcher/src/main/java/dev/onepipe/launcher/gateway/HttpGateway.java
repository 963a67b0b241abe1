package dev.onepipe.launcher.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.http.HttpEndpointSettings;
import dev.onepipe.core.runtime.http.HttpRoute;
import dev.onepipe.core.runtime.http.HttpRouteResponse;
import dev.onepipe.core.runtime.http.OnepipeHttpServer;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.producer.DatasetProducer;

/**
 * {@code onepipe serve}: one HTTP endpoint with the Schema-Registry-compatible API ({@link SchemaRegistryApi}) and the
 * HTTP producer ({@link HttpProducerApi}), either of which can be left out, on {@link OnepipeHttpServer}. Both APIs
 * write, so without users the endpoint must listen on the loopback interface
 * ({@link HttpEndpointSettings#requireSafeForWrites()}). {@code GET /health} answers 200 while it serves.
 */
public final class HttpGateway implements AutoCloseable {

    /** How long a produce request waits for Kafka's acknowledgements before it answers 503 for the missing ones. */
    public static final Duration ACK_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CATALOG_READY_TIMEOUT = Duration.ofSeconds(60);
    /** Transactions of requests with an Idempotency-Key open at once (each producer has a sender thread and buffers). */
    private static final int MAX_TRANSACTIONAL_PRODUCERS = 8;

    private final OnepipeHttpServer server;
    private final MetadataRegistry registry;
    private final DatasetProducer producer;
    private final IdempotencyTopic idempotencyTopic;
    private final List<String> apis;

    private HttpGateway(OnepipeHttpServer server, MetadataRegistry registry, DatasetProducer producer, IdempotencyTopic idempotencyTopic,
                        List<String> apis) {
        this.server = server;
        this.registry = registry;
        this.producer = producer;
        this.idempotencyTopic = idempotencyTopic;
        this.apis = apis;
    }

    /** {@link #start(HttpEndpointSettings, Map, String, boolean, boolean, OnepipeConfig)} with the default idempotency settings. */
    public static HttpGateway start(HttpEndpointSettings settings, Map<String, Object> clientConfig, String metadataTopic,
                                    boolean schemaRegistry, boolean httpProducer) throws InterruptedException {
        return start(settings, clientConfig, metadataTopic, schemaRegistry, httpProducer, OnepipeConfig.builder().build());
    }

    /**
     * Connects to the registry (creating the metadata topic if absent) and, for the producer, reads the catalog, then
     * serves.
     *
     * @param clientConfig Kafka client settings, at least {@code bootstrap.servers}
     * @param config       where the idempotency keys are kept: {@value IdempotencyTopic#TOPIC} (default
     *                     {@value IdempotencyTopic#DEFAULT_TOPIC}), {@value IdempotencyTopic#RETENTION_MS} (24 h) and
     *                     {@value IdempotencyTopic#TRANSACTIONAL_ID_PREFIX} ({@value IdempotencyTopic#DEFAULT_TRANSACTIONAL_ID_PREFIX})
     * @throws IllegalArgumentException when neither API is enabled, or the settings would take unauthenticated writes
     *                                  from other machines
     * @throws InterruptedException     while waiting for the catalog
     */
    public static HttpGateway start(HttpEndpointSettings settings, Map<String, Object> clientConfig, String metadataTopic,
                                    boolean schemaRegistry, boolean httpProducer, OnepipeConfig config) throws InterruptedException {
        if (!schemaRegistry && !httpProducer) {
            throw new IllegalArgumentException("Both the Schema Registry API and the HTTP producer are switched off: nothing to serve");
        }
        settings.requireSafeForWrites();
        MetadataRegistry registry = MetadataRegistry.connect(clientConfig, metadataTopic);
        DatasetProducer producer = null;
        IdempotencyTopic idempotencyTopic = null;
        OnepipeHttpServer server = null;
        try {
            List<String> apis = new ArrayList<>();
            server = OnepipeHttpServer.bind(settings);
            SchemaRegistryApi schemaApi = schemaRegistry ? new SchemaRegistryApi(registry) : null;
            HttpProducerApi producerApi = null;
            if (httpProducer) {
                producer = DatasetProducer.connect(clientConfig, metadataTopic, CATALOG_READY_TIMEOUT);
                idempotencyTopic = IdempotencyTopic.open(clientConfig, IdempotencyTopic.Settings.from(config, Math.min(settings.threads(), MAX_TRANSACTIONAL_PRODUCERS)));
                producerApi = new HttpProducerApi(producer, registry::catalog, ACK_TIMEOUT, idempotencyTopic, server.metricsRegistry());
            }
            if (schemaApi != null) {
                for (String prefix : List.of("/subjects", "/schemas", "/compatibility", "/config")) {
                    server.route(prefix, schemaApi);
                }
                apis.add("Schema Registry API");
            }
            if (producerApi != null) {
                server.route("/topics", producerApi);
                apis.add("HTTP producer");
            }
            server.route("/datasets", datasetsRoute(schemaApi, producerApi));
            List<String> served = List.copyOf(apis);
            server.health(() -> HttpRouteResponse.json(200, GatewayResponses.JSON.createObjectNode()
                    .put("service", "onepipe serve").put("healthy", true).put("apis", String.join(", ", served)).toString()));
            return new HttpGateway(server, registry, producer, idempotencyTopic, served);
        } catch (RuntimeException e) {
            if (server != null) {
                server.close();
            }
            if (idempotencyTopic != null) {
                idempotencyTopic.close();
            }
            if (producer != null) {
                producer.close();
            }
            registry.close();
            throw e;
        }
    }

    /** {@code POST /datasets/{name}/records} goes to the producer, the metadata reads to the Schema Registry API. */
    private static HttpRoute datasetsRoute(SchemaRegistryApi schemaApi, HttpProducerApi producerApi) {
        return request -> {
            boolean produce = "POST".equals(request.method());
            HttpRoute route = produce ? producerApi : schemaApi;
            if (route == null) {
                return OnepipeHttpServer.error(404, (produce ? "the HTTP producer" : "the Schema Registry API") + " is switched off");
            }
            return route.handle(request);
        };
    }

    /** The URL to reach this endpoint from this machine, e.g. {@code http://localhost:8081}. */
    public String url() {
        return server.localUrl();
    }

    public int port() {
        return server.port();
    }

    /** The APIs served, e.g. {@code [Schema Registry API, HTTP producer]}. */
    public List<String> apis() {
        return apis;
    }

    @Override
    public void close() {
        server.close();
        if (idempotencyTopic != null) {
            idempotencyTopic.close();
        }
        if (producer != null) {
            producer.close();
        }
        registry.close();
    }
}
