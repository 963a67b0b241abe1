package dev.onepipe.campaign;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.runtime.TopologyRunner;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;

/**
 * A running campaign-metrics instance that answers {@code GET /campaigns/<id>/metrics} over HTTP: the topology's
 * runner plus {@link CampaignMetricsHttpServer}. Each instance advertises its address as {@code application.server},
 * so any instance can send a client on to the one that holds a campaign.
 */
public final class CampaignMetricsInstance implements AutoCloseable {

    private final TopologyRunner runner;
    private final CampaignMetricsHttpServer server;

    private CampaignMetricsInstance(TopologyRunner runner, CampaignMetricsHttpServer server) {
        this.runner = runner;
        this.server = server;
    }

    /**
     * Binds the HTTP server on {@code host:port} (0 = any free port), then starts the topology for {@code context}
     * advertising that address, then serves queries.
     */
    public static CampaignMetricsInstance start(TopologyContext context, String host, int port) {
        CampaignMetricsHttpServer server = CampaignMetricsHttpServer.bind(new InetSocketAddress(host, port));
        try {
            HostInfo self = new HostInfo(host, server.port());
            TopologyContext advertised = new TopologyContext(context.topologyName(), context.dataset(), context.inputTopic(),
                    context.config().with("http", Map.of(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port())),
                    context.catalog());
            TopologyRunner runner = TopologyRunner.start(new CampaignMetricsTopology(), advertised);
            Duration windowSize = CampaignMetricsSettings.from(advertised).windowSize();
            server.serve(new CampaignMetricsEndpoint(new CampaignMetricsQuery(runner.streams(), windowSize, Optional.of(self))));
            return new CampaignMetricsInstance(runner, server);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public TopologyRunner runner() {
        return runner;
    }

    /** The base URL of this instance's query endpoint, e.g. {@code http://localhost:8080}. */
    public String url() {
        return "http://" + runner.context().config().get(StreamsConfig.APPLICATION_SERVER_CONFIG).orElseThrow();
    }

    public int port() {
        return server.port();
    }

    /** Stops serving and closes the topology within {@code timeout}; whether it stopped in time. */
    public boolean close(Duration timeout) {
        server.close();
        return runner.close(timeout);
    }

    @Override
    public void close() {
        close(TopologyRunner.DEFAULT_CLOSE_TIMEOUT);
    }
}
