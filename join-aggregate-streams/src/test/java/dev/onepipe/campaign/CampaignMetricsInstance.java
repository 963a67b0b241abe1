package dev.onepipe.campaign;

import java.net.InetSocketAddress;
import java.time.Duration;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.runtime.http.OnepipeHttpServer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One campaign-metrics instance in the test's JVM, started the way {@code onepipe run campaign-metrics --http-port 0}
 * starts it: the HTTP endpoint bound first and advertised as {@code application.server}, then the topology, then its
 * routes.
 */
final class CampaignMetricsInstance implements AutoCloseable {

    private final TopologyRunner runner;
    private final OnepipeHttpServer server;

    private CampaignMetricsInstance(TopologyRunner runner, OnepipeHttpServer server) {
        this.runner = runner;
        this.server = server;
    }

    static CampaignMetricsInstance start(TopologyContext context) {
        CampaignMetricsTopology topology = new CampaignMetricsTopology();
        OnepipeHttpServer server = OnepipeHttpServer.bind(new InetSocketAddress("localhost", 0));
        try {
            TopologyContext advertised = new TopologyContext(context.topologyName(), context.dataset(), context.inputTopic(),
                    server.advertisedIn(context.config()), context.catalog());
            TopologyRunner runner = TopologyRunner.start(topology, advertised);
            server.serve(OnepipeHttpServer.Application.of(runner.streams(), advertised), topology.httpRoutes(runner.streams(), advertised));
            return new CampaignMetricsInstance(runner, server);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    TopologyRunner runner() {
        return runner;
    }

    /** The base URL of this instance's endpoint, e.g. {@code http://localhost:8080}. */
    String url() {
        return "http://" + runner.context().config().get(StreamsConfig.APPLICATION_SERVER_CONFIG).orElseThrow();
    }

    /** Stops serving and closes the topology within {@code timeout}; whether it stopped in time. */
    boolean close(Duration timeout) {
        server.close();
        return runner.close(timeout);
    }

    @Override
    public void close() {
        close(TopologyRunner.DEFAULT_CLOSE_TIMEOUT);
    }
}
