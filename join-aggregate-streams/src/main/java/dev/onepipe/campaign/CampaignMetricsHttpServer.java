package dev.onepipe.campaign;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Serves {@link CampaignMetricsEndpoint} with the JDK's HTTP server, until the core HTTP server with topology routes
 * exists; then the endpoint becomes one of its routes and this class goes.
 */
public final class CampaignMetricsHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicReference<CampaignMetricsEndpoint> endpoint;

    private CampaignMetricsHttpServer(HttpServer server, ExecutorService executor, AtomicReference<CampaignMetricsEndpoint> endpoint) {
        this.server = server;
        this.executor = executor;
        this.endpoint = endpoint;
    }

    /**
     * Listens on {@code address} (port 0 picks a free port) and answers 503 until {@link #serve} is called: the port
     * must be known before Kafka Streams starts, as its {@code application.server}.
     */
    public static CampaignMetricsHttpServer bind(InetSocketAddress address) {
        AtomicReference<CampaignMetricsEndpoint> endpoint = new AtomicReference<>();
        try {
            HttpServer server = HttpServer.create(address, 0);
            ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
                Thread thread = new Thread(runnable, "campaign-metrics-http");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(executor);
            server.createContext(CampaignMetricsEndpoint.PATH_PREFIX, exchange -> {
                CampaignMetricsEndpoint current = endpoint.get();
                respond(exchange, current == null
                        ? new CampaignMetricsEndpoint.Response(503, Map.of("Retry-After", "1"), "{\"error\":\"starting\"}")
                        : current.handle(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), exchange.getRequestURI().getRawQuery()));
            });
            server.start();
            return new CampaignMetricsHttpServer(server, executor, endpoint);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serve campaign metrics on " + address + ": " + e.getMessage(), e);
        }
    }

    private static void respond(HttpExchange exchange, CampaignMetricsEndpoint.Response response) throws IOException {
        byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
        response.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    public void serve(CampaignMetricsEndpoint endpoint) {
        this.endpoint.set(endpoint);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
