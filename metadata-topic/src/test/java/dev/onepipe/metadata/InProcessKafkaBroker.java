package dev.onepipe.metadata;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node KRaft Kafka broker (broker and controller in one process) on free ports with its data in a
 * temporary folder. Test scope only: the shared embedded broker lives in topology-core, which depends on this module.
 */
public final class InProcessKafkaBroker implements AutoCloseable {

    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final Path logDirectory;
    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private InProcessKafkaBroker(final Path logDirectory, final KafkaRaftServer server, final String bootstrapServers) {
        this.logDirectory = logDirectory;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    public static InProcessKafkaBroker start() throws Exception {
        final Path logDirectory = Files.createTempDirectory("onepipe-metadata-broker");
        final int brokerPort = freePort();
        final int controllerPort = freePort();
        final int nodeId = 1;

        final Map<String, Object> properties = new HashMap<>();
        properties.put("process.roles", "broker,controller");
        properties.put("node.id", String.valueOf(nodeId));
        properties.put("controller.quorum.voters", nodeId + "@localhost:" + controllerPort);
        properties.put("listeners", "PLAINTEXT://localhost:" + brokerPort + "," + CONTROLLER_LISTENER + "://localhost:" + controllerPort);
        properties.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
        properties.put("controller.listener.names", CONTROLLER_LISTENER);
        properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        properties.put("inter.broker.listener.name", "PLAINTEXT");
        properties.put("log.dirs", logDirectory.toString());
        properties.put("num.partitions", "1");
        properties.put("auto.create.topics.enable", "false");
        properties.put("offsets.topic.replication.factor", "1");
        properties.put("offsets.topic.num.partitions", "2");
        properties.put("transaction.state.log.replication.factor", "1");
        properties.put("transaction.state.log.min.isr", "1");
        properties.put("transaction.state.log.num.partitions", "2");
        properties.put("share.coordinator.state.topic.replication.factor", "1");
        properties.put("share.coordinator.state.topic.min.isr", "1");
        properties.put("group.initial.rebalance.delay.ms", "0");
        properties.put("log.flush.interval.messages", "1000000");
        final KafkaConfig config = new KafkaConfig(properties, false);

        new Formatter()
            .setNodeId(nodeId)
            .setClusterId(Uuid.randomUuid().toString())
            .addDirectory(logDirectory.toString())
            .setMetadataLogDirectory(logDirectory.toString())
            .setControllerListenerName(CONTROLLER_LISTENER)
            .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
            .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
            .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
            .run();

        final KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return new InProcessKafkaBroker(logDirectory, server, "localhost:" + brokerPort);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() throws IOException {
        server.shutdown();
        server.awaitShutdown();
        try (Stream<Path> paths = Files.walk(logDirectory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
