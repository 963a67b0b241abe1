package dev.onepipe.core.runtime;

import java.net.InetSocketAddress;
import java.time.Duration;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.runtime.http.OnepipeHttpServer;

/**
 * A running topology with its HTTP endpoint ({@code /health}, {@code /metrics} and the topology's routes), started in
 * the one order that lets instances find each other: the endpoint binds first, its address becomes Kafka Streams'
 * {@code application.server}, then the topology starts, then its routes are served.
 */
public final class ServedTopology implements AutoCloseable {

    private final TopologyRunner runner;
    private final OnepipeHttpServer http;

    private ServedTopology(TopologyRunner runner, OnepipeHttpServer http) {
        this.runner = runner;
        this.http = http;
    }

    /** Starts {@code topology} for {@code context}, serving on {@code address} (port 0 picks a free port). */
    public static ServedTopology start(OnepipeTopology topology, TopologyContext context, InetSocketAddress address) {
        OnepipeHttpServer http = OnepipeHttpServer.bind(address);
        try {
            TopologyContext advertised = new TopologyContext(context.topologyName(), context.dataset(), context.inputTopic(),
                    http.advertisedIn(context.config()), context.catalog());
            TopologyRunner runner = TopologyRunner.start(topology, advertised);
            try {
                http.serve(OnepipeHttpServer.Application.of(runner, advertised), topology.httpRoutes(runner.streams(), advertised));
            } catch (RuntimeException e) {
                runner.close(TopologyRunner.DEFAULT_CLOSE_TIMEOUT);
                throw e;
            }
            return new ServedTopology(runner, http);
        } catch (RuntimeException e) {
            http.close();
            throw e;
        }
    }

    /** The runner; its context carries the advertised {@code application.server}. */
    public TopologyRunner runner() {
        return runner;
    }

    /** The port served, useful when started on port 0. */
    public int port() {
        return http.port();
    }

    /** Stops serving, then closes the topology within {@code timeout}; whether it stopped in time. */
    public boolean close(Duration timeout) {
        http.close();
        return runner.close(timeout);
    }

    @Override
    public void close() {
        close(TopologyRunner.DEFAULT_CLOSE_TIMEOUT);
    }
}
