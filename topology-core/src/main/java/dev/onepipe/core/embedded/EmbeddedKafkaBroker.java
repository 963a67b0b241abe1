package dev.onepipe.core.embedded;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.IntSupplier;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker running in this JVM: one KRaft node that is both broker and controller,
 * on free loopback ports, with its log directory formatted on start.
 *
 * <p>Internal topics use replication factor 1 and min ISR 1 so transactions and exactly-once
 * processing work on a single node. A broker started on a temporary folder deletes it on close;
 * one started on a given folder keeps it, and a later start on the same folder reuses its data.
 *
 * <p>Clients connect over {@code PLAINTEXT}; {@link #startSecured(SaslSslListener)} starts one whose only client
 * listener is {@code SASL_SSL} with {@code SCRAM-SHA-512} and Kafka's {@code StandardAuthorizer} (no ACL, no access),
 * for tests of secured clusters.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int NODE_ID = 1;
    private static final int PORT_ATTEMPTS = 5;
    private static final Object STARTUP = new Object();

    private final Path dataDirectory;
    private final boolean temporary;
    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private EmbeddedKafkaBroker(Path dataDirectory, boolean temporary, KafkaRaftServer server, String bootstrapServers) {
        this.dataDirectory = dataDirectory;
        this.temporary = temporary;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts a broker whose data lives in a new temporary folder, removed on close. */
    public static EmbeddedKafkaBroker start() {
        try {
            return start(Files.createTempDirectory("onepipe-kafka-"), true);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary folder for the embedded Kafka broker", e);
        }
    }

    /** Starts a broker whose data lives in {@code dataDirectory} (created if absent), kept on close. */
    public static EmbeddedKafkaBroker start(Path dataDirectory) {
        return start(dataDirectory, false);
    }

    /**
     * Starts a broker in a new temporary folder (removed on close) whose client listener is {@code SASL_SSL} with
     * {@code SCRAM-SHA-512}: the users of {@code listener} are created when the storage is formatted, the admin user
     * is a super user, and {@code StandardAuthorizer} denies everyone else whatever no ACL allows. The controller
     * listener stays {@code PLAINTEXT} on loopback, reached by the broker as {@code User:ANONYMOUS}, which is why that
     * principal is a super user too. Clients connect to {@code localhost:<port>} (the certificate's name) with
     * {@link SaslSslListener#clientConfig(String)}.
     */
    public static EmbeddedKafkaBroker startSecured(SaslSslListener listener) {
        try {
            return start(Files.createTempDirectory("onepipe-kafka-"), true, Optional.of(listener));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary folder for the embedded Kafka broker", e);
        }
    }

    private static EmbeddedKafkaBroker start(Path dataDirectory, boolean temporary) {
        return start(dataDirectory, temporary, Optional.empty());
    }

    private static EmbeddedKafkaBroker start(Path dataDirectory, boolean temporary, Optional<SaslSslListener> secured) {
        return start(dataDirectory, temporary, secured, LoopbackPorts::freePort);
    }

    /**
     * Starts a broker on the ports {@code ports} gives, two per attempt (broker, then controller), up to
     * {@value #PORT_ATTEMPTS} attempts: a probed port can be taken before the broker binds it.
     */
    static EmbeddedKafkaBroker start(Path dataDirectory, boolean temporary, Optional<SaslSslListener> secured, IntSupplier ports) {
        Path logDirectory = dataDirectory.resolve("kraft-logs");
        boolean formattedHere = !Files.exists(logDirectory.resolve("meta.properties"));
        RuntimeException lastFailure = null;
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            int brokerPort = ports.getAsInt();
            int controllerPort = ports.getAsInt();
            Properties properties = brokerProperties(logDirectory, brokerPort, controllerPort);
            secured.ifPresent(listener -> properties.putAll(saslSslProperties(listener, brokerPort, controllerPort)));
            KafkaRaftServer server = null;
            try {
                KafkaConfig config = KafkaConfig.fromProps(properties, false);
                format(logDirectory, secured.map(SaslSslListener::scramArguments).orElse(List.of()));
                server = new KafkaRaftServer(config, Time.SYSTEM);
                startup(server);
                String bootstrapServers = (secured.isPresent() ? "localhost:" : "127.0.0.1:") + brokerPort;
                LOG.debug("Embedded Kafka broker listening on {} with data in {}", bootstrapServers, logDirectory);
                return new EmbeddedKafkaBroker(dataDirectory, temporary, server, bootstrapServers);
            } catch (RuntimeException e) {
                // Another socket may have taken one of the probed ports between probe and bind.
                lastFailure = e;
                LOG.debug("Embedded Kafka broker start attempt {} on ports {} and {} failed", attempt, brokerPort, controllerPort, e);
                stopQuietly(server);
                if (formattedHere) {
                    // Formatted by this start: the next attempt formats afresh rather than inherit a half-started log.
                    FileTrees.deleteQuietly(logDirectory);
                }
            }
        }
        throw new IllegalStateException("Cannot start the embedded Kafka broker in " + logDirectory, lastFailure);
    }

    /**
     * Runs {@code server.startup()} with Kafka's process-terminating fault handlers turned into an exception: a
     * controller that cannot bind its listener reports a fatal fault, whose handler halts the JVM (Kafka's
     * {@code ProcessTerminatingFaultHandler}), which is right for a broker process of its own and wrong for one embedded
     * in the demo's or a test's JVM. Starts are serialized because the exit and halt procedures are JVM-wide.
     *
     * @throws IllegalStateException when startup reports a fatal fault
     */
    private static void startup(KafkaRaftServer server) {
        synchronized (STARTUP) {
            Exit.Procedure refuse = (statusCode, message) -> {
                throw new IllegalStateException("The embedded Kafka broker reported a fatal fault while starting (Kafka would have ended"
                        + " the process with status " + statusCode + "); its log names the fault");
            };
            Exit.setHaltProcedure(refuse);
            Exit.setExitProcedure(refuse);
            try {
                server.startup();
            } finally {
                Exit.resetHaltProcedure();
                Exit.resetExitProcedure();
            }
        }
    }

    private static void stopQuietly(KafkaRaftServer server) {
        if (server == null) {
            return;
        }
        try {
            // A failed broker startup leaves the controller running, holding the log directory and its port.
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.debug("Stopping a half-started embedded Kafka broker failed", e);
        }
    }

    static Properties brokerProperties(Path logDirectory, int brokerPort, int controllerPort) {
        Properties properties = new Properties();
        properties.put("process.roles", "broker,controller");
        properties.put("node.id", String.valueOf(NODE_ID));
        properties.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        properties.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        properties.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        properties.put("controller.listener.names", "CONTROLLER");
        properties.put("inter.broker.listener.name", "PLAINTEXT");
        properties.put("log.dirs", logDirectory.toString());
        // One node: every internal topic must fit on it, or transactions and consumer groups never start.
        properties.put("offsets.topic.replication.factor", "1");
        properties.put("offsets.topic.num.partitions", "4");
        properties.put("transaction.state.log.replication.factor", "1");
        properties.put("transaction.state.log.min.isr", "1");
        properties.put("transaction.state.log.num.partitions", "4");
        properties.put("share.coordinator.state.topic.replication.factor", "1");
        properties.put("share.coordinator.state.topic.min.isr", "1");
        properties.put("default.replication.factor", "1");
        properties.put("min.insync.replicas", "1");
        properties.put("num.partitions", "1");
        properties.put("auto.create.topics.enable", "false");
        properties.put("group.initial.rebalance.delay.ms", "0");
        // Fast, small segments keep a laptop's disk and the compaction of small topics reasonable.
        properties.put("log.cleaner.backoff.ms", "1000");
        properties.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        properties.put("log.retention.hours", "-1");
        properties.put("num.network.threads", "2");
        properties.put("num.io.threads", "4");
        properties.put("num.recovery.threads.per.data.dir", "1");
        properties.put("log.cleaner.threads", "1");
        properties.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        properties.put("delete.topic.enable", "true");
        return properties;
    }

    /** What turns the PLAINTEXT broker into a SASL_SSL one (see {@link #startSecured(SaslSslListener)}). */
    static Map<String, String> saslSslProperties(SaslSslListener listener, int brokerPort, int controllerPort) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("listeners", "SASL_SSL://localhost:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        properties.put("advertised.listeners", "SASL_SSL://localhost:" + brokerPort);
        properties.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
        properties.put("inter.broker.listener.name", "SASL_SSL");
        properties.put("sasl.enabled.mechanisms", SaslSslListener.MECHANISM);
        properties.put("sasl.mechanism.inter.broker.protocol", SaslSslListener.MECHANISM);
        properties.put("listener.name.sasl_ssl." + SaslSslListener.MECHANISM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config",
                listener.jaasConfig(listener.adminUser()));
        properties.put("ssl.keystore.location", listener.keyStore().toString());
        properties.put("ssl.keystore.type", "PKCS12");
        properties.put("ssl.keystore.password", listener.storePassword());
        properties.put("ssl.key.password", listener.storePassword());
        properties.put("ssl.truststore.location", listener.trustStore().toString());
        properties.put("ssl.truststore.type", "PKCS12");
        properties.put("ssl.truststore.password", listener.storePassword());
        properties.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        properties.put("allow.everyone.if.no.acl.found", "false");
        properties.put("super.users", "User:" + listener.adminUser() + ";User:ANONYMOUS");
        return properties;
    }

    private static void format(Path logDirectory, List<String> scramArguments) {
        if (Files.exists(logDirectory.resolve("meta.properties"))) {
            // Formatted by an earlier start on this folder: keep its cluster id and data.
            return;
        }
        try {
            Files.createDirectories(logDirectory);
            Formatter formatter = new Formatter()
                    .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setNodeId(NODE_ID)
                    .setDirectories(List.of(logDirectory.toString()))
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(logDirectory.toString());
            if (!scramArguments.isEmpty()) {
                formatter.setScramArguments(scramArguments);
            }
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format the embedded Kafka broker's storage in " + logDirectory, e);
        }
    }

    /** The address clients connect to, e.g. {@code 127.0.0.1:41234}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The folder holding the broker's data. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        if (temporary) {
            FileTrees.deleteQuietly(dataDirectory);
        }
        LOG.debug("Embedded Kafka broker {} stopped", bootstrapServers);
    }
}
