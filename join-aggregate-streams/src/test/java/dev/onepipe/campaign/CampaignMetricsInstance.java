package dev.onepipe.campaign;

import java.net.InetSocketAddress;
import java.time.Duration;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.runtime.ServedTopology;
import dev.onepipe.core.runtime.TopologyRunner;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One campaign-metrics instance in the test's JVM, started the way {@code onepipe run campaign-metrics --http-port 0}
 * starts it ({@link ServedTopology}).
 */
final class CampaignMetricsInstance implements AutoCloseable {

    private final ServedTopology served;

    private CampaignMetricsInstance(ServedTopology served) {
        this.served = served;
    }

    static CampaignMetricsInstance start(TopologyContext context) {
        return new CampaignMetricsInstance(ServedTopology.start(new CampaignMetricsTopology(), context, new InetSocketAddress("localhost", 0)));
    }

    TopologyRunner runner() {
        return served.runner();
    }

    /** The base URL of this instance's endpoint, e.g. {@code http://localhost:8080}. */
    String url() {
        return "http://" + served.runner().context().config().get(StreamsConfig.APPLICATION_SERVER_CONFIG).orElseThrow();
    }

    /** Stops serving and closes the topology within {@code timeout}; whether it stopped in time. */
    boolean close(Duration timeout) {
        return served.close(timeout);
    }

    @Override
    public void close() {
        served.close();
    }
}
