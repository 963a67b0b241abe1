package dev.onepipe.metadata;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft Kafka broker (broker and controller in one process) with its data in a temporary folder,
 * started by Kafka's own test kit. Test scope only: the shared embedded broker lives in topology-core, which depends on
 * this module. The kit binds its listeners before it configures the node, so no probed port can be taken in between
 * (a controller that cannot bind halts the JVM otherwise), and its fault handlers record a fatal fault instead of
 * halting.
 */
public final class InProcessKafkaBroker implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private InProcessKafkaBroker(final KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /**
     * Starts the broker and waits until it serves clients.
     *
     * @throws Exception when the node cannot be formatted or started
     */
    public static InProcessKafkaBroker start() throws Exception {
        final KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build())
            .setConfigProp("num.partitions", "1")
            .setConfigProp("auto.create.topics.enable", "false")
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "2")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("transaction.state.log.num.partitions", "2")
            .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
            .setConfigProp("share.coordinator.state.topic.min.isr", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new InProcessKafkaBroker(cluster);
        } catch (final Exception e) {
            cluster.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
