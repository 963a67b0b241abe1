package dev.onepipe.core.cli;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.onepipe.core.OnepipeTopologies;
import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.KafkaClientSettings;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.core.runtime.ServedTopology;
import dev.onepipe.core.runtime.TopicAccess;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.runtime.http.OnepipeHttpServer;
import dev.onepipe.core.runtime.status.StatusReporter;
import dev.onepipe.metadata.MetadataCatalog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AclOperation;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code onepipe run <topology> --dataset <name>}: runs one topology until Ctrl-C or SIGTERM. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a topology for a dataset until Ctrl-C / SIGTERM, then close it cleanly.",
            "Application id: onepipe-<topology>-<dataset>; processing.guarantee=exactly_once_v2 unless configured.",
            "A topology that makes no progress is reported unhealthy (status line, /health); after "
                + "onepipe.health.max.thread.replacements (default 3) stream-thread failures without a commit it stops,",
            "naming the last error, with exit code 3.",
            "A topic it reads or writes that is deleted under it stops it at once with exit code 3, naming the topic "
                + "(checked every onepipe.health.topic.check.interval.ms, default 5000; 0 turns it off)."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:stopped by Ctrl-C / SIGTERM", "1:failed to start", "2:configuration error",
            "3:stopped because it could not make progress (see the last error printed)"})
final class RunCommand implements Callable<Integer> {

    /** The exit code of an application that stopped because it could not make progress. */
    static final int STOPPED_WITHOUT_PROGRESS = 3;

    @Parameters(index = "0", paramLabel = "<topology>", description = "Topology name (see 'onepipe topologies').")
    String topologyName;

    @ArgGroup(multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--dataset", paramLabel = "<name>", description = "Registered dataset to run for.")
        String dataset;

        @Option(names = "--topic", paramLabel = "<topic>", description = "Raw topic to run for (topologies that accept any topic).")
        String topic;
    }

    @Option(names = "--close-timeout", paramLabel = "<seconds>", defaultValue = "30",
            description = "How long a shutdown may take before threads are abandoned (default: ${DEFAULT-VALUE}).")
    long closeTimeoutSeconds;

    @Option(names = "--http-port", paramLabel = "<port>",
            description = "Serve /health, /metrics (Prometheus) and the topology's own routes on this port; 0 picks a free one (onepipe.http.port).")
    Integer httpPort;

    @Option(names = "--status-interval", paramLabel = "<seconds>",
            description = "Print a status line (records in/out per second, lag, dead letters) this often; 0 turns it off (default: 5; onepipe.status.interval.seconds).")
    Long statusIntervalSeconds;

    @Mixin
    ConfigOptions options;

    /**
     * A missing input topic makes Kafka Streams fail its rebalance over and over, and a principal that may not read it
     * fails deep inside a stream thread: say either once, plainly, instead. The admin client gets every client setting
     * (security included) from the layered configuration, like every other client.
     */
    private static void requireReadableTopic(OnepipeConfig config, String topic, String topologyName) throws InterruptedException {
        Map<String, Object> adminConfig = KafkaClientSettings.admin(config);
        adminConfig.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(adminConfig)) {
            TopicAccess.require(admin, topic, AclOperation.READ, "running " + topologyName);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("Cannot reach Kafka at " + config.bootstrapServers() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        OnepipeTopology topology = OnepipeTopologies.require(topologyName);
        if (target.topic != null && !topology.acceptsAnyTopic()) {
            throw new IllegalArgumentException("Topology '" + topologyName + "' runs for registered datasets only: use --dataset");
        }
        Map<String, String> flags = new LinkedHashMap<>(options.flagLayer());
        if (httpPort != null) {
            flags.put(OnepipeHttpServer.PORT, httpPort.toString());
        }
        if (statusIntervalSeconds != null) {
            flags.put(StatusReporter.INTERVAL_SECONDS, statusIntervalSeconds.toString());
        }
        OnepipeConfig config = TopologyRunner.configure(topology, options.fileLayer(), options.environmentLayer(), flags);
        config.bootstrapServers();
        MetadataCatalog catalog = RegisteredDatasets.load(config);
        String inputTopic = target.topic != null ? target.topic : RegisteredDatasets.require(catalog, target.dataset).topic();
        requireReadableTopic(config, inputTopic, topology.name());
        TopologyContext requested = new TopologyContext(topology.name(), Optional.ofNullable(target.dataset), inputTopic, config, catalog);
        Optional<String> port = config.get(OnepipeHttpServer.PORT);
        ServedTopology served = port.isEmpty() ? null
                : ServedTopology.start(topology, requested, new InetSocketAddress(Integer.parseInt(port.get().trim())));
        TopologyRunner runner = served != null ? served.runner() : TopologyRunner.start(topology, requested);
        TopologyContext context = runner.context();
        long statusInterval = config.getLong(StatusReporter.INTERVAL_SECONDS, StatusReporter.DEFAULT_INTERVAL_SECONDS);
        StatusReporter status = statusInterval > 0
                ? StatusReporter.start(runner, Duration.ofSeconds(statusInterval), System.out) : null;
        if (served != null) {
            System.out.println(String.format("onepipe: %s serves http://localhost:%d%s and %s", context.applicationId(), served.port(),
                    OnepipeHttpServer.HEALTH_PATH, OnepipeHttpServer.METRICS_PATH));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean closing = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!closing.compareAndSet(false, true)) {
                return;
            }
            long started = System.nanoTime();
            if (status != null) {
                status.close();
            }
            boolean clean = served != null ? served.close(Duration.ofSeconds(closeTimeoutSeconds))
                    : runner.close(Duration.ofSeconds(closeTimeoutSeconds));
            // one write: printf writes piece by piece, and a log line on stderr could land inside this one
            System.out.println(String.format("onepipe: %s stopped %s in %d ms", context.applicationId(),
                    clean ? "cleanly" : "after its close timeout", (System.nanoTime() - started) / 1_000_000));
            stopped.countDown();
        }, "onepipe-shutdown"));
        // Either a signal runs the hook, or the application stops by itself (the health policy, a fatal error).
        while (!stopped.await(200, TimeUnit.MILLISECONDS)) {
            if (runner.awaitStopped(Duration.ZERO) && closing.compareAndSet(false, true)) {
                String reason = runner.failure().orElse(context.applicationId() + " stopped by itself in state " + runner.state());
                if (status != null) {
                    status.close();
                }
                if (served != null) {
                    served.close(Duration.ofSeconds(closeTimeoutSeconds));
                } else {
                    runner.close(Duration.ofSeconds(closeTimeoutSeconds));
                }
                System.err.println("onepipe: " + reason);
                System.err.flush();
                return STOPPED_WITHOUT_PROGRESS;
            }
        }
        return 0;
    }
}
